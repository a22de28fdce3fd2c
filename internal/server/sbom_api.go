package server

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/craft-cra/craft/internal/sbom"
	"github.com/craft-cra/craft/internal/store"
)

// SBOMMaxBody is the body limit of an SBOM upload: the largest document
// internal/sbom reads (256 MiB). Everything else of the API keeps the
// 100 KiB DefaultMaxBody.
const SBOMMaxBody int64 = sbom.MaxSize

// sbomContentTypes are the media types an upload may declare. A gzipped
// document may come under any of them or as application/gzip; the decoder
// recognises gzip by its magic bytes.
var sbomContentTypes = map[string]bool{
	"application/vnd.cyclonedx+json": true,
	"application/vnd.cyclonedx+xml":  true,
	"application/spdx+json":          true,
	"application/json":               true,
	"application/xml":                true,
	"text/xml":                       true,
	"application/gzip":               true,
	"application/x-gzip":             true,
	"application/octet-stream":       true,
}

// sbomTransferTime is how long an upload may take to arrive, or a download
// to leave, instead of the server's general read and write timeouts (30 s
// and 60 s): 256 MiB at 4 Mbit/s.
const sbomTransferTime = 10 * time.Minute

// sbomUploadName is the name internal/sbom's errors give the upload.
const sbomUploadName = "the uploaded SBOM"

// maxProblemsShown bounds the schema problems named in a 422.
const maxProblemsShown = 5

// uploadSBOM is POST /api/v1/products/{product}/releases/{version}/sbom:
// the raw body is a CycloneDX 1.4–1.6 (JSON or XML) or SPDX 2.3 JSON
// document, optionally gzipped. It is decoded and validated with
// internal/sbom before anything is stored; then the release (created when
// new), the document as uploaded and its components are stored in one
// transaction. A second upload for the same release replaces its SBOM.
func (s *Server) uploadSBOM(w http.ResponseWriter, r *http.Request) error {
	pid, version := r.PathValue("product"), r.PathValue("version")
	if err := checkVersion(version); err != nil {
		return err
	}
	releasedOn := r.URL.Query().Get("released_on")
	if err := checkDay(releasedOn); err != nil {
		return err
	}
	ct, err := sbomContentType(r)
	if err != nil {
		return err
	}
	prof, err := s.store.GetProductProfile(r.Context(), pid)
	if err != nil {
		return err
	}
	// Where the connection cannot take a longer deadline, the general one
	// stays; the error says no more than that.
	_ = http.NewResponseController(w).SetReadDeadline(time.Now().Add(sbomTransferTime))
	data, err := io.ReadAll(r.Body)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return errTooLarge(mbe.Limit)
		}
		return &Error{Status: http.StatusBadRequest, Detail: "the upload was interrupted", Err: fmt.Errorf("read sbom: %w", err)}
	}
	if len(data) == 0 {
		return badRequest("the request body is empty: send the SBOM document as the body")
	}
	if len(data) >= 2 && data[0] == 0x1f && data[1] == 0x8b && !strings.Contains(ct, "gzip") {
		// Served back as what it is, not as the JSON or XML inside.
		ct = "application/gzip"
	}
	doc, comps, err := decodeUpload(data)
	if err != nil {
		return err
	}
	sum := sha256.Sum256(data)
	if releasedOn == "" {
		releasedOn = s.now().UTC().Format(time.DateOnly)
	}
	rel, created, err := s.store.PutReleaseSBOM(r.Context(), store.SBOMUpload{
		ProductID: pid, Version: version, ReleasedOn: releasedOn, Data: data, Components: comps,
		Info: store.SBOMInfo{ContentType: ct, Format: string(doc.Format), SpecVersion: doc.SpecVersion,
			SHA256: hex.EncodeToString(sum[:]), UploadedAt: s.now(), UploadedBy: actorOf(r)},
	})
	if err != nil {
		return err
	}
	detail := map[string]string{"version": version, "format": string(doc.Format), "spec_version": doc.SpecVersion,
		"sha256": rel.SBOM.SHA256, "size": strconv.FormatInt(rel.SBOM.Size, 10),
		"components": strconv.FormatInt(rel.SBOM.Components, 10), "release_created": strconv.FormatBool(created)}
	if err := s.audit(r, ActSBOMUpload, "product:"+pid, detail); err != nil {
		return err
	}
	s.rematchUploaded(r.Context(), prof, rel) // monitoring (monitor_job.go)
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	return writeJSON(w, status, releaseFromStore(rel, prof, s.now()))
}

// sbomContentType checks the declared media type of an upload and returns
// it in canonical form (what a download answers with).
func sbomContentType(r *http.Request) (string, error) {
	if ce := r.Header.Get("Content-Encoding"); ce != "" && !strings.EqualFold(ce, "identity") {
		return "", &Error{Status: http.StatusUnsupportedMediaType,
			Detail: "Content-Encoding is not accepted: send a gzipped SBOM as the body itself (Content-Type application/gzip)"}
	}
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || !sbomContentTypes[mt] {
		return "", &Error{Status: http.StatusUnsupportedMediaType,
			Detail: "send the SBOM as application/vnd.cyclonedx+json, application/vnd.cyclonedx+xml, application/spdx+json, application/json, application/xml or application/gzip"}
	}
	keep := map[string]string{}
	if v, ok := params["version"]; ok && len(v) <= 8 {
		keep["version"] = v
	}
	if v, ok := params["charset"]; ok && len(v) <= 16 {
		keep["charset"] = v
	}
	out := mime.FormatMediaType(mt, keep)
	if out == "" {
		out = mt
	}
	return out, nil
}

// decodeUpload parses and validates an uploaded document with
// internal/sbom: one of the accepted formats and versions, valid against
// its JSON schema (JSON) or structurally (XML), and mappable to
// components.
func decodeUpload(data []byte) (*sbom.Document, []store.ReleaseComponent, error) {
	doc, err := sbom.Parse(sbomUploadName, bytes.NewReader(data))
	if err != nil {
		return nil, nil, &Error{Status: http.StatusBadRequest, Type: "sbom-invalid",
			Detail: "the SBOM cannot be read: " + truncate(err.Error(), 400), Err: err}
	}
	switch {
	case doc.Format == sbom.CycloneDXJSON || doc.Format == sbom.CycloneDXXML:
		switch doc.SpecVersion {
		case "1.4", "1.5", "1.6":
		default:
			return nil, nil, &Error{Status: http.StatusUnprocessableEntity, Type: "sbom-unsupported",
				Detail: fmt.Sprintf("CycloneDX %s is not accepted: send CycloneDX 1.4, 1.5 or 1.6", truncate(doc.SpecVersion, 16))}
		}
	case doc.Format == sbom.SPDXJSON:
		if doc.SpecVersion != "SPDX-2.3" {
			return nil, nil, &Error{Status: http.StatusUnprocessableEntity, Type: "sbom-unsupported",
				Detail: fmt.Sprintf("%s is not accepted: send SPDX 2.3 JSON", truncate(doc.SpecVersion, 16))}
		}
	default:
		return nil, nil, &Error{Status: http.StatusUnprocessableEntity, Type: "sbom-unsupported",
			Detail: fmt.Sprintf("%s is not accepted: send CycloneDX 1.4–1.6 (JSON or XML) or SPDX 2.3 JSON", doc.Format)}
	}
	if doc.Format != sbom.CycloneDXXML {
		problems, err := sbom.Validate(sbomUploadName, data)
		if err != nil {
			return nil, nil, &Error{Status: http.StatusBadRequest, Type: "sbom-invalid",
				Detail: "the SBOM cannot be validated: " + truncate(err.Error(), 400), Err: err}
		}
		if len(problems) > 0 {
			shown := make([]string, 0, maxProblemsShown)
			for _, p := range problems[:min(len(problems), maxProblemsShown)] {
				// Long enough for a schema's list of allowed values.
				msg := p.String()
				if t := truncate(msg, 600); t != msg {
					msg = t + " …"
				}
				shown = append(shown, msg)
			}
			where := "in 1 place"
			if len(problems) > 1 {
				where = fmt.Sprintf("in %d places", len(problems))
			}
			return nil, nil, &Error{Status: http.StatusUnprocessableEntity, Type: "sbom-schema",
				Detail: fmt.Sprintf("the SBOM breaks the %s %s schema %s: %s", doc.Format, doc.SpecVersion,
					where, strings.Join(shown, "; "))}
		}
	}
	inv, err := doc.Inventory()
	if err != nil {
		return nil, nil, &Error{Status: http.StatusUnprocessableEntity, Type: "sbom-invalid",
			Detail: "the SBOM's components cannot be read: " + truncate(err.Error(), 400), Err: err}
	}
	comps := make([]store.ReleaseComponent, 0, len(inv.Components))
	for i, c := range inv.Components {
		if err := checkComponentText(c.ID, c.Name, c.Version, c.Ecosystem, c.PURL, c.Supplier, strings.Join(c.Licenses, " ")); err != nil {
			return nil, nil, &Error{Status: http.StatusUnprocessableEntity, Type: "sbom-invalid",
				Detail: fmt.Sprintf("component %d of the SBOM %s", i+1, err)}
		}
		comps = append(comps, store.ReleaseComponent{ComponentID: c.ID, Name: c.Name, Version: c.Version,
			Ecosystem: c.Ecosystem, PURL: c.PURL, Relationship: string(c.Relationship), Licenses: c.Licenses,
			Supplier: c.Supplier})
	}
	return doc, comps, nil
}

// maxComponentField bounds each text of a component (name, version, purl,
// licences, ...).
const maxComponentField = 8 << 10

// checkComponentText refuses what a database column cannot hold or should
// not: NUL bytes (PostgreSQL refuses them in TEXT), invalid UTF-8 and
// values longer than maxComponentField.
func checkComponentText(fields ...string) error {
	for _, f := range fields {
		switch {
		case len(f) > maxComponentField:
			return fmt.Errorf("has a value longer than %d bytes", maxComponentField)
		case !utf8.ValidString(f):
			return errors.New("has a value that is not valid UTF-8")
		case strings.ContainsRune(f, 0):
			return errors.New("has a value with a NUL character")
		}
	}
	return nil
}

// downloadSBOM is GET /api/v1/products/{product}/releases/{version}/sbom:
// the document exactly as uploaded, with the content type it came with.
func (s *Server) downloadSBOM(w http.ResponseWriter, r *http.Request) error {
	pid, version := r.PathValue("product"), r.PathValue("version")
	info, data, err := s.store.GetReleaseSBOM(r.Context(), pid, version)
	if err != nil {
		return err
	}
	_ = http.NewResponseController(w).SetWriteDeadline(time.Now().Add(sbomTransferTime))
	h := w.Header()
	h.Set("Content-Type", info.ContentType)
	h.Set("Content-Length", strconv.Itoa(len(data)))
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": sbomFileName(version, info)}))
	h.Set("ETag", `"sha256:`+info.SHA256+`"`)
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write(data)
	}
	return nil
}

// sbomFileName is the download's file name: sbom-<version>.<ext>.
func sbomFileName(version string, info store.SBOMInfo) string {
	ext := ".cdx.json"
	switch info.Format {
	case string(sbom.CycloneDXXML):
		ext = ".cdx.xml"
	case string(sbom.SPDXJSON):
		ext = ".spdx.json"
	}
	if strings.Contains(info.ContentType, "gzip") {
		ext += ".gz"
	}
	safe := strings.Map(func(r rune) rune {
		if r < 0x21 || r > 0x7e || r == '"' || r == '\\' {
			return '_'
		}
		return r
	}, version)
	return "sbom-" + safe + ext
}

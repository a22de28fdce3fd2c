package server

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/craft-cra/craft/internal/csaf"
	"github.com/craft-cra/craft/internal/store"
)

// The public CSAF provider (CSAF 2.0 section 7.1), directory-based
// (requirements 11 to 14): /.well-known/csaf/provider-metadata.json, the
// folder white/ with one sub-folder per year of initial release,
// index.txt, changes.csv, a directory listing of each folder, the
// SHA-512 of every document (requirement 18) and, with a signing key,
// its OpenPGP signature (19) and the public key (20). Only the latest
// published version of each TLP:WHITE advisory is served; drafts are not
// in advisory_versions at all.

// The provider's files keep the server-wide Cache-Control: no-store (only
// static assets loosen it): every answer is fresh, so a new version is
// seen at once, and each is cheap to produce.

// providerMetadataJSON is provider-metadata.json (provider_json_schema.json).
type providerMetadataJSON struct {
	CanonicalURL            string                 `json:"canonical_url"`
	Distributions           []providerDistribution `json:"distributions"`
	LastUpdated             string                 `json:"last_updated"`
	ListOnCSAFAggregators   bool                   `json:"list_on_CSAF_aggregators"`
	MetadataVersion         string                 `json:"metadata_version"`
	MirrorOnCSAFAggregators bool                   `json:"mirror_on_CSAF_aggregators"`
	PublicOpenPGPKeys       []providerKey          `json:"public_openpgp_keys,omitempty"`
	Publisher               csaf.Publisher         `json:"publisher"`
	Role                    string                 `json:"role"`
}

type providerDistribution struct {
	DirectoryURL string `json:"directory_url"`
}

type providerKey struct {
	Fingerprint string `json:"fingerprint"`
	URL         string `json:"url"`
}

// Provider roles (CSAF 2.0 section 7.2).
const (
	roleProvider        = "csaf_provider"
	roleTrustedProvider = "csaf_trusted_provider"
)

// providerMetadata is GET /.well-known/csaf/provider-metadata.json. The
// role is csaf_trusted_provider when a signing key is configured (then
// requirements 1-7, 9, 11-14 and 18-20 hold), else csaf_provider.
func (a *advisoryFeature) providerMetadata(w http.ResponseWriter, r *http.Request) error {
	b, err := a.providerMetadataBytes(r)
	if err != nil {
		return err
	}
	return pubWrite(w, "application/json", b)
}

func (a *advisoryFeature) providerMetadataBytes(r *http.Request) ([]byte, error) {
	base, err := a.s.publicBaseURL(r)
	if err != nil {
		return nil, err
	}
	vs, err := a.s.store.ListLatestAdvisoryVersions(r.Context(), csaf.TLPWhite)
	if err != nil {
		return nil, err
	}
	// Without any publication the metadata last changed when the server
	// started serving it; the epoch would claim a false date.
	last := a.s.now()
	if len(vs) > 0 {
		last = vs[0].PublishedAt
	}
	name := a.s.cfg.CSAFPublisherName
	if name == "" {
		u, _ := url.Parse(base)
		name = u.Hostname()
	}
	md := providerMetadataJSON{
		CanonicalURL:            base + "/.well-known/csaf/provider-metadata.json",
		Distributions:           []providerDistribution{{DirectoryURL: base + "/.well-known/csaf/white/"}},
		LastUpdated:             last.UTC().Truncate(time.Second).Format(time.RFC3339),
		ListOnCSAFAggregators:   true,
		MetadataVersion:         "2.0",
		MirrorOnCSAFAggregators: true,
		Publisher:               csaf.Publisher{Category: "vendor", Name: name, Namespace: base},
		Role:                    roleProvider,
	}
	if sg := a.s.cfg.CSAFSigner; sg != nil {
		md.Role = roleTrustedProvider
		md.PublicOpenPGPKeys = []providerKey{{Fingerprint: sg.Fingerprint(), URL: base + "/.well-known/csaf/openpgp/" + sg.Fingerprint() + ".asc"}}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(md); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func pubWrite(w http.ResponseWriter, ctype string, body []byte) error {
	h := w.Header()
	h.Set("Content-Type", ctype)
	_, err := w.Write(body)
	return err
}

// pubPath is a document's path relative to white/ ("2026/x.json").
func pubPath(v store.AdvisoryVersion) string {
	return strconv.Itoa(v.InitialReleaseDate.UTC().Year()) + "/" + v.Filename
}

// indexTxt is GET /.well-known/csaf/white/index.txt (requirement 12):
// the path of every document, one per line.
func (a *advisoryFeature) indexTxt(w http.ResponseWriter, r *http.Request) error {
	vs, err := a.s.store.ListLatestAdvisoryVersions(r.Context(), csaf.TLPWhite)
	if err != nil {
		return err
	}
	paths := make([]string, 0, len(vs))
	for _, v := range vs {
		paths = append(paths, pubPath(v))
	}
	slices.Sort(paths)
	var b strings.Builder
	for _, p := range paths {
		b.WriteString(p + "\n")
	}
	return pubWrite(w, "text/plain; charset=utf-8", []byte(b.String()))
}

// changesCSV is GET /.well-known/csaf/white/changes.csv (requirement 13):
// "path","current_release_date" per document, newest first.
func (a *advisoryFeature) changesCSV(w http.ResponseWriter, r *http.Request) error {
	vs, err := a.s.store.ListLatestAdvisoryVersions(r.Context(), csaf.TLPWhite)
	if err != nil {
		return err
	}
	var b strings.Builder
	for _, v := range vs {
		fmt.Fprintf(&b, "%q,%q\n", pubPath(v), v.PublishedAt.UTC().Truncate(time.Second).Format(time.RFC3339))
	}
	return pubWrite(w, "text/csv; charset=utf-8", []byte(b.String()))
}

// listingTemplate is the directory listing of a provider folder
// (requirement 14): links only, no style or script.
const listingTemplate = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Index of {{.Path}}</title></head>
<body><h1>Index of {{.Path}}</h1><ul>
{{range .Entries}}<li><a href="{{.}}">{{.}}</a></li>
{{end}}</ul></body></html>
`

// listing is GET /.well-known/csaf/white/ and …/white/{year}/.
func (a *advisoryFeature) listing(w http.ResponseWriter, r *http.Request) error {
	vs, err := a.s.store.ListLatestAdvisoryVersions(r.Context(), csaf.TLPWhite)
	if err != nil {
		return err
	}
	year := r.PathValue("year")
	var entries []string
	seen := map[string]bool{}
	add := func(e string) {
		if !seen[e] {
			seen[e] = true
			entries = append(entries, e)
		}
	}
	if year == "" {
		add("changes.csv")
		add("index.txt")
	}
	for _, v := range vs {
		y := strconv.Itoa(v.InitialReleaseDate.UTC().Year())
		switch {
		case year == "":
			add(y + "/")
		case year == y:
			add(v.Filename)
			add(v.Filename + ".sha512")
			if a.s.cfg.CSAFSigner != nil {
				add(v.Filename + ".asc")
			}
		}
	}
	if year != "" && len(entries) == 0 {
		return notFound()
	}
	slices.Sort(entries)
	tmpl, err := template.New("listing").Parse(listingTemplate)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := tmpl.Execute(&buf, struct {
		Path    string
		Entries []string
	}{r.URL.Path, entries}); err != nil {
		return err
	}
	return pubWrite(w, "text/html; charset=utf-8", buf.Bytes())
}

// file is GET /.well-known/csaf/white/{year}/{file}: a document (.json),
// its SHA-512 (.json.sha512, in sha512sum format) or its signature
// (.json.asc, only with a signing key).
func (a *advisoryFeature) file(w http.ResponseWriter, r *http.Request) error {
	name := r.PathValue("file")
	var kind string
	for _, k := range []string{".sha512", ".asc"} {
		if strings.HasSuffix(name, ".json"+k) {
			kind, name = k, strings.TrimSuffix(name, k)
		}
	}
	if !strings.HasSuffix(name, ".json") {
		return notFound()
	}
	v, err := a.s.store.GetLatestAdvisoryVersion(r.Context(), name)
	if err != nil {
		return err
	}
	if v.TLP != csaf.TLPWhite || strconv.Itoa(v.InitialReleaseDate.UTC().Year()) != r.PathValue("year") {
		return notFound()
	}
	switch kind {
	case ".sha512":
		return pubWrite(w, "text/plain; charset=utf-8", []byte(v.SHA512+"  "+v.Filename+"\n"))
	case ".asc":
		sg := a.s.cfg.CSAFSigner
		if sg == nil {
			return notFound()
		}
		sig, err := sg.Sign(v.Document, v.PublishedAt)
		if err != nil {
			return err
		}
		return pubWrite(w, "application/pgp-signature", sig)
	}
	return pubWrite(w, "application/json", v.Document)
}

// publicKey is GET /.well-known/csaf/openpgp/{fingerprint}.asc.
func (a *advisoryFeature) publicKey(w http.ResponseWriter, r *http.Request) error {
	sg := a.s.cfg.CSAFSigner
	if sg == nil || r.PathValue("file") != sg.Fingerprint()+".asc" {
		return notFound()
	}
	return pubWrite(w, "application/pgp-keys", sg.PublicKey())
}

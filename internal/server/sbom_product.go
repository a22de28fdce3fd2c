package server

import (
	"bytes"
	"fmt"
	"mime"
	"net/http"
	"slices"
	"strings"

	"github.com/craft-cra/craft/internal/inventory"
	"github.com/craft-cra/craft/internal/sbom"
)

// sbomMediaTypes are the content types of the formats sbom.Encode writes.
var sbomMediaTypes = map[sbom.Format]string{
	sbom.CycloneDXJSON: "application/vnd.cyclonedx+json",
	sbom.CycloneDXXML:  "application/vnd.cyclonedx+xml",
	sbom.SPDXJSON:      "application/spdx+json",
}

// productSBOM is GET /api/v1/products/{product}/sbom: one SBOM of the
// product that combines the components of its releases' SBOMs (every
// release with an SBOM, or those named by ?release=V, repeatable), each
// component once, written by sbom.Encode in ?format= cyclonedx-json
// (default), cyclonedx-xml or spdx-json.
func (s *Server) productSBOM(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	format := sbom.Format(q.Get("format"))
	if format == "" {
		format = sbom.CycloneDXJSON
	}
	ct, ok := sbomMediaTypes[format]
	if !ok {
		return badRequest("format must be cyclonedx-json, cyclonedx-xml or spdx-json")
	}
	pid := r.PathValue("product")
	p, err := s.store.GetProduct(r.Context(), pid)
	if err != nil {
		return err
	}
	prof, err := s.store.GetProductProfile(r.Context(), pid)
	if err != nil {
		return err
	}
	rels, err := s.store.ListReleases(r.Context(), pid)
	if err != nil {
		return err
	}
	want := q["release"]
	inv := &inventory.Inventory{Root: p.Name, Source: "sbom"}
	seen := map[string]bool{}
	var used []string
	for _, rel := range rels {
		if rel.SBOM == nil || (len(want) > 0 && !slices.Contains(want, rel.Version)) {
			continue
		}
		used = append(used, rel.Version)
		comps, err := s.store.ListReleaseComponents(r.Context(), rel.ID)
		if err != nil {
			return err
		}
		for _, c := range comps {
			key := c.PURL
			if key == "" {
				key = c.Ecosystem + "/" + c.Name + "@" + c.Version
			}
			if seen[key] {
				continue
			}
			seen[key] = true
			inv.Components = append(inv.Components, inventory.Component{ID: key, Name: c.Name, Version: c.Version,
				Ecosystem: c.Ecosystem, PURL: c.PURL, Licenses: c.Licenses, Supplier: c.Supplier})
		}
	}
	for _, v := range want {
		if !slices.Contains(used, v) {
			return &Error{Status: http.StatusNotFound, Detail: fmt.Sprintf("release %q does not exist or has no SBOM", truncate(v, 128))}
		}
	}
	if len(used) == 0 {
		return &Error{Status: http.StatusNotFound, Detail: "no release of this product has an SBOM yet"}
	}
	slices.SortFunc(inv.Components, func(a, b inventory.Component) int { return strings.Compare(a.ID, b.ID) })
	meta := sbom.Metadata{ProductName: p.Name, ProductVersion: strings.Join(used, ", "),
		ManufacturerName: prof.Manufacturer, ToolName: "craft serve", Timestamp: s.now()}
	if strings.Contains(prof.SecurityContact, "@") && !strings.HasPrefix(prof.SecurityContact, "https://") {
		meta.ManufacturerEmail = prof.SecurityContact
	} else {
		meta.ManufacturerURL = prof.SecurityContact
	}
	var buf bytes.Buffer
	if err := sbom.Encode(&buf, format, inv, meta); err != nil {
		return fmt.Errorf("product sbom: %w", err)
	}
	h := w.Header()
	h.Set("Content-Type", ct)
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{
		"filename": "sbom-product" + map[sbom.Format]string{sbom.CycloneDXJSON: ".cdx.json", sbom.CycloneDXXML: ".cdx.xml", sbom.SPDXJSON: ".spdx.json"}[format]}))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(buf.Bytes())
	return nil
}

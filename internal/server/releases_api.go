package server

import (
	"net/http"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/craft-cra/craft/internal/store"
)

// Audit actions of releases and SBOMs.
const (
	ActReleaseCreate = "release.create"
	ActReleaseDelete = "release.delete"
	ActSBOMUpload    = "sbom.upload"
)

// releaseJSON is a release of a product.
type releaseJSON struct {
	ProductID  string    `json:"product_id"`
	Version    string    `json:"version"`
	ReleasedOn string    `json:"released_on,omitempty"`
	CreatedAt  time.Time `json:"created_at"`
	// SupportStatus is derived from the product's support period:
	// supported, ended, not-started or unknown (no period recorded).
	SupportStatus string    `json:"support_status"`
	SBOM          *sbomJSON `json:"sbom"`
}

// sbomJSON describes a release's stored SBOM.
type sbomJSON struct {
	ContentType string    `json:"content_type"`
	Format      string    `json:"format"`
	SpecVersion string    `json:"spec_version"`
	SHA256      string    `json:"sha256"`
	Size        int64     `json:"size"`
	Components  int64     `json:"components"`
	UploadedAt  time.Time `json:"uploaded_at"`
	UploadedBy  string    `json:"uploaded_by"`
}

func releaseFromStore(r store.Release, prof store.ProductProfile, now time.Time) releaseJSON {
	out := releaseJSON{ProductID: r.ProductID, Version: r.Version, ReleasedOn: r.ReleasedOn, CreatedAt: r.CreatedAt,
		SupportStatus: supportStatus(prof, now)}
	if b := r.SBOM; b != nil {
		out.SBOM = &sbomJSON{ContentType: b.ContentType, Format: b.Format, SpecVersion: b.SpecVersion, SHA256: b.SHA256,
			Size: b.Size, Components: b.Components, UploadedAt: b.UploadedAt, UploadedBy: b.UploadedBy}
	}
	return out
}

// checkVersion validates a release version from a path or body: 1 to 128
// printable characters without spaces or slashes.
func checkVersion(v string) error {
	if v == "" || len(v) > 128 || !utf8.ValidString(v) || v == "." || v == ".." {
		return badRequest("the version must be 1 to 128 characters")
	}
	for _, r := range v {
		if unicode.IsSpace(r) || !unicode.IsPrint(r) || strings.ContainsRune(`/\?#%`, r) {
			return badRequest("the version must not contain spaces, control characters or any of / \\ ? # %%")
		}
	}
	return nil
}

// checkDay validates a release date, "2026-12-04".
func checkDay(d string) error {
	if d == "" {
		return nil
	}
	if _, err := time.Parse(time.DateOnly, d); err != nil || len(d) != 10 {
		return badRequest("released_on must be a date, e.g. \"2026-12-04\"")
	}
	return nil
}

// productProfile returns the profile of the product in the path {product}
// (404 when it does not exist).
func (s *Server) productProfile(r *http.Request) (string, store.ProductProfile, error) {
	id := r.PathValue("product")
	prof, err := s.store.GetProductProfile(r.Context(), id)
	return id, prof, err
}

// releaseCursor is the cursor of the release list: the sort key of the
// last release (created_at in Unix nanoseconds, as stored).
type releaseCursor struct {
	ReleasedOn string `json:"d"`
	CreatedAt  int64  `json:"c"`
	Version    string `json:"v"`
}

// listReleases is GET /api/v1/products/{product}/releases: one page
// (?limit=, ?cursor=) of the product's releases, newest first.
func (s *Server) listReleases(w http.ResponseWriter, r *http.Request) error {
	pr, err := parsePageRequest(r)
	if err != nil {
		return err
	}
	var c releaseCursor
	more, err := pr.Decode(&c)
	if err != nil {
		return err
	}
	id, prof, err := s.productProfile(r)
	if err != nil {
		return err
	}
	var after *store.ReleaseKey
	if more {
		after = &store.ReleaseKey{ReleasedOn: c.ReleasedOn, CreatedAt: time.Unix(0, c.CreatedAt).UTC(), Version: c.Version}
	}
	list, err := s.store.ListReleasesPage(r.Context(), id, after, pr.Limit)
	if err != nil {
		return err
	}
	now := s.now()
	page := newPage(list, pr.Limit, func(rel store.Release) any {
		return releaseCursor{ReleasedOn: rel.ReleasedOn, CreatedAt: rel.CreatedAt.UnixNano(), Version: rel.Version}
	})
	out := Page[releaseJSON]{Items: make([]releaseJSON, 0, len(page.Items)), NextCursor: page.NextCursor}
	for _, rel := range page.Items {
		out.Items = append(out.Items, releaseFromStore(rel, prof, now))
	}
	return writeJSON(w, http.StatusOK, out)
}

type releaseRequest struct {
	Version    string `json:"version"`
	ReleasedOn string `json:"released_on"`
}

// createRelease is POST /api/v1/products/{product}/releases. A missing
// date is today (UTC).
func (s *Server) createRelease(w http.ResponseWriter, r *http.Request) error {
	var req releaseRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	if err := checkVersion(req.Version); err != nil {
		return err
	}
	if err := checkDay(req.ReleasedOn); err != nil {
		return err
	}
	if req.ReleasedOn == "" {
		req.ReleasedOn = s.now().UTC().Format(time.DateOnly)
	}
	id, prof, err := s.productProfile(r)
	if err != nil {
		return err
	}
	rel, err := s.store.CreateRelease(r.Context(), store.Release{ProductID: id, Version: req.Version, ReleasedOn: req.ReleasedOn})
	if err != nil {
		return err
	}
	if err := s.audit(r, ActReleaseCreate, "product:"+id, map[string]string{"version": rel.Version, "released_on": rel.ReleasedOn}); err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, releaseFromStore(rel, prof, s.now()))
}

// getRelease is GET /api/v1/products/{product}/releases/{version}.
func (s *Server) getRelease(w http.ResponseWriter, r *http.Request) error {
	id, prof, err := s.productProfile(r)
	if err != nil {
		return err
	}
	rel, err := s.store.GetRelease(r.Context(), id, r.PathValue("version"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, releaseFromStore(rel, prof, s.now()))
}

// deleteRelease is DELETE /api/v1/products/{product}/releases/{version},
// with its SBOM and components (administrators only: the SBOM is part of
// the technical documentation).
func (s *Server) deleteRelease(w http.ResponseWriter, r *http.Request) error {
	id, version := r.PathValue("product"), r.PathValue("version")
	if err := s.store.DeleteRelease(r.Context(), id, version); err != nil {
		return err
	}
	if err := s.audit(r, ActReleaseDelete, "product:"+id, map[string]string{"version": version}); err != nil {
		return err
	}
	return noContent(w)
}

// componentJSON is one component of a release's SBOM.
type componentJSON struct {
	ID           string   `json:"id"`
	Name         string   `json:"name"`
	Version      string   `json:"version"`
	Ecosystem    string   `json:"ecosystem,omitempty"`
	PURL         string   `json:"purl,omitempty"`
	Relationship string   `json:"relationship,omitempty"`
	Licenses     []string `json:"licenses,omitempty"`
	Supplier     string   `json:"supplier,omitempty"`
}

// componentCursor is the cursor of the component list: the SBOM
// position of the last component.
type componentCursor struct {
	Seq int64 `json:"s"`
}

// maxComponentFilter bounds ?q= and ?ecosystem= of the component list.
const maxComponentFilter = 200

// listComponents is GET /api/v1/products/{product}/releases/{version}/components:
// one page (?limit=, ?cursor=) of the components of the release's SBOM
// in the order internal/sbom reads them (by package URL, else
// name@version; not the document's order), optionally only those whose
// name or purl contains ?q= and of ?ecosystem= (both case-blind).
func (s *Server) listComponents(w http.ResponseWriter, r *http.Request) error {
	pr, err := parsePageRequest(r)
	if err != nil {
		return err
	}
	after := componentCursor{Seq: -1}
	if _, err := pr.Decode(&after); err != nil {
		return err
	}
	q := r.URL.Query()
	query, eco := q.Get("q"), q.Get("ecosystem")
	for _, f := range []struct{ name, v string }{{"q", query}, {"ecosystem", eco}} {
		if len(f.v) > maxComponentFilter || !utf8.ValidString(f.v) || strings.ContainsRune(f.v, 0) {
			return badRequest("%s: want UTF-8 text of at most %d bytes", f.name, maxComponentFilter)
		}
	}
	rel, err := s.store.GetRelease(r.Context(), r.PathValue("product"), r.PathValue("version"))
	if err != nil {
		return err
	}
	list, seqs, err := s.store.ListReleaseComponentsPage(r.Context(), store.ComponentPage{ReleaseID: rel.ID,
		Query: query, Ecosystem: eco, AfterSeq: after.Seq, Limit: pr.Limit})
	if err != nil {
		return err
	}
	type row struct {
		seq int64
		c   store.ReleaseComponent
	}
	rows := make([]row, len(list))
	for i, c := range list {
		rows[i] = row{seq: seqs[i], c: c}
	}
	page := newPage(rows, pr.Limit, func(x row) any { return componentCursor{Seq: x.seq} })
	out := Page[componentJSON]{Items: make([]componentJSON, 0, len(page.Items)), NextCursor: page.NextCursor}
	for _, x := range page.Items {
		c := x.c
		out.Items = append(out.Items, componentJSON{ID: c.ComponentID, Name: c.Name, Version: c.Version, Ecosystem: c.Ecosystem,
			PURL: c.PURL, Relationship: c.Relationship, Licenses: c.Licenses, Supplier: c.Supplier})
	}
	return writeJSON(w, http.StatusOK, out)
}

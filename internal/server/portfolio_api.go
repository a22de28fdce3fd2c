package server

import (
	"context"
	"net/http"
	"net/url"

	"github.com/craft-cra/craft/internal/auth"
	"github.com/craft-cra/craft/internal/store"
)

// componentHitJSON is one release that ships a component.
type componentHitJSON struct {
	ProductID   string `json:"product_id"`
	ProductName string `json:"product_name"`
	Release     string `json:"release"`
	// SupportStatus is the release's support status (supported, ended,
	// not-started or unknown).
	SupportStatus string `json:"support_status"`
	Name          string `json:"name"`
	Version       string `json:"version"`
	PURL          string `json:"purl,omitempty"`
	Ecosystem     string `json:"ecosystem,omitempty"`
	Relationship  string `json:"relationship,omitempty"`
	// URL is the release's page.
	URL string `json:"url"`
	// cursor is the hit's sort key, for the next page's cursor.
	cursor store.ComponentCursor
}

// searchComponents is GET /api/v1/components?name=&version=&purl=&match=:
// the releases of the products the caller may read that ship a component
// (cursor pagination, ordered by product, release and package URL).
func (s *Server) searchComponents(w http.ResponseWriter, r *http.Request) error {
	var (
		q   store.ComponentQuery
		err error
	)
	if q.Name, err = queryParam(r, "name"); err != nil {
		return err
	}
	if q.Version, err = queryParam(r, "version"); err != nil {
		return err
	}
	if q.PURL, err = queryParam(r, "purl"); err != nil {
		return err
	}
	if q.Match, err = choiceParam(r, "match", store.MatchExact, store.MatchContains); err != nil {
		return err
	}
	if q.Name == "" && q.PURL == "" {
		return badRequest("name or purl: give a component name (e.g. name=log4j-core) or a package URL")
	}
	pr, err := parsePageRequest(r)
	if err != nil {
		return err
	}
	pg, err := s.componentPage(r.Context(), PrincipalFrom(r.Context()), q, pr)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, pg)
}

// componentPage runs a component search over the products p may read and
// makes one page of it.
func (s *Server) componentPage(ctx context.Context, p auth.Principal, q store.ComponentQuery, pr PageRequest) (Page[componentHitJSON], error) {
	var after store.ComponentCursor
	ok, err := pr.Decode(&after)
	if err != nil {
		return Page[componentHitJSON]{}, err
	}
	if ok {
		q.After = &after
	}
	products, err := s.readableProducts(ctx, p)
	if err != nil {
		return Page[componentHitJSON]{}, err
	}
	q.ProductIDs = productIDs(products)
	q.Limit = pr.Limit + 1
	hits, err := s.store.SearchComponents(ctx, q)
	if err != nil {
		return Page[componentHitJSON]{}, err
	}
	now := s.now()
	out := make([]componentHitJSON, len(hits))
	for i, h := range hits {
		status := supportStatus(store.ProductProfile{SupportStart: h.SupportStart, SupportEnd: h.SupportEnd}, now)
		out[i] = componentHitJSON{ProductID: h.ProductID, ProductName: h.ProductName, Release: h.Release,
			SupportStatus: status, Name: h.Name, Version: h.Version, PURL: h.PURL, Ecosystem: h.Ecosystem,
			Relationship: h.Relationship,
			URL:          "/products/" + url.PathEscape(h.ProductID) + "/releases/" + url.PathEscape(h.Release),
			cursor:       h.Cursor()}
	}
	return newPage(out, pr.Limit, func(h componentHitJSON) any { return h.cursor }), nil
}

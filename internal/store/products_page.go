package store

import (
	"context"
	"fmt"
)

// ProductPage selects one page of products for ListProductsPage.
type ProductPage struct {
	// All lists every product; otherwise only those of IDs.
	All bool
	IDs []string
	// AfterName is the name of the previous page's last product; "" for
	// the first page. Names are unique.
	AfterName string
	// Limit is the page size (default 100, at most 1000); up to Limit+1
	// products are returned.
	Limit int
}

// ListProductsPage returns up to p.Limit+1 products ordered by name,
// starting after p.AfterName.
func (s *Store) ListProductsPage(ctx context.Context, p ProductPage) ([]Product, error) {
	if !p.All && len(p.IDs) == 0 {
		return nil, nil
	}
	q := `SELECT id, name, created_at FROM products WHERE name > $1`
	args := []any{p.AfterName}
	if !p.All {
		var ph string
		args, ph = inList(args, p.IDs)
		q += ` AND id IN (` + ph + `)`
	}
	args = append(args, pageLimit(p.Limit))
	q += fmt.Sprintf(` ORDER BY name LIMIT $%d`, len(args))
	out, err := s.listProducts(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("store: products page: %w", err)
	}
	return out, nil
}

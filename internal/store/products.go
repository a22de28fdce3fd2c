package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
)

// Product is the unit of tenant isolation: memberships and API token scopes
// name products. Later issues add releases, SBOMs and findings to it.
type Product struct {
	ID        string
	Name      string
	CreatedAt time.Time
}

// CreateProduct stores a product; an empty ID is generated. A taken name
// is ErrConflict.
func (s *Store) CreateProduct(ctx context.Context, p Product) (Product, error) {
	p.Name = strings.TrimSpace(p.Name)
	if p.Name == "" {
		return Product{}, fmt.Errorf("store: create product: %w: empty name", ErrInvalid)
	}
	if p.ID == "" {
		id, err := newID()
		if err != nil {
			return Product{}, fmt.Errorf("store: create product: %w", err)
		}
		p.ID = id
	}
	if p.CreatedAt.IsZero() {
		p.CreatedAt = s.now()
	}
	p.CreatedAt = fromDB(toDB(p.CreatedAt))
	err := s.inTx(ctx, "create product", func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO products (id, name, created_at) VALUES ($1, $2, $3)`,
			p.ID, p.Name, toDB(p.CreatedAt))
		return err
	})
	if err != nil {
		return Product{}, err
	}
	return p, nil
}

// GetProduct returns a product or ErrNotFound.
func (s *Store) GetProduct(ctx context.Context, id string) (Product, error) {
	var (
		p  Product
		at int64
	)
	err := s.q().QueryRowContext(ctx, `SELECT id, name, created_at FROM products WHERE id = $1`, id).Scan(&p.ID, &p.Name, &at)
	if err != nil {
		return Product{}, fmt.Errorf("store: get product: %w", notFound(err))
	}
	p.CreatedAt = fromDB(at)
	return p, nil
}

// ListProducts returns every product ordered by name.
func (s *Store) ListProducts(ctx context.Context) ([]Product, error) {
	return s.listProducts(ctx, `SELECT id, name, created_at FROM products ORDER BY name`)
}

// ListProductsForUser returns the products userID is a member of, ordered
// by name. Global administrators see every product through ListProducts;
// this list is what everyone else may see.
func (s *Store) ListProductsForUser(ctx context.Context, userID string) ([]Product, error) {
	return s.listProducts(ctx, `SELECT p.id, p.name, p.created_at FROM products p
		JOIN memberships m ON m.product_id = p.id WHERE m.user_id = $1 ORDER BY p.name`, userID)
}

func (s *Store) listProducts(ctx context.Context, query string, args ...any) ([]Product, error) {
	rows, err := s.q().QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("store: list products: %w", err)
	}
	defer rows.Close()
	var out []Product
	for rows.Next() {
		var (
			p  Product
			at int64
		)
		if err := rows.Scan(&p.ID, &p.Name, &at); err != nil {
			return nil, fmt.Errorf("store: list products: %w", err)
		}
		p.CreatedAt = fromDB(at)
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: list products: %w", err)
	}
	return out, nil
}

// DeleteProduct removes a product with its memberships and token scopes.
func (s *Store) DeleteProduct(ctx context.Context, id string) error {
	return s.inTx(ctx, "delete product", func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM products WHERE id = $1`, id)
		if err != nil {
			return err
		}
		return affectedOne(res)
	})
}

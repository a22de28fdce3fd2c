package store

import (
	"context"
	"database/sql"
	"sync"
)

// stmtCache is the SQLite read pool with prepared statements kept per
// query text: parsing SQL is about half the cost of a small query in the
// pure-Go SQLite. database/sql re-prepares a statement on each connection
// that needs it. Every query text is a constant of this package (user
// input only ever goes into arguments), so the cache is bounded.
// (PostgreSQL needs no such cache: pgx caches statements per connection.)
type stmtCache struct {
	db *sql.DB
	m  sync.Map // query text → *sql.Stmt
}

func (c *stmtCache) stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	if v, ok := c.m.Load(query); ok {
		return v.(*sql.Stmt), nil
	}
	st, err := c.db.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	if v, loaded := c.m.LoadOrStore(query, st); loaded {
		st.Close()
		return v.(*sql.Stmt), nil
	}
	return st, nil
}

func (c *stmtCache) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return c.db.ExecContext(ctx, query, args...)
}

func (c *stmtCache) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	st, err := c.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(ctx, args...)
}

func (c *stmtCache) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	st, err := c.stmt(ctx, query)
	if err != nil {
		// *sql.Row cannot carry an error of ours; the plain query fails
		// the same way and reports it through Scan.
		return c.db.QueryRowContext(ctx, query, args...)
	}
	return st.QueryRowContext(ctx, args...)
}

// close closes every cached statement.
func (c *stmtCache) close() {
	c.m.Range(func(k, v any) bool {
		v.(*sql.Stmt).Close()
		c.m.Delete(k)
		return true
	})
}

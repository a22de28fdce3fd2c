package store

import (
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
)

var (
	// ErrNotFound means the row asked for does not exist.
	ErrNotFound = errors.New("not found")
	// ErrConflict means a write would break a uniqueness or reference rule
	// (an e-mail address already in use, a membership of a missing user).
	ErrConflict = errors.New("conflict")
	// ErrSchemaTooNew means the database was migrated by a newer craft than
	// this binary; craft never downgrades a schema.
	ErrSchemaTooNew = errors.New("database schema is newer than this craft binary")
	// ErrInvalid means an argument broke a rule the store checks itself
	// (an unknown role, an empty name).
	ErrInvalid = errors.New("invalid argument")
)

// classify maps driver errors for constraint violations to ErrConflict and
// keeps everything else as it is. PostgreSQL reports SQLSTATE 23xxx
// (integrity constraint violation); SQLite's driver has no exported code we
// can rely on across versions, so its messages ("UNIQUE constraint failed",
// "FOREIGN KEY constraint failed") are matched.
func classify(err error) error {
	if err == nil || errors.Is(err, ErrConflict) {
		return err
	}
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		if strings.HasPrefix(pg.Code, "23") {
			return fmt.Errorf("%w: %w", ErrConflict, err)
		}
		return err
	}
	msg := err.Error()
	for _, s := range []string{"UNIQUE constraint failed", "FOREIGN KEY constraint failed", "PRIMARY KEY constraint failed", "CHECK constraint failed"} {
		if strings.Contains(msg, s) {
			return fmt.Errorf("%w: %w", ErrConflict, err)
		}
	}
	return err
}

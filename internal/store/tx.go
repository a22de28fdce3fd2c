package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// querier is what both *sql.DB and *sql.Tx offer; the per-table functions
// take it so that they run alone or inside a larger transaction.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// txState is the transaction of an InTx call.
type txState struct {
	tx *sql.Tx
	// failed is set when an operation inside the transaction fails, so
	// that InTx never commits its half, even if the caller ignored the
	// error.
	failed bool
}

// q is where reads go: the read pool, or the transaction inside InTx.
func (s *Store) q() querier {
	if s.tx != nil {
		return s.tx.tx
	}
	return s.reads
}

// InTx runs f in one write transaction and commits when f returns nil. The
// *Store that f receives runs every method (reads too) in that
// transaction, so several changes and their audit events are stored
// together or not at all:
//
//	err := s.InTx(ctx, func(tx *store.Store) error {
//		if _, err := tx.UpdateUser(ctx, u); err != nil {
//			return err
//		}
//		if _, err := tx.DeleteUserSessions(ctx, u.ID, ""); err != nil {
//			return err
//		}
//		_, err := tx.AppendAudit(ctx, store.Event{Actor: actor, Action: "role.change", Target: "user:" + u.ID})
//		return err
//	})
//
// If any method inside fails, the transaction is rolled back even when f
// returns nil. The transaction's Store must not be used after f returns
// nor from several goroutines. Calling InTx on it runs f in the same
// transaction. Keep f short: on SQLite it holds the only write lock.
func (s *Store) InTx(ctx context.Context, f func(tx *Store) error) error {
	if s.tx != nil {
		return f(s)
	}
	sqlTx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: begin: %w", err)
	}
	txs := *s
	txs.tx = &txState{tx: sqlTx}
	err = f(&txs)
	if err == nil && txs.tx.failed {
		err = errors.New("store: an operation in the transaction failed; rolled back")
	}
	if err != nil {
		if rbErr := sqlTx.Rollback(); rbErr != nil && !errors.Is(rbErr, sql.ErrTxDone) {
			err = errors.Join(err, fmt.Errorf("store: rollback: %w", rbErr))
		}
		return err
	}
	if err := sqlTx.Commit(); err != nil {
		return fmt.Errorf("store: commit: %w", classify(err))
	}
	return nil
}

// inTx runs f in one write transaction: committed when f returns nil,
// rolled back otherwise, so a failed operation leaves nothing behind. On
// SQLite the transaction begins IMMEDIATE on the single writer connection,
// which serialises writers in this process and across processes. Inside
// InTx, f joins the caller's transaction.
func (s *Store) inTx(ctx context.Context, what string, f func(tx *sql.Tx) error) error {
	if s.tx != nil {
		if err := f(s.tx.tx); err != nil {
			// ErrNotFound comes from a statement that changed nothing;
			// anything else may have written part of the operation (and
			// on PostgreSQL has aborted the transaction).
			if !errors.Is(err, ErrNotFound) {
				s.tx.failed = true
			}
			return fmt.Errorf("store: %s: %w", what, classify(err))
		}
		return nil
	}
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: %s: begin: %w", what, err)
	}
	if err := f(tx); err != nil {
		if rbErr := tx.Rollback(); rbErr != nil && !errors.Is(rbErr, sql.ErrTxDone) {
			err = errors.Join(err, fmt.Errorf("rollback: %w", rbErr))
		}
		return fmt.Errorf("store: %s: %w", what, classify(err))
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: %s: commit: %w", what, classify(err))
	}
	return nil
}

// affectedOne turns "no row changed" into ErrNotFound.
func affectedOne(res sql.Result) error {
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("rows affected: %w", err)
	}
	if n == 0 {
		return ErrNotFound
	}
	return nil
}

// notFound turns sql.ErrNoRows into ErrNotFound.
func notFound(err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNotFound
	}
	return err
}

// readSnapshot runs f in a read transaction that sees one snapshot of the
// database: a deferred transaction on the SQLite read pool (WAL keeps its
// snapshot from the first read), REPEATABLE READ on PostgreSQL. Inside
// InTx, f runs in the caller's transaction.
func (s *Store) readSnapshot(ctx context.Context, f func(q querier) error) error {
	if s.tx != nil {
		return f(s.tx.tx)
	}
	var opts *sql.TxOptions
	if s.driver == DriverPostgres {
		opts = &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true}
	}
	tx, err := s.read.BeginTx(ctx, opts)
	if err != nil {
		return fmt.Errorf("begin read: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // read-only: nothing to undo
	return f(tx)
}

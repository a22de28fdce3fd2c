package advisory

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// outcome of storing one record.
type outcome int

const (
	outcomeImported  outcome = iota // new ID
	outcomeUpdated                  // newer modified than the stored one
	outcomeUnchanged                // older than or equal to the stored one
)

// preparedRecord is a validated OSV record ready to store.
type preparedRecord struct {
	id        string
	modified  time.Time
	withdrawn bool
	keys      [][2]string // (base ecosystem, normalised name)
	blob      []byte      // compressed compact JSON
}

// writer stores records inside one transaction.
type writer struct {
	changed                                 bool // the affected index changed: rebuild the name filter
	tx                                      *sql.Tx
	sel, ins, upd, delAffected, insAffected *sql.Stmt
	selData, selAffected                    *sql.Stmt
	changes                                 Changes // what this unit changed for matching
}

func (s *Store) beginWrite(ctx context.Context) (*writer, error) {
	if s.readOnly {
		return nil, errors.New("database is open read-only")
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("begin transaction: %w", err)
	}
	w := &writer{tx: tx}
	prep := func(q string) *sql.Stmt {
		if err != nil {
			return nil
		}
		var st *sql.Stmt
		st, err = tx.PrepareContext(ctx, q)
		return st
	}
	w.sel = prep(`SELECT rid, modified FROM records WHERE id = ?`)
	w.selData = prep(`SELECT data FROM records WHERE rid = ?`)
	w.selAffected = prep(`SELECT key FROM affected WHERE rid = ?`)
	w.ins = prep(`INSERT INTO records(id, modified, withdrawn, origin, data) VALUES (?, ?, ?, ?, ?)`)
	w.upd = prep(`UPDATE records SET modified = ?, withdrawn = ?, origin = ?, data = ? WHERE rid = ?`)
	w.delAffected = prep(`DELETE FROM affected WHERE rid = ?`)
	w.insAffected = prep(`INSERT OR IGNORE INTO affected(key, rid, ecosystem) VALUES (?, ?, ?)`)
	if err != nil {
		tx.Rollback()
		return nil, fmt.Errorf("prepare statements: %w", err)
	}
	return w, nil
}

// rollback abandons the transaction; the database keeps its prior state.
func (w *writer) rollback() { w.tx.Rollback() }

func (w *writer) commit(ctx context.Context, now time.Time) error {
	if w.changed {
		if err := rebuildBloom(ctx, w.tx); err != nil {
			w.tx.Rollback()
			return err
		}
	}
	if err := setMeta(ctx, w.tx, "last_updated", now.UTC().Format(time.RFC3339Nano)); err != nil {
		w.tx.Rollback()
		return err
	}
	if err := w.tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// put stores r unless the database holds the same ID with a modified time
// at or after r's. Records without a modified time (the zero time, as in
// copies from golang/vulndb's repository) cannot say they are newer, so for
// them equal means "compare the content": a corrected record dropped into an
// import folder is not ignored.
func (w *writer) put(ctx context.Context, r *preparedRecord, origin string) (outcome, error) {
	mod := r.modified.UnixMicro()
	withdrawn := 0
	if r.withdrawn {
		withdrawn = 1
	}
	var rid, stored int64
	err := w.sel.QueryRowContext(ctx, r.id).Scan(&rid, &stored)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		res, err := w.ins.ExecContext(ctx, r.id, mod, withdrawn, origin, r.blob)
		if err != nil {
			return 0, fmt.Errorf("insert %s: %w", r.id, err)
		}
		rid, err = res.LastInsertId()
		if err != nil {
			return 0, fmt.Errorf("insert %s: %w", r.id, err)
		}
		if err := w.index(ctx, r, rid); err != nil {
			return 0, err
		}
		return outcomeImported, nil
	case err != nil:
		return 0, fmt.Errorf("read %s: %w", r.id, err)
	}
	if mod < stored || (mod == stored && !r.modified.IsZero()) {
		return outcomeUnchanged, nil
	}
	if mod == stored {
		var data []byte
		if err := w.selData.QueryRowContext(ctx, rid).Scan(&data); err != nil {
			return 0, fmt.Errorf("read %s: %w", r.id, err)
		}
		if bytes.Equal(data, r.blob) {
			return outcomeUnchanged, nil
		}
	}
	if _, err := w.upd.ExecContext(ctx, mod, withdrawn, origin, r.blob, rid); err != nil {
		return 0, fmt.Errorf("update %s: %w", r.id, err)
	}
	if err := w.addStoredKeys(ctx, rid); err != nil {
		return 0, err
	}
	if _, err := w.delAffected.ExecContext(ctx, rid); err != nil {
		return 0, fmt.Errorf("update %s: %w", r.id, err)
	}
	w.changed = true
	if err := w.index(ctx, r, rid); err != nil {
		return 0, err
	}
	return outcomeUpdated, nil
}

// index adds the lookup rows of a record; withdrawn records get none, so
// the matcher never sees them.
func (w *writer) index(ctx context.Context, r *preparedRecord, rid int64) error {
	if r.withdrawn {
		return nil
	}
	w.changed = true
	for _, k := range r.keys {
		w.changes.addPackage(nameKey(k[0], k[1]))
		if _, err := w.insAffected.ExecContext(ctx, nameKey(k[0], k[1]), rid, k[0]); err != nil {
			return fmt.Errorf("index %s: %w", r.id, err)
		}
	}
	return nil
}

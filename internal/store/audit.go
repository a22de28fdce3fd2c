package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// Event is one entry of the audit log: who (Actor, e.g. "user:<id>",
// "token:<id>", "system"), did what (Action, e.g. "login.failed",
// "role.change"), to what (Target), from where (SourceIP), when (At) and
// small facts about it (Detail).
//
// The audit log must never receive passwords, tokens (or their hashes),
// MFA secrets, recovery codes or the content of vulnerability reports: it
// is read and exported by administrators and kept forever. Keeping them
// out is the caller's duty; FindSecretLike helps tests check it.
type Event struct {
	Seq      int64 // assigned by AppendAudit
	At       time.Time
	Actor    string
	Action   string
	Target   string
	SourceIP string
	Detail   map[string]string
	PrevHash string // assigned by AppendAudit
	Hash     string // assigned by AppendAudit
}

// AppendAudit adds e to the end of the chain and returns it with Seq,
// PrevHash and Hash set (a zero At becomes now). Appends are serialised, so
// the chain never forks: on SQLite by the single writer connection and
// BEGIN IMMEDIATE (which also locks out other processes), on PostgreSQL by
// SELECT ... FOR UPDATE on the chain-head row, which holds across
// processes until the transaction ends.
func (s *Store) AppendAudit(ctx context.Context, e Event) (Event, error) {
	if strings.TrimSpace(e.Action) == "" || strings.TrimSpace(e.Actor) == "" {
		return Event{}, fmt.Errorf("store: append audit: %w: event needs an actor and an action", ErrInvalid)
	}
	if e.At.IsZero() {
		e.At = s.now()
	}
	e.At = fromDB(toDB(e.At))
	detail, err := encodeDetail(e.Detail)
	if err != nil {
		return Event{}, fmt.Errorf("store: append audit: detail: %w", err)
	}
	err = s.inTx(ctx, "append audit", func(tx *sql.Tx) error {
		head := `SELECT seq, hash FROM audit_head WHERE id = 1`
		if s.driver == DriverPostgres {
			head += ` FOR UPDATE`
		}
		var prevSeq int64
		if err := tx.QueryRowContext(ctx, head).Scan(&prevSeq, &e.PrevHash); err != nil {
			return fmt.Errorf("read chain head: %w", err)
		}
		e.Seq = prevSeq + 1
		e.Hash = auditHash(e.Seq, toDB(e.At), e.Actor, e.Action, e.Target, e.SourceIP, detail, e.PrevHash)
		if _, err := tx.ExecContext(ctx, `INSERT INTO audit_log (seq, at, actor, action, target, source_ip, detail, prev_hash, hash)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
			e.Seq, toDB(e.At), e.Actor, e.Action, e.Target, e.SourceIP, detail, e.PrevHash, e.Hash); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1 AND seq = $3`, e.Seq, e.Hash, prevSeq)
		if err != nil {
			return err
		}
		if err := affectedOne(res); err != nil {
			return fmt.Errorf("chain head moved during append: %w", ErrConflict)
		}
		return nil
	})
	if err != nil {
		return Event{}, err
	}
	return e, nil
}

// AuditFilter selects events for ListAudit. Zero fields do not filter.
type AuditFilter struct {
	Actor    string
	Action   string
	Target   string
	Since    time.Time // At >= Since
	Until    time.Time // At < Until
	AfterSeq int64     // Seq > AfterSeq (for paging forward)
	Limit    int       // 0: 100; at most 10000
	Newest   bool      // newest first instead of oldest first
}

// ListAudit returns events matching f.
func (s *Store) ListAudit(ctx context.Context, f AuditFilter) ([]Event, error) {
	var (
		where []string
		args  []any
	)
	add := func(cond string, v any) {
		args = append(args, v)
		where = append(where, fmt.Sprintf(cond, len(args)))
	}
	if f.Actor != "" {
		add("actor = $%d", f.Actor)
	}
	if f.Action != "" {
		add("action = $%d", f.Action)
	}
	if f.Target != "" {
		add("target = $%d", f.Target)
	}
	if !f.Since.IsZero() {
		add("at >= $%d", toDB(f.Since))
	}
	if !f.Until.IsZero() {
		add("at < $%d", toDB(f.Until))
	}
	if f.AfterSeq > 0 {
		add("seq > $%d", f.AfterSeq)
	}
	q := `SELECT seq, at, actor, action, target, source_ip, detail, prev_hash, hash FROM audit_log`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	if f.Newest {
		q += " ORDER BY seq DESC"
	} else {
		q += " ORDER BY seq"
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 100
	}
	limit = min(limit, 10000)
	args = append(args, limit)
	q += fmt.Sprintf(" LIMIT $%d", len(args))
	rows, err := s.q().QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("store: list audit: %w", err)
	}
	defer rows.Close()
	var out []Event
	for rows.Next() {
		var (
			e      Event
			at     int64
			detail string
		)
		if err := rows.Scan(&e.Seq, &at, &e.Actor, &e.Action, &e.Target, &e.SourceIP, &detail, &e.PrevHash, &e.Hash); err != nil {
			return nil, fmt.Errorf("store: list audit: %w", err)
		}
		e.At = fromDB(at)
		if detail != "{}" {
			if err := json.Unmarshal([]byte(detail), &e.Detail); err != nil {
				return nil, fmt.Errorf("store: list audit: event %d: detail: %w", e.Seq, err)
			}
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: list audit: %w", err)
	}
	return out, nil
}

package server

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/craft-cra/craft/internal/store"
)

// maxAuditPage bounds one page of GET /api/v1/audit.
const maxAuditPage = 1000

type auditPage struct {
	Events []eventJSON `json:"events"`
	// NextAfter, when set, is the after= of the next page (oldest-first
	// order only).
	NextAfter int64 `json:"next_after,omitempty"`
}

// auditFilter reads the query of the audit routes: actor, action, target,
// since and until (RFC 3339), after (seq), limit, order=newest.
func auditFilter(r *http.Request) (store.AuditFilter, error) {
	q := r.URL.Query()
	f := store.AuditFilter{Actor: q.Get("actor"), Action: q.Get("action"), Target: q.Get("target")}
	for _, x := range []struct {
		name string
		dst  *time.Time
	}{{"since", &f.Since}, {"until", &f.Until}} {
		if v := q.Get(x.name); v != "" {
			t, err := time.Parse(time.RFC3339, v)
			if err != nil {
				return f, badRequest("%s must be an RFC 3339 time", x.name)
			}
			*x.dst = t
		}
	}
	if v := q.Get("after"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			return f, badRequest("after must be a sequence number")
		}
		f.AfterSeq = n
	}
	f.Limit = 100
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxAuditPage {
			return f, badRequest("limit must be between 1 and %d", maxAuditPage)
		}
		f.Limit = n
	}
	switch q.Get("order") {
	case "", "oldest":
	case "newest":
		f.Newest = true
	default:
		return f, badRequest("order must be oldest or newest")
	}
	return f, nil
}

// listAudit is GET /api/v1/audit: one page of events.
func (s *Server) listAudit(w http.ResponseWriter, r *http.Request) error {
	f, err := auditFilter(r)
	if err != nil {
		return err
	}
	events, err := s.store.ListAudit(r.Context(), f)
	if err != nil {
		return err
	}
	page := auditPage{Events: make([]eventJSON, 0, len(events))}
	for _, e := range events {
		page.Events = append(page.Events, eventFromStore(e))
	}
	if !f.Newest && len(events) == f.Limit {
		page.NextAfter = events[len(events)-1].Seq
	}
	return writeJSON(w, http.StatusOK, page)
}

// exportAudit is GET /api/v1/audit/export: every matching event as JSON
// lines, oldest first. The export itself is audited first.
func (s *Server) exportAudit(w http.ResponseWriter, r *http.Request) error {
	f, err := auditFilter(r)
	if err != nil {
		return err
	}
	f.Newest = false
	f.Limit = maxAuditPage
	if err := s.audit(r, ActAuditExport, "audit", map[string]string{"action_filter": f.Action, "actor_filter": f.Actor}); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/x-ndjson")
	w.Header().Set("Content-Disposition", `attachment; filename="craft-audit.jsonl"`)
	enc := json.NewEncoder(w)
	for {
		events, err := s.store.ListAudit(r.Context(), f)
		if err != nil {
			// Headers may be out already: end the stream; the missing
			// tail shows as a gap in seq to whoever checks it.
			if !headerWritten(w) {
				return err
			}
			s.log.ErrorContext(r.Context(), "audit export failed", "request_id", RequestID(r.Context()), "error", err.Error())
			return nil
		}
		for _, e := range events {
			if err := enc.Encode(eventFromStore(e)); err != nil {
				return nil // the client went away
			}
		}
		if len(events) < f.Limit {
			return nil
		}
		f.AfterSeq = events[len(events)-1].Seq
	}
}

// headerWritten reports whether the response has started.
func headerWritten(w http.ResponseWriter) bool {
	for {
		if sw, ok := w.(*statusWriter); ok {
			return sw.status != 0
		}
		u, ok := w.(interface{ Unwrap() http.ResponseWriter })
		if !ok {
			return false
		}
		w = u.Unwrap()
	}
}

type verifyResponse struct {
	OK          bool   `json:"ok"`
	Count       int64  `json:"count"`
	HeadSeq     int64  `json:"head_seq"`
	HeadHash    string `json:"head_hash"`
	FirstBadSeq int64  `json:"first_bad_seq,omitempty"`
	Reason      string `json:"reason,omitempty"`
}

// verifyAudit is GET /api/v1/audit/verify: recomputes the chain.
func (s *Server) verifyAudit(w http.ResponseWriter, r *http.Request) error {
	res, err := s.store.VerifyAudit(r.Context())
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, verifyResponse{OK: res.OK, Count: res.Count, HeadSeq: res.HeadSeq,
		HeadHash: res.HeadHash, FirstBadSeq: res.FirstBadSeq, Reason: res.Reason})
}

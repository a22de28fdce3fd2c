package server

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/craft-cra/craft/internal/store"
)

// ActFindingTriage is the audit action of one stored triage decision. Its
// detail names the release, vulnerability, component, old and new status,
// justification, scope and channel (api, web, vex); never the comment or
// action statement, which may describe an unfixed weakness in detail and
// stay in the product-scoped triage history instead.
const ActFindingTriage = "finding.triage"

// triageFindingRef names one finding in a triage request.
type triageFindingRef struct {
	VulnID    string `json:"vuln_id"`
	Component string `json:"component"`
}

// triageRequestJSON is the body of POST .../triage.
type triageRequestJSON struct {
	Findings        []triageFindingRef `json:"findings"`
	Status          string             `json:"status"`
	Justification   string             `json:"justification"`
	ActionStatement string             `json:"action_statement"`
	Comment         string             `json:"comment"`
	Scope           string             `json:"scope"`
}

// triageResultJSON is one stored decision.
type triageResultJSON struct {
	VulnID    string `json:"vuln_id"`
	Component string `json:"component"`
	Release   string `json:"release"`
	From      string `json:"from"`
	Status    string `json:"status"`
}

type triageResponseJSON struct {
	Results []triageResultJSON `json:"results"`
}

// triage stores entries for release version of product in one transaction
// together with one audit event per stored decision. via names the
// channel in the audit detail.
func (s *Server) triage(r *http.Request, productID, version, scope, via string, entries []store.TriageEntry) ([]store.TriageOutcome, error) {
	ctx := r.Context()
	rel, err := s.store.GetRelease(ctx, productID, version)
	if err != nil {
		return nil, err
	}
	if scope == "" {
		scope = store.ScopeRelease
	}
	actor := actorOf(r)
	var outs []store.TriageOutcome
	err = s.store.InTx(ctx, func(tx *store.Store) error {
		var err error
		outs, err = tx.Triage(ctx, store.TriageRequest{ProductID: productID, ReleaseID: rel.ID, Scope: scope,
			Actor: actor, Entries: entries})
		if err != nil {
			return err
		}
		for _, o := range outs {
			d := map[string]string{"product": productID, "release": o.Version, "vulnerability": o.VulnID,
				"component": o.ComponentKey, "from": o.From, "to": o.To, "scope": scope, "via": via}
			if j := entries[o.Index].Justification; j != "" {
				d["justification"] = j
			}
			if id := RequestID(ctx); id != "" {
				d["request_id"] = id
			}
			if _, err := tx.AppendAudit(ctx, store.Event{At: s.now(), Actor: actor, Action: ActFindingTriage,
				Target: "product:" + productID, SourceIP: ClientIP(r), Detail: d}); err != nil {
				return fmt.Errorf("audit %s: %w", ActFindingTriage, err)
			}
		}
		return nil
	})
	if err != nil {
		return nil, triageError(err)
	}
	for range outs {
		s.m.audit.Inc()
	}
	return outs, nil
}

// triageError turns a refused entry into a 422 naming it; other errors
// pass through (a missing release is 404).
func triageError(err error) error {
	var te *store.TriageEntryError
	if errors.As(err, &te) {
		msg := te.Err.Error()
		msg = strings.TrimPrefix(msg, store.ErrInvalid.Error()+": ")
		msg = strings.TrimPrefix(msg, store.ErrNotFound.Error()+": ")
		return &Error{Status: http.StatusUnprocessableEntity, Detail: fmt.Sprintf("findings[%d]: %s", te.Index, msg), Err: err}
	}
	if errors.Is(err, store.ErrInvalid) {
		msg := err.Error()
		if i := strings.Index(msg, store.ErrInvalid.Error()+": "); i >= 0 {
			msg = msg[i+len(store.ErrInvalid.Error())+2:]
		}
		return &Error{Status: http.StatusUnprocessableEntity, Detail: msg, Err: err}
	}
	return err
}

// postTriage is POST /api/v1/products/{product}/releases/{version}/triage:
// one status for many findings, atomically.
func (s *Server) postTriage(w http.ResponseWriter, r *http.Request) error {
	var in triageRequestJSON
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	switch in.Scope {
	case "", store.ScopeRelease, store.ScopeAllReleases:
	default:
		return &Error{Status: http.StatusUnprocessableEntity, Detail: fmt.Sprintf("scope: %q is not release or all_releases", shorten(in.Scope, 40))}
	}
	if len(in.Findings) == 0 {
		return &Error{Status: http.StatusUnprocessableEntity, Detail: "findings: name at least one finding (vuln_id and component)"}
	}
	entries := make([]store.TriageEntry, len(in.Findings))
	for i, f := range in.Findings {
		entries[i] = store.TriageEntry{VulnID: f.VulnID, ComponentKey: f.Component, Status: in.Status,
			Justification: in.Justification, ActionStatement: in.ActionStatement, Comment: in.Comment}
	}
	outs, err := s.triage(r, r.PathValue("product"), r.PathValue("version"), in.Scope, "api", entries)
	if err != nil {
		return err
	}
	res := triageResponseJSON{Results: make([]triageResultJSON, 0, len(outs))}
	for _, o := range outs {
		res.Results = append(res.Results, triageResultJSON{VulnID: o.VulnID, Component: o.ComponentKey,
			Release: o.Version, From: o.From, Status: o.To})
	}
	return writeJSON(w, http.StatusOK, res)
}

// triageHistoryJSON is one change of a decision.
type triageHistoryJSON struct {
	Actor string `json:"actor"`
	// ActorEmail is the e-mail address of the user Actor names; absent
	// for tokens and users that no longer exist.
	ActorEmail      string    `json:"actor_email,omitempty"`
	At              time.Time `json:"at"`
	From            string    `json:"from"`
	To              string    `json:"to"`
	Justification   string    `json:"justification,omitempty"`
	ActionStatement string    `json:"action_statement,omitempty"`
	Comment         string    `json:"comment"`
}

// findingHistory is GET .../findings/{vuln}/history?component=KEY: every
// change of the decision on the finding, oldest first.
func (s *Server) findingHistory(w http.ResponseWriter, r *http.Request) error {
	key := r.URL.Query().Get("component")
	if key == "" {
		return badRequest("component: give the component key (its purl, else ecosystem/name@version)")
	}
	h, err := s.loadFindingHistory(r, key)
	if err != nil {
		return err
	}
	if _, err := s.fillHistoryActors(r.Context(), h); err != nil {
		return err
	}
	out := struct {
		VulnID    string              `json:"vuln_id"`
		Component string              `json:"component"`
		History   []triageHistoryJSON `json:"history"`
	}{VulnID: r.PathValue("vuln"), Component: key, History: h}
	return writeJSON(w, http.StatusOK, out)
}

func (s *Server) loadFindingHistory(r *http.Request, key string) ([]triageHistoryJSON, error) {
	rel, err := s.store.GetRelease(r.Context(), r.PathValue("product"), r.PathValue("version"))
	if err != nil {
		return nil, err
	}
	hs, err := s.store.TriageHistory(r.Context(), rel.ID, r.PathValue("vuln"), key)
	if err != nil {
		return nil, err
	}
	out := make([]triageHistoryJSON, 0, len(hs))
	for _, h := range hs {
		out = append(out, triageHistoryJSON{Actor: h.Actor, At: h.At, From: h.From, To: h.To,
			Justification: h.Justification, ActionStatement: h.ActionStatement, Comment: h.Comment})
	}
	return out, nil
}

// fillHistoryActors sets ActorEmail on h with one user query, which also
// resolves the extra actors; it returns the names for them.
func (s *Server) fillHistoryActors(ctx context.Context, h []triageHistoryJSON, extra ...string) (actorEmails, error) {
	actors := extra
	for _, e := range h {
		actors = append(actors, e.Actor)
	}
	names, err := s.resolveActors(ctx, actors...)
	if err != nil {
		return nil, err
	}
	for i := range h {
		h[i].ActorEmail = names.email(h[i].Actor)
	}
	return names, nil
}

package server

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/craft-cra/craft/internal/store"
)

// SettingActivityLog names the operator's switch for the optional activity
// log: one JSON log line per request (who, what route, from where). CRA
// Annex I (2)(l) asks for an opt-out of such monitoring. The audit chain is
// not optional and has no switch.
const SettingActivityLog = "activity_log"

type settingsJSON struct {
	ActivityLog *bool `json:"activity_log,omitempty"`
}

// getSettings is GET /api/v1/settings.
func (s *Server) getSettings(w http.ResponseWriter, r *http.Request) error {
	on := s.activityLog.Load()
	return writeJSON(w, http.StatusOK, settingsJSON{ActivityLog: &on})
}

// updateSettings is PATCH /api/v1/settings. Every change is audited.
func (s *Server) updateSettings(w http.ResponseWriter, r *http.Request) error {
	var req settingsJSON
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	if req.ActivityLog != nil {
		v := boolString(*req.ActivityLog)
		err := s.store.InTx(r.Context(), func(tx *store.Store) error {
			if err := tx.SetSetting(r.Context(), SettingActivityLog, v); err != nil {
				return err
			}
			_, err := tx.AppendAudit(r.Context(), store.Event{At: s.now(), Actor: actorOf(r), Action: ActSettingChange,
				Target: "setting:" + SettingActivityLog, SourceIP: ClientIP(r),
				Detail: map[string]string{"value": v, "request_id": RequestID(r.Context())}})
			return err
		})
		if err != nil {
			return err
		}
		s.m.audit.Inc()
		s.activityLog.Store(*req.ActivityLog)
	}
	return s.getSettings(w, r)
}

// LoadSettings reads the settings the server caches (the activity-log
// switch). It runs at start and periodically, so a change made through
// another process on the same PostgreSQL applies here too.
func (s *Server) LoadSettings(ctx context.Context) error {
	v, err := s.store.GetSetting(ctx, SettingActivityLog)
	switch {
	case errors.Is(err, store.ErrNotFound):
		s.activityLog.Store(true)
	case err != nil:
		return fmt.Errorf("server: settings: %w", err)
	default:
		s.activityLog.Store(v != "false")
	}
	return nil
}

package server

import (
	"net/http"
	"time"
)

// article14Flag marks a KEV-listed finding in a release in support.
const article14Flag = "actively exploited — Article 14 reporting may apply"

type findingComponentJSON struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	Version   string `json:"version"`
	Ecosystem string `json:"ecosystem,omitempty"`
	PURL      string `json:"purl,omitempty"`
}

type findingSeverityJSON struct {
	Level string  `json:"level"`
	Score float64 `json:"score,omitempty"`
}

type findingJSON struct {
	ID                string               `json:"id"`
	Aliases           []string             `json:"aliases"`
	Component         findingComponentJSON `json:"component"`
	Severity          findingSeverityJSON  `json:"severity"`
	MinimumFix        string               `json:"minimum_fix,omitempty"`
	KEVDateAdded      string               `json:"kev_date_added,omitempty"`
	ActivelyExploited bool                 `json:"actively_exploited"`
	// Flag is article14Flag for a KEV-listed finding in a release in
	// support; "" otherwise.
	Flag      string    `json:"flag,omitempty"`
	Status    string    `json:"status"`
	FirstSeen time.Time `json:"first_seen"`
	LastSeen  time.Time `json:"last_seen"`
}

type findingsJSON struct {
	ProductID     string        `json:"product_id"`
	Version       string        `json:"version"`
	SupportStatus string        `json:"support_status"`
	Findings      []findingJSON `json:"findings"`
}

// listFindings is GET /api/v1/products/{product}/releases/{version}/findings:
// the release's current findings as the last re-match stored them, KEV
// first, then by severity.
func (s *Server) listFindings(w http.ResponseWriter, r *http.Request) error {
	id, prof, err := s.productProfile(r)
	if err != nil {
		return err
	}
	rel, err := s.store.GetRelease(r.Context(), id, r.PathValue("version"))
	if err != nil {
		return err
	}
	fs, err := s.store.ListReleaseFindings(r.Context(), rel.ID)
	if err != nil {
		return err
	}
	status := supportStatus(prof, s.now())
	out := findingsJSON{ProductID: id, Version: rel.Version, SupportStatus: status, Findings: make([]findingJSON, 0, len(fs))}
	for _, f := range fs {
		fj := findingJSON{ID: f.VulnID, Aliases: f.Aliases,
			Component: findingComponentJSON{ID: f.ComponentID, Name: f.ComponentName, Version: f.ComponentVersion,
				Ecosystem: f.Ecosystem, PURL: f.ComponentPURL},
			Severity:   findingSeverityJSON{Level: f.SeverityLevel, Score: float64(f.SeverityScore) / 10},
			MinimumFix: f.MinimumFix, KEVDateAdded: f.KEVDateAdded, ActivelyExploited: f.KEVDateAdded != "",
			Status: f.Status, FirstSeen: f.FirstSeen, LastSeen: f.LastSeen}
		if fj.Aliases == nil {
			fj.Aliases = []string{}
		}
		if fj.ActivelyExploited && inSupport(status) {
			fj.Flag = article14Flag
		}
		out.Findings = append(out.Findings, fj)
	}
	return writeJSON(w, http.StatusOK, out)
}

package server

import (
	"context"
	"strings"

	"github.com/craft-cra/craft/internal/cases"
	"github.com/craft-cra/craft/internal/csaf"
	"github.com/craft-cra/craft/internal/store"
)

// The reporter's view of a case (docs/cases.md, "What the reporter sees"):
// a report's state follows the state of the case made from it, mapped to
// words a reporter understands, and once the case's advisory is public
// (TLP:WHITE, published) the status page and API link to it. Nothing else
// of the case (CVSS, notes, clocks, officers) reaches the reporter.

// Reporter-facing report states. A report is "new" (shown as received)
// until its case leaves the state new.
const (
	ReportNew           = "new"
	ReportTriaged       = "triaged"
	ReportConfirmed     = "confirmed"
	ReportFixInProgress = "fix_in_progress"
	ReportFixed         = "fixed"
	ReportDisclosed     = "disclosed"
	ReportNotVulnerable = "not_a_vulnerability"
	ReportDuplicate     = "duplicate"
)

// reporterState maps a case state to the report state; "" for a state it
// does not know, which leaves the report's state as it is.
func reporterState(st cases.State) string {
	switch st {
	case cases.StateNew:
		return ReportNew
	case cases.StateTriage:
		return ReportTriaged
	case cases.StateConfirmed:
		return ReportConfirmed
	case cases.StateFixInProgress:
		return ReportFixInProgress
	case cases.StateFixed:
		return ReportFixed
	case cases.StateDisclosed:
		return ReportDisclosed
	case cases.StateNotVulnerability:
		return ReportNotVulnerable
	case cases.StateDuplicate:
		return ReportDuplicate
	}
	return ""
}

// reporterStateLabel is a report state in words: "fix_in_progress" reads
// "fix in progress", "new" reads "received".
func reporterStateLabel(state string) string {
	if state == ReportNew || state == "" {
		return "received"
	}
	return strings.ReplaceAll(state, "_", " ")
}

// updateCaseAndReport stores cs with its history event and, when the case
// was made from a report, sets the report's state from the case's, in the
// caller's transaction tx. It is the one place case changes are stored
// (caseHandlers.update), so every transition reaches the reporter.
func updateCaseAndReport(ctx context.Context, tx *store.Store, cs store.Case, ev store.CaseEvent) (store.Case, error) {
	out, err := tx.UpdateCase(ctx, cs, ev)
	if err != nil || cs.ReportID == "" {
		return out, err
	}
	if st := reporterState(cases.State(cs.State)); st != "" {
		if err := tx.SetReportState(ctx, cs.ReportID, st); err != nil {
			return store.Case{}, err
		}
	}
	return out, nil
}

// reportAdvisoryURL is the path of the public page of the advisory of the
// case made from the report, "" while there is none published as
// TLP:WHITE.
func (s *Server) reportAdvisoryURL(ctx context.Context, rep store.Report) (string, error) {
	ref, err := s.store.ReportCaseReference(ctx, rep.ID)
	if err != nil || ref == "" {
		return "", err
	}
	advs, err := s.store.ListCaseAdvisories(ctx, ref)
	if err != nil {
		return "", err
	}
	for _, a := range advs {
		if !a.PublishedAt.IsZero() && a.TLP == csaf.TLPWhite {
			return "/advisories/" + strings.TrimSuffix(a.Filename, ".json"), nil
		}
	}
	return "", nil
}

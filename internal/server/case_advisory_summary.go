package server

import (
	"strings"

	"github.com/craft-cra/craft/internal/store"
)

// caseAdvisorySummary is the draft advisory's summary note, made only from
// the case's facts (product, releases, IDs, exploitation) so that nothing
// the reporter wrote is published by default. fixedIn is the fixed
// release as the advisory states it ("" when none).
func caseAdvisorySummary(cs store.Case, fixedIn string) string {
	var b strings.Builder
	b.WriteString("A vulnerability")
	var ids []string
	for _, id := range append([]string{cs.CVE}, cs.OtherIDs...) {
		if id != "" {
			ids = append(ids, id)
		}
	}
	if len(ids) > 0 {
		b.WriteString(" (" + strings.Join(ids, ", ") + ")")
	}
	b.WriteString(" affects " + cs.ProductName)
	if len(cs.AffectedReleases) > 0 {
		b.WriteString(" " + strings.Join(cs.AffectedReleases, ", "))
	}
	b.WriteString(".")
	if fixedIn != "" {
		b.WriteString(" It is fixed in " + cs.ProductName + " " + fixedIn + "; update to that release or later.")
	} else {
		b.WriteString(" No fixed release is available yet.")
	}
	if cs.Exploited {
		b.WriteString(" The vulnerability is actively exploited.")
	}
	return b.String()
}

package cases

import "time"

// Article 14 applies from 11 September 2026: Regulation (EU) 2024/2847,
// Article 71(2), second subparagraph. Vulnerabilities and incidents the
// manufacturer became aware of before then need not be reported (ENISA
// CRA FAQ Q13; docs STANDARDS.md §3.3).
const (
	AppliesYear  = 2026
	AppliesMonth = time.September
	AppliesDay   = 11
)

// NotReportableBefore is the reason shown for a report whose awareness
// came before Article 14 applied.
const NotReportableBefore = "not reportable: aware before Article 14 applied (11 September 2026)"

// AppliesFrom is the first moment Article 14 applies: the start of 11
// September 2026 in zone, the manufacturer's time zone, as for the other
// calendar days of the clocks (nil: UTC).
func AppliesFrom(zone *time.Location) time.Time {
	if zone == nil {
		zone = time.UTC
	}
	return time.Date(AppliesYear, AppliesMonth, AppliesDay, 0, 0, 0, 0, zone)
}

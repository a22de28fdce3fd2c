package match

import (
	"time"

	"github.com/craft-cra/craft/internal/inventory"
	"github.com/craft-cra/craft/internal/osv"
)

// Result is the output of Match.
type Result struct {
	// MatchedAt is Options.Now (or the wall clock when that was zero).
	MatchedAt time.Time `json:"matchedAt"`
	// Findings are sorted: KEV first (oldest DateAdded first), then severity
	// (level, then score, descending), then ID, then component ID.
	Findings []Finding `json:"findings"`
	// Notes say what could not be evaluated and why (an unparsable component
	// version, an ecosystem without a version order, a broken record). They
	// are sorted and unique.
	Notes []string `json:"notes,omitempty"`
}

// Finding is one vulnerability in one component. Records that alias each
// other (directly or through a shared alias) are merged into one Finding.
type Finding struct {
	// ID is the preferred identifier of the vulnerability: the oldest CVE
	// among all merged IDs when there is one (the identifier that CSIRTs,
	// ENISA's database and customers use), else the ID of a GHSA record,
	// else the smallest ID of a matched record.
	ID string `json:"id"`
	// Aliases is every ID of the merged records (their own IDs and their
	// aliases), ID included, sorted.
	Aliases []string `json:"aliases"`
	// Summary is the first non-empty summary of the merged records (in
	// record preference order), else the first line of their details.
	Summary   string       `json:"summary,omitempty"`
	Component ComponentRef `json:"component"`
	Severity  Severity     `json:"severity"`
	// FixedVersions are the versions that close the affected range the
	// installed version lies in, for every matched range of every merged
	// record, in ecosystem order.
	FixedVersions []string `json:"fixedVersions,omitempty"`
	// MinimumFix is the smallest version above the installed one, among
	// all fixed events of the merged records, that none of the merged
	// records affects; "" when no such version is known (for example when
	// the records give only last_affected).
	MinimumFix string `json:"minimumFix,omitempty"`
	// KEV is set when any CVE alias is in the Known Exploited
	// Vulnerabilities catalog (the entry added first when several are).
	KEV *KEV `json:"kev,omitempty"`
	// Evidence holds one entry per matched record: what made it match.
	Evidence []Evidence `json:"evidence"`
	// References are the merged records' references, without duplicate
	// URLs, in record preference order.
	References []osv.Reference `json:"references,omitempty"`
	// Notes are data problems met while evaluating this finding (an
	// unparsable CVSS vector, an event version that does not parse).
	Notes []string `json:"notes,omitempty"`
}

// ComponentRef identifies the affected component; it copies the
// inventory.Component fields a report needs.
type ComponentRef struct {
	ID        string   `json:"id"`
	Name      string   `json:"name"`
	Version   string   `json:"version"`
	Ecosystem string   `json:"ecosystem"`
	PURL      string   `json:"purl,omitempty"`
	Locations []string `json:"locations,omitempty"`
}

func componentRef(c *inventory.Component) ComponentRef {
	return ComponentRef{
		ID:        c.ID,
		Name:      c.Name,
		Version:   c.Version,
		Ecosystem: c.Ecosystem,
		PURL:      c.PURL,
		Locations: append([]string(nil), c.Locations...),
	}
}

// Severity levels, from the CVSS qualitative severity rating scale.
const (
	LevelCritical = "critical"
	LevelHigh     = "high"
	LevelMedium   = "medium"
	LevelLow      = "low"
	LevelNone     = "none"
	LevelUnknown  = "unknown"
)

// Severity types.
const (
	SeverityCVSSv4           = "CVSS_V4"
	SeverityCVSSv3           = "CVSS_V3"
	SeverityCVSSv2           = "CVSS_V2"
	SeverityDatabaseSpecific = "database_specific"
)

// Severity is the chosen severity of a finding.
type Severity struct {
	// Level is critical, high, medium, low, none or unknown.
	Level string `json:"level"`
	// Score is the CVSS base score; 0 when the level came from a
	// database's own rating.
	Score float64 `json:"score,omitempty"`
	// Vector is the CVSS vector the score was computed from.
	Vector string `json:"vector,omitempty"`
	// Type is CVSS_V4, CVSS_V3, CVSS_V2 or database_specific; "" when
	// unknown.
	Type string `json:"type,omitempty"`
}

// Evidence is why one record matched the component.
type Evidence struct {
	RecordID string `json:"recordId"`
	// Ecosystem and Package are as the record's affected entry names them.
	Ecosystem string `json:"ecosystem"`
	Package   string `json:"package"`
	// RangeType is SEMVER, ECOSYSTEM or "versions-list" (an explicit versions
	// list).
	RangeType string `json:"rangeType"`
	// Events are the events that decided the match: "introduced 1.0.0"
	// and the event that closes the range ("fixed 1.4.2",
	// "last_affected 2.3", "limit 3.0"), or "listed in versions".
	Events []string `json:"events"`
}

// RangeVersions is Evidence.RangeType for a match by an explicit versions list.
const RangeVersions = "versions-list"

// KEV is an entry of the CISA Known Exploited Vulnerabilities catalog.
type KEV struct {
	CVEID                      string    `json:"cveID"`
	VendorProject              string    `json:"vendorProject,omitempty"`
	Product                    string    `json:"product,omitempty"`
	VulnerabilityName          string    `json:"vulnerabilityName,omitempty"`
	KnownRansomwareCampaignUse string    `json:"knownRansomwareCampaignUse,omitempty"`
	DateAdded                  time.Time `json:"dateAdded"`
	DueDate                    time.Time `json:"dueDate,omitzero"`
}

// Package osv is craft's model of an OSV record (https://ossf.github.io/osv-schema/),
// the subset that matching and reporting use. It is a thin JSON-tagged
// struct rather than the schema's protobuf bindings, so records decode with
// encoding/json (and YAML through the same tags) at low cost.
package osv

import "time"

// Vulnerability is one OSV record.
type Vulnerability struct {
	SchemaVersion    string           `json:"schema_version,omitempty"`
	ID               string           `json:"id"`
	Modified         time.Time        `json:"modified"`
	Published        time.Time        `json:"published,omitzero"`
	Withdrawn        time.Time        `json:"withdrawn,omitzero"`
	Aliases          []string         `json:"aliases,omitempty"`
	Upstream         []string         `json:"upstream,omitempty"`
	Related          []string         `json:"related,omitempty"`
	Summary          string           `json:"summary,omitempty"`
	Details          string           `json:"details,omitempty"`
	Severity         []Severity       `json:"severity,omitempty"`
	Affected         []Affected       `json:"affected,omitempty"`
	References       []Reference      `json:"references,omitempty"`
	DatabaseSpecific map[string]any   `json:"database_specific,omitempty"`
	Credits          []map[string]any `json:"credits,omitempty"`
}

// Severity is a scored severity: Type is CVSS_V2, CVSS_V3, CVSS_V4 or
// Ubuntu; Score is the vector (or the Ubuntu priority word).
type Severity struct {
	Type  string `json:"type"`
	Score string `json:"score"`
}

// Affected names one package and the versions of it that are affected.
type Affected struct {
	Package           Package        `json:"package"`
	Severity          []Severity     `json:"severity,omitempty"`
	Ranges            []Range        `json:"ranges,omitempty"`
	Versions          []string       `json:"versions,omitempty"`
	EcosystemSpecific map[string]any `json:"ecosystem_specific,omitempty"`
	DatabaseSpecific  map[string]any `json:"database_specific,omitempty"`
}

// Package identifies a package in an ecosystem. Ecosystem may carry a
// suffix after a colon ("Debian:12", "Ubuntu:22.04:LTS").
type Package struct {
	Ecosystem string `json:"ecosystem"`
	Name      string `json:"name"`
	PURL      string `json:"purl,omitempty"`
}

// Range types.
const (
	RangeSemver    = "SEMVER"
	RangeEcosystem = "ECOSYSTEM"
	RangeGit       = "GIT"
)

// Range is an ordered list of events over one version order.
type Range struct {
	Type             string         `json:"type"`
	Repo             string         `json:"repo,omitempty"`
	Events           []Event        `json:"events"`
	DatabaseSpecific map[string]any `json:"database_specific,omitempty"`
}

// Event is one point of a Range; exactly one field is set.
type Event struct {
	Introduced   string `json:"introduced,omitempty"`
	Fixed        string `json:"fixed,omitempty"`
	LastAffected string `json:"last_affected,omitempty"`
	Limit        string `json:"limit,omitempty"`
}

// Reference is a link with its kind (ADVISORY, FIX, WEB, ...).
type Reference struct {
	Type string `json:"type"`
	URL  string `json:"url"`
}

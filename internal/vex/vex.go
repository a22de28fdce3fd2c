// Package vex reads and writes VEX (Vulnerability Exploitability eXchange)
// documents and decides which VEX statement applies to a finding.
//
// It reads OpenVEX (the v0.0.1 and v0.2.0 contexts, bare or wrapped in an
// in-toto statement) and CycloneDX VEX (a CycloneDX JSON BOM whose
// vulnerabilities carry analysis and affects), turning both into one plain
// [Statement] type. [Decide] picks the statement that applies to one
// finding ([Subject]) with OpenVEX semantics: the latest statement wins.
// [WriteOpenVEX] and [WriteCycloneDXVEX] publish statements; [Build] makes
// one statement per finding, under_investigation unless a decision exists.
//
// The package knows nothing about the matcher: callers translate their
// findings into [Subject] values. docs/vex.md describes the formats, the
// mapping tables and the precedence rules.
package vex

import (
	"errors"
	"time"
)

// MaxInputSize is the largest VEX document Read accepts (64 MiB).
const MaxInputSize = 64 << 20

// Status is the OpenVEX status of a vulnerability in a product.
type Status string

// The four OpenVEX statuses. CycloneDX analysis states are mapped onto them.
const (
	StatusNotAffected        Status = "not_affected"
	StatusAffected           Status = "affected"
	StatusFixed              Status = "fixed"
	StatusUnderInvestigation Status = "under_investigation"
)

// Valid reports whether s is one of the four OpenVEX statuses.
func (s Status) Valid() bool {
	switch s {
	case StatusNotAffected, StatusAffected, StatusFixed, StatusUnderInvestigation:
		return true
	}
	return false
}

// Justification is an OpenVEX justification for a not_affected status.
type Justification string

// The five OpenVEX justifications. CycloneDX analysis justifications are
// mapped onto them (see docs/vex.md).
const (
	ComponentNotPresent                         Justification = "component_not_present"
	VulnerableCodeNotPresent                    Justification = "vulnerable_code_not_present"
	VulnerableCodeNotInExecutePath              Justification = "vulnerable_code_not_in_execute_path"
	VulnerableCodeCannotBeControlledByAdversary Justification = "vulnerable_code_cannot_be_controlled_by_adversary"
	InlineMitigationsAlreadyExist               Justification = "inline_mitigations_already_exist"
)

// Valid reports whether j is one of the five OpenVEX justifications.
func (j Justification) Valid() bool {
	switch j {
	case ComponentNotPresent, VulnerableCodeNotPresent, VulnerableCodeNotInExecutePath,
		VulnerableCodeCannotBeControlledByAdversary, InlineMitigationsAlreadyExist:
		return true
	}
	return false
}

// Component identifies a piece of software in a statement.
type Component struct {
	// ID is the main identifier: a purl, a CycloneDX bom-ref, a BOM-Link
	// URN or any other IRI.
	ID string `json:"id"`
	// Identifiers are further identifiers of the same software (OpenVEX
	// identifiers: purl, cpe22, cpe23; and hash values).
	Identifiers []string `json:"identifiers,omitempty"`
}

// Product is a product a statement is about, with the subcomponents of it
// that the statement names.
type Product struct {
	Component
	Subcomponents []Component `json:"subcomponents,omitempty"`
}

// Statement is one VEX statement: the status of one vulnerability in one or
// more products, as read from an OpenVEX or CycloneDX VEX document.
type Statement struct {
	Vulnerability string    `json:"vulnerability"`     // main vulnerability ID (CVE, GHSA, GO-, …)
	Aliases       []string  `json:"aliases,omitempty"` // other IDs of the same vulnerability
	Products      []Product `json:"products,omitempty"`
	// Versions and VersionRanges limit a statement to these versions of
	// its products, from a CycloneDX affects entry that lists versions
	// which could not be folded into purls. Ranges are vers: ranges,
	// evaluated with each ecosystem's version ordering.
	Versions      []string `json:"versions,omitempty"`
	VersionRanges []string `json:"version_ranges,omitempty"`

	Status          Status        `json:"status"`
	Justification   Justification `json:"justification,omitempty"`    // OpenVEX value; CycloneDX values mapped
	ImpactStatement string        `json:"impact_statement,omitempty"` // why not_affected
	ActionStatement string        `json:"action_statement,omitempty"` // what to do when affected
	StatusNotes     string        `json:"status_notes,omitempty"`

	// Timestamp is when the statement was made: the statement's own time,
	// else its document's; zero when neither has one.
	Timestamp time.Time `json:"timestamp,omitzero"`
	Source    string    `json:"source,omitempty"`   // the file (name given to Read)
	Location  string    `json:"location,omitempty"` // where in the file, e.g. "statements[2]"
}

// Subject is one finding to look up: a vulnerability (all its IDs) in a
// component, optionally within a product.
type Subject struct {
	VulnIDs     []string // the finding's ID and all its aliases
	PURL        string   // the component's purl
	ComponentID string   // the component's own ID (bom-ref, name) when not a purl
	// ProductIDs identify the product being scanned (its purl, bom-ref or
	// name). A statement about the product as a whole applies to every
	// finding in it; a statement naming subcomponents of a product applies
	// to them only when the product matches, unless ProductIDs is empty.
	ProductIDs []string
	// ProductVersion is the version of the product being scanned, for
	// statements limited to versions of a product named without a purl.
	ProductVersion string
}

// Decision is the statement that applies to a subject and what it means.
type Decision struct {
	Statement Statement `json:"statement"`
	// Suppress is true for not_affected: the finding is not a
	// vulnerability of this product, but reports still list it with Reason.
	Suppress bool `json:"suppress"`
	// Reason is a one-line human explanation naming the status, the
	// justification or statement, and the source file.
	Reason string `json:"reason"`
}

// ErrNoStatements is returned by the writers when there is nothing to write:
// an OpenVEX document needs at least one statement.
var ErrNoStatements = errors.New("no VEX statements to write")

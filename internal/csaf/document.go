package csaf

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// document.go is the typed CSAF 2.0 model: only the parts of the OASIS
// schema (csaf_json_schema.json) that craft writes, with the schema's JSON
// names. Optional fields are omitted when empty, so a marshalled Document
// never carries empty strings or arrays the schema forbids (minLength 1,
// minItems 1).

// CSAFVersion is the only version craft writes.
const CSAFVersion = "2.0"

// Document categories (profiles, section 4) craft generates.
const (
	CategorySecurityAdvisory = "csaf_security_advisory"
	CategoryVEX              = "csaf_vex"
)

// Tracking statuses (/document/tracking/status).
const (
	StatusDraft   = "draft"
	StatusInterim = "interim"
	StatusFinal   = "final"
)

// TLP labels (/document/distribution/tlp/label). CSAF 2.0 predates TLP 2.0:
// it still says WHITE where TLP 2.0 says CLEAR.
const (
	TLPWhite = "WHITE"
	TLPGreen = "GREEN"
	TLPAmber = "AMBER"
	TLPRed   = "RED"
)

// Document is one CSAF 2.0 document.
type Document struct {
	Document        DocumentMeta    `json:"document"`
	ProductTree     *ProductTree    `json:"product_tree,omitempty"`
	Vulnerabilities []Vulnerability `json:"vulnerabilities,omitempty"`
}

// DocumentMeta is /document: what the document is, who issued it and its
// version history.
type DocumentMeta struct {
	Category     string        `json:"category"`
	CSAFVersion  string        `json:"csaf_version"`
	Distribution *Distribution `json:"distribution,omitempty"`
	Lang         string        `json:"lang,omitempty"`
	Notes        []Note        `json:"notes,omitempty"`
	Publisher    Publisher     `json:"publisher"`
	References   []Reference   `json:"references,omitempty"`
	Title        string        `json:"title"`
	Tracking     Tracking      `json:"tracking"`
}

// Distribution is /document/distribution.
type Distribution struct {
	Text string `json:"text,omitempty"`
	TLP  *TLP   `json:"tlp,omitempty"`
}

// TLP is the Traffic Light Protocol label of the document.
type TLP struct {
	Label string `json:"label"`
	URL   string `json:"url,omitempty"`
}

// Note categories (note_t).
const (
	NoteDescription = "description"
	NoteDetails     = "details"
	NoteGeneral     = "general"
	NoteLegalDisc   = "legal_disclaimer"
	NoteOther       = "other"
	NoteSummary     = "summary"
)

// Note is one note_t.
type Note struct {
	Audience string `json:"audience,omitempty"`
	Category string `json:"category"`
	Text     string `json:"text"`
	Title    string `json:"title,omitempty"`
}

// Publisher is /document/publisher.
type Publisher struct {
	Category         string `json:"category"`
	ContactDetails   string `json:"contact_details,omitempty"`
	IssuingAuthority string `json:"issuing_authority,omitempty"`
	Name             string `json:"name"`
	Namespace        string `json:"namespace"`
}

// Reference categories.
const (
	ReferenceExternal = "external"
	ReferenceSelf     = "self"
)

// Reference is one reference_t.
type Reference struct {
	Category string `json:"category,omitempty"`
	Summary  string `json:"summary"`
	URL      string `json:"url"`
}

// Tracking is /document/tracking. Dates are RFC 3339 strings in UTC, as the
// schema's date-time format wants them.
type Tracking struct {
	CurrentReleaseDate string     `json:"current_release_date"`
	Generator          *Generator `json:"generator,omitempty"`
	ID                 string     `json:"id"`
	InitialReleaseDate string     `json:"initial_release_date"`
	RevisionHistory    []Revision `json:"revision_history"`
	Status             string     `json:"status"`
	Version            string     `json:"version"`
}

// Generator names the tool that wrote the document.
type Generator struct {
	Date   string `json:"date,omitempty"`
	Engine Engine `json:"engine"`
}

// Engine is the generator's name and version.
type Engine struct {
	Name    string `json:"name"`
	Version string `json:"version,omitempty"`
}

// Revision is one entry of the revision history.
type Revision struct {
	Date    string `json:"date"`
	Number  string `json:"number"`
	Summary string `json:"summary"`
}

// ProductTree is /product_tree: craft writes only branches
// (vendor → product_name → product_version).
type ProductTree struct {
	Branches []Branch `json:"branches,omitempty"`
}

// Branch categories craft uses.
const (
	BranchVendor         = "vendor"
	BranchProductName    = "product_name"
	BranchProductVersion = "product_version"
)

// Branch is one branches_t node: either further branches or a product.
type Branch struct {
	Branches []Branch         `json:"branches,omitempty"`
	Category string           `json:"category"`
	Name     string           `json:"name"`
	Product  *FullProductName `json:"product,omitempty"`
}

// FullProductName is a product that vulnerabilities refer to by ProductID.
type FullProductName struct {
	Name                        string                `json:"name"`
	ProductID                   string                `json:"product_id"`
	ProductIdentificationHelper *IdentificationHelper `json:"product_identification_helper,omitempty"`
}

// IdentificationHelper is how a consumer finds the product in its own
// inventory.
type IdentificationHelper struct {
	CPE  string `json:"cpe,omitempty"`
	PURL string `json:"purl,omitempty"`
}

// Vulnerability is one /vulnerabilities item.
type Vulnerability struct {
	CVE           string         `json:"cve,omitempty"`
	CWE           *CWE           `json:"cwe,omitempty"`
	DiscoveryDate string         `json:"discovery_date,omitempty"`
	Flags         []Flag         `json:"flags,omitempty"`
	IDs           []VulnID       `json:"ids,omitempty"`
	Notes         []Note         `json:"notes,omitempty"`
	ProductStatus *ProductStatus `json:"product_status,omitempty"`
	References    []Reference    `json:"references,omitempty"`
	ReleaseDate   string         `json:"release_date,omitempty"`
	Remediations  []Remediation  `json:"remediations,omitempty"`
	Scores        []Score        `json:"scores,omitempty"`
	Threats       []Threat       `json:"threats,omitempty"`
	Title         string         `json:"title,omitempty"`
}

// CWE is the weakness (ID like "CWE-79" and its official name).
type CWE struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// VulnID is an identifier other than a CVE (GHSA, GO-, OSV, EUVD-…).
type VulnID struct {
	SystemName string `json:"system_name"`
	Text       string `json:"text"`
}

// ProductStatus lists product IDs per status. A product appears in at most
// one of the groups (mandatory test 6.1.6).
type ProductStatus struct {
	Fixed              []string `json:"fixed,omitempty"`
	KnownAffected      []string `json:"known_affected,omitempty"`
	KnownNotAffected   []string `json:"known_not_affected,omitempty"`
	UnderInvestigation []string `json:"under_investigation,omitempty"`
}

// Flag labels: the CSAF names of the five OpenVEX justifications.
const (
	FlagComponentNotPresent                         = "component_not_present"
	FlagVulnerableCodeNotPresent                    = "vulnerable_code_not_present"
	FlagVulnerableCodeNotInExecutePath              = "vulnerable_code_not_in_execute_path"
	FlagVulnerableCodeCannotBeControlledByAdversary = "vulnerable_code_cannot_be_controlled_by_adversary"
	FlagInlineMitigationsAlreadyExist               = "inline_mitigations_already_exist"
)

// Flag is a machine-readable reason why products are not affected.
type Flag struct {
	Date       string   `json:"date,omitempty"`
	Label      string   `json:"label"`
	ProductIDs []string `json:"product_ids,omitempty"`
}

// Remediation categories.
const (
	RemediationMitigation = "mitigation"
	RemediationNoFixPlan  = "no_fix_planned"
	RemediationNoneAvail  = "none_available"
	RemediationVendorFix  = "vendor_fix"
	RemediationWorkaround = "workaround"
)

// Remediation says what users of ProductIDs should do.
type Remediation struct {
	Category   string   `json:"category"`
	Date       string   `json:"date,omitempty"`
	Details    string   `json:"details"`
	ProductIDs []string `json:"product_ids,omitempty"`
	URL        string   `json:"url,omitempty"`
}

// Score is a CVSS score for products. CSAF 2.0 has cvss_v2 and cvss_v3
// only; craft carries CVSS v4.0 vectors as a vulnerability note instead
// (see Generate).
type Score struct {
	CVSSv3   *CVSSv3  `json:"cvss_v3,omitempty"`
	Products []string `json:"products"`
}

// CVSSv3 is the FIRST CVSS v3.0/v3.1 JSON object, reduced to the required
// properties: every property written is derived from the vector, so the
// score is consistent with it (mandatory tests 6.1.9 and 6.1.10).
type CVSSv3 struct {
	BaseScore    float64 `json:"baseScore"`
	BaseSeverity string  `json:"baseSeverity"`
	VectorString string  `json:"vectorString"`
	Version      string  `json:"version"`
}

// Threat categories.
const (
	ThreatExploitStatus = "exploit_status"
	ThreatImpact        = "impact"
	ThreatTargetSet     = "target_set"
)

// Threat is one threats_t entry: the impact statement of not_affected
// products, the exploit status of actively exploited vulnerabilities.
type Threat struct {
	Category   string   `json:"category"`
	Date       string   `json:"date,omitempty"`
	Details    string   `json:"details"`
	ProductIDs []string `json:"product_ids,omitempty"`
}

// Marshal is the JSON form craft publishes: two-space indented, with a
// final newline, and without HTML escaping (a title with "<" stays "<";
// the escaping belongs to whoever renders it as HTML).
func Marshal(doc Document) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return nil, fmt.Errorf("csaf: marshal: %w", err)
	}
	return buf.Bytes(), nil
}

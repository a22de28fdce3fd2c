// Package catalog holds the CRA requirement catalog: every essential
// requirement and manufacturer duty craft tracks, with its legal reference,
// applicability rule, the kinds of evidence that satisfy it and the craft
// checks that contribute evidence. The data is embedded in the binary
// (requirements.yaml) and validated on every Load.
package catalog

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// Check IDs of the pipeline stages that evidence requirements out of the box.
// The checks engine adds its own with [Catalog.WithChecks].
const (
	// CheckSBOMGenerated is the evidence that craft built the product's
	// component inventory and SBOM (Annex I Part II (1)).
	CheckSBOMGenerated = "sbom.generated"
	// CheckVulnKnown is the evidence from matching the components against
	// known vulnerabilities (Annex I Part I (2)(a), Part II (2)).
	CheckVulnKnown = "vuln.known"
)

// Applicability says whether a manufacturer may declare a requirement not
// applicable.
type Applicability string

const (
	// Always: the requirement binds every product; declaring it not
	// applicable is a gap.
	Always Applicability = "always"
	// RiskBased: the requirement applies as the risk assessment decides
	// (Art. 13(3)); not applicable needs a written justification (Art. 13(4)).
	RiskBased Applicability = "risk-based"
	// Conditional: the requirement applies only where its Condition holds
	// (hardware only, an optional choice of the manufacturer); not applicable
	// needs a written justification.
	Conditional Applicability = "conditional"
)

// Automation says how much of a requirement's evidence craft can produce by
// itself.
type Automation string

const (
	// Automatic: craft's checks can evidence the requirement fully.
	Automatic Automation = "automatic"
	// Partial: craft's checks evidence part of it; the rest is the
	// manufacturer's own evidence.
	Partial Automation = "partial"
	// Manual: only the manufacturer can evidence it; craft lists what is
	// wanted.
	Manual Automation = "manual"
)

// Group is a part of the regulation that requirements belong to.
type Group struct {
	// ID is the short form used on the command line, e.g. "annex-i-part-i".
	ID string `yaml:"id" json:"id"`
	// Name is the display name, e.g. "Annex I Part I".
	Name      string `yaml:"name" json:"name"`
	Title     string `yaml:"title" json:"title"`
	Reference string `yaml:"reference" json:"reference"`
	// Applicability explains the applicability rule of the group's items.
	Applicability string `yaml:"applicability" json:"applicability"`
}

// Requirement is one item of the catalog.
type Requirement struct {
	// ID is the requirement ID of the team's CRA reference, e.g. "AI-P1-2a".
	ID string `yaml:"id" json:"id"`
	// Group is the ID of the requirement's Group.
	Group string `yaml:"group" json:"group"`
	// Reference locates it in Regulation (EU) 2024/2847.
	Reference string `yaml:"reference" json:"reference"`
	Title     string `yaml:"title" json:"title"`
	// Summary paraphrases the requirement in craft's words; the Official
	// Journal text is authoritative.
	Summary       string        `yaml:"summary" json:"summary"`
	Applicability Applicability `yaml:"applicability" json:"applicability"`
	// Condition says when a Conditional requirement applies; empty otherwise.
	Condition  string     `yaml:"condition,omitempty" json:"condition,omitempty"`
	Automation Automation `yaml:"automation" json:"automation"`
	// Evidence lists the kinds of evidence that satisfy the requirement.
	Evidence []string `yaml:"evidence" json:"evidence"`
	// Checks lists the IDs of craft checks that contribute evidence, sorted.
	Checks []string `yaml:"checks,omitempty" json:"checks"`
}

// Checkable reports whether some craft check contributes evidence to r.
func (r Requirement) Checkable() bool { return len(r.Checks) > 0 }

func (r Requirement) clone() Requirement {
	r.Evidence = slices.Clone(r.Evidence)
	r.Checks = slices.Clone(r.Checks)
	if r.Checks == nil {
		r.Checks = []string{}
	}
	return r
}

// Catalog is a validated, read-only set of requirements in document order.
// Its methods return copies; a Catalog is safe for concurrent use.
type Catalog struct {
	groups []Group
	reqs   []Requirement
	// byID maps the upper-cased ID to the index in reqs.
	byID map[string]int
}

//go:embed requirements.yaml
var embedded []byte

// maxDataSize bounds the catalog data handed to Parse.
const maxDataSize = 4 << 20

// Load parses and validates the catalog embedded in craft.
func Load() (*Catalog, error) {
	c, err := Parse("requirements.yaml", embedded)
	if err != nil {
		return nil, fmt.Errorf("embedded catalog: %w", err)
	}
	return c, nil
}

// file is the layout of requirements.yaml.
type file struct {
	Groups       []Group       `yaml:"groups"`
	Requirements []Requirement `yaml:"requirements"`
}

// Parse decodes catalog data in the layout of requirements.yaml and
// validates it; name is used in error messages. Unknown keys are an error.
func Parse(name string, data []byte) (*Catalog, error) {
	if len(data) > maxDataSize {
		return nil, fmt.Errorf("%s: larger than %d bytes", name, maxDataSize)
	}
	var f file
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	c, err := New(f.Groups, f.Requirements)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return c, nil
}

var (
	idPattern      = regexp.MustCompile(`^[A-Z][A-Z0-9]*(-[A-Za-z0-9]+)+$`)
	groupIDPattern = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
	checkIDPattern = regexp.MustCompile(`^[a-z][a-z0-9_-]*(\.[a-z0-9_-]+)+$`)
)

// New validates groups and requirements and builds a Catalog from copies of
// them. Requirements keep the given order; their Checks are sorted.
func New(groups []Group, reqs []Requirement) (*Catalog, error) {
	if len(groups) == 0 {
		return nil, errors.New("no groups")
	}
	if len(reqs) == 0 {
		return nil, errors.New("no requirements")
	}
	c := &Catalog{
		groups: slices.Clone(groups),
		reqs:   make([]Requirement, 0, len(reqs)),
		byID:   make(map[string]int, len(reqs)),
	}
	groupIDs := map[string]bool{}
	groupNames := map[string]bool{}
	for i, g := range c.groups {
		switch {
		case !groupIDPattern.MatchString(g.ID):
			return nil, fmt.Errorf("group %d: id %q: want lower-case words joined by '-'", i+1, g.ID)
		case groupIDs[g.ID]:
			return nil, fmt.Errorf("group %q: listed twice", g.ID)
		case strings.TrimSpace(g.Name) == "":
			return nil, fmt.Errorf("group %q: no name", g.ID)
		case groupNames[strings.ToLower(g.Name)]:
			return nil, fmt.Errorf("group %q: name %q used twice", g.ID, g.Name)
		case strings.TrimSpace(g.Title) == "":
			return nil, fmt.Errorf("group %q: no title", g.ID)
		case strings.TrimSpace(g.Reference) == "":
			return nil, fmt.Errorf("group %q: no reference", g.ID)
		case strings.TrimSpace(g.Applicability) == "":
			return nil, fmt.Errorf("group %q: no applicability rule", g.ID)
		}
		groupIDs[g.ID] = true
		groupNames[strings.ToLower(g.Name)] = true
	}
	used := map[string]bool{}
	for i, r := range reqs {
		if err := validate(r, groupIDs); err != nil {
			if r.ID == "" {
				return nil, fmt.Errorf("requirement %d: %w", i+1, err)
			}
			return nil, fmt.Errorf("requirement %s: %w", r.ID, err)
		}
		key := strings.ToUpper(r.ID)
		if _, dup := c.byID[key]; dup {
			return nil, fmt.Errorf("requirement %s: listed twice", r.ID)
		}
		r = r.clone()
		r.Checks = sortedUnique(r.Checks)
		c.byID[key] = len(c.reqs)
		c.reqs = append(c.reqs, r)
		used[r.Group] = true
	}
	for _, g := range c.groups {
		if !used[g.ID] {
			return nil, fmt.Errorf("group %q: has no requirements", g.ID)
		}
	}
	return c, nil
}

func validate(r Requirement, groups map[string]bool) error {
	if !idPattern.MatchString(r.ID) {
		return fmt.Errorf("id %q: want upper-case letters and digits joined by '-', like AI-P1-2a", r.ID)
	}
	if !groups[r.Group] {
		return fmt.Errorf("group %q: not a group of the catalog", r.Group)
	}
	for _, f := range [...]struct{ name, value string }{
		{"reference", r.Reference}, {"title", r.Title}, {"summary", r.Summary},
	} {
		if strings.TrimSpace(f.value) == "" {
			return fmt.Errorf("no %s", f.name)
		}
	}
	switch r.Applicability {
	case Always, RiskBased:
		if r.Condition != "" {
			return fmt.Errorf("condition given, but applicability is %q (only %q items have one)", r.Applicability, Conditional)
		}
	case Conditional:
		if strings.TrimSpace(r.Condition) == "" {
			return errors.New("conditional without a condition")
		}
	default:
		return fmt.Errorf("applicability %q: want %s, %s or %s", r.Applicability, Always, RiskBased, Conditional)
	}
	switch r.Automation {
	case Automatic, Partial, Manual:
	default:
		return fmt.Errorf("automation %q: want %s, %s or %s", r.Automation, Automatic, Partial, Manual)
	}
	if len(r.Evidence) == 0 {
		return errors.New("no evidence kinds")
	}
	for _, e := range r.Evidence {
		if strings.TrimSpace(e) == "" {
			return errors.New("empty evidence kind")
		}
	}
	for _, id := range r.Checks {
		if !checkIDPattern.MatchString(id) {
			return fmt.Errorf("check %q: want a dotted lower-case ID like %s", id, CheckVulnKnown)
		}
	}
	if len(r.Checks) > 0 && r.Automation == Manual {
		return fmt.Errorf("checks %v given, but automation is %q", r.Checks, Manual)
	}
	return nil
}

func sortedUnique(s []string) []string {
	out := slices.Clone(s)
	slices.Sort(out)
	out = slices.Compact(out)
	if out == nil {
		out = []string{}
	}
	return out
}

// All returns every requirement in document order.
func (c *Catalog) All() []Requirement {
	out := make([]Requirement, len(c.reqs))
	for i, r := range c.reqs {
		out[i] = r.clone()
	}
	return out
}

// Get returns the requirement with the given ID, compared case-insensitively.
func (c *Catalog) Get(id string) (Requirement, bool) {
	i, ok := c.byID[strings.ToUpper(strings.TrimSpace(id))]
	if !ok {
		return Requirement{}, false
	}
	return c.reqs[i].clone(), true
}

// Groups returns the groups in document order.
func (c *Catalog) Groups() []Group { return slices.Clone(c.groups) }

// Group finds a group by its ID ("annex-i-part-i") or its name
// ("Annex I Part I"), case-insensitively.
func (c *Catalog) Group(idOrName string) (Group, bool) {
	s := strings.TrimSpace(idOrName)
	for _, g := range c.groups {
		if strings.EqualFold(g.ID, s) || strings.EqualFold(g.Name, s) {
			return g, true
		}
	}
	return Group{}, false
}

// InGroup returns the requirements of the group with the given ID, in
// document order.
func (c *Catalog) InGroup(groupID string) []Requirement {
	var out []Requirement
	for _, r := range c.reqs {
		if r.Group == groupID {
			out = append(out, r.clone())
		}
	}
	return out
}

// WithChecks returns a copy of c in which each requirement named in
// checksByRequirement also lists the given check IDs. The checks engine
// calls it with the requirement IDs its checks declare. Requirement IDs
// are compared case-insensitively. It fails, naming the check, on an
// unknown requirement ID, a malformed check ID, or a requirement that craft
// cannot evidence (automation "manual"): such a check would claim more than
// the catalog allows. c itself is not changed.
func (c *Catalog) WithChecks(checksByRequirement map[string][]string) (*Catalog, error) {
	out := &Catalog{
		groups: slices.Clone(c.groups),
		reqs:   make([]Requirement, len(c.reqs)),
		byID:   c.byID, // read-only after New, so it can be shared
	}
	for i, r := range c.reqs {
		out.reqs[i] = r.clone()
	}
	ids := make([]string, 0, len(checksByRequirement))
	for id := range checksByRequirement {
		ids = append(ids, id)
	}
	slices.Sort(ids) // deterministic error messages
	for _, id := range ids {
		checks := checksByRequirement[id]
		i, ok := c.byID[strings.ToUpper(strings.TrimSpace(id))]
		if !ok {
			return nil, fmt.Errorf("checks %v: unknown requirement %q", checks, id)
		}
		r := &out.reqs[i]
		for _, chk := range checks {
			if !checkIDPattern.MatchString(chk) {
				return nil, fmt.Errorf("check %q for %s: want a dotted lower-case ID like %s", chk, r.ID, CheckVulnKnown)
			}
		}
		if len(checks) > 0 && r.Automation == Manual {
			return nil, fmt.Errorf("checks %v: %s is a manual requirement that craft cannot evidence; change its automation in the catalog first", checks, r.ID)
		}
		r.Checks = sortedUnique(append(r.Checks, checks...))
	}
	return out, nil
}

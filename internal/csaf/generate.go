package csaf

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/package-url/packageurl-go"
	cvss30 "github.com/pandatix/go-cvss/30"
	cvss31 "github.com/pandatix/go-cvss/31"
	cvss40 "github.com/pandatix/go-cvss/40"
	"golang.org/x/text/language"

	"github.com/craft-cra/craft/internal/vex"
)

// AdvisoryInput is everything an advisory is generated from: plain data
// that a release's findings (internal/server) or a vulnerability case
// (internal/cases, later) is turned into. Generate and OpenVEX read it;
// neither changes it.
type AdvisoryInput struct {
	// Category is CategorySecurityAdvisory or CategoryVEX.
	Category string `json:"category"`
	// TrackingID is /document/tracking/id; the file name follows from it
	// (Filename).
	TrackingID string `json:"tracking_id"`
	Title      string `json:"title"`
	// Lang is an RFC 5646 tag; "" means "en".
	Lang      string    `json:"lang,omitempty"`
	Publisher Publisher `json:"publisher"`
	// Summary is the document's summary note; "" gets a generated one.
	Summary string `json:"summary,omitempty"`
	// Notes are further document notes (details, legal_disclaimer, …).
	Notes      []Note      `json:"notes,omitempty"`
	References []Reference `json:"references,omitempty"`
	// TLP is the distribution label; "" means WHITE.
	TLP string `json:"tlp,omitempty"`
	// Status is draft, interim or final.
	Status string `json:"status"`
	// Revisions is the revision history, oldest first; integer
	// versioning ("0" for a draft never published, then "1", "2", …).
	// The document version is the last entry's number.
	Revisions          []RevisionInput `json:"revisions"`
	InitialReleaseDate time.Time       `json:"initial_release_date"`
	CurrentReleaseDate time.Time       `json:"current_release_date"`
	Products           []ProductInput  `json:"products"`
	Vulnerabilities    []VulnInput     `json:"vulnerabilities"`
}

// RevisionInput is one revision history entry.
type RevisionInput struct {
	Number  string    `json:"number"`
	Date    time.Time `json:"date"`
	Summary string    `json:"summary"`
}

// ProductInput is a product and the releases the advisory speaks about.
type ProductInput struct {
	// Vendor is the manufacturer; "" means the publisher's name.
	Vendor   string         `json:"vendor,omitempty"`
	Name     string         `json:"name"`
	Releases []ReleaseInput `json:"releases"`
}

// ReleaseInput is one release (a product_version branch).
type ReleaseInput struct {
	Version string `json:"version"`
	PURL    string `json:"purl,omitempty"`
	CPE     string `json:"cpe,omitempty"`
}

// VulnInput is one vulnerability and its status in each release.
type VulnInput struct {
	// ID is the main identifier (CVE-…, GHSA-…, GO-…, EUVD-…).
	ID      string   `json:"id"`
	Aliases []string `json:"aliases,omitempty"`
	Title   string   `json:"title,omitempty"`
	// Description is the vulnerability's description note; "" gets a
	// generated one.
	Description string `json:"description,omitempty"`
	Notes       []Note `json:"notes,omitempty"`
	// CWE, when set, must carry the official CWE name (test 6.1.11).
	CWE *CWE `json:"cwe,omitempty"`
	// CVSSVector is a CVSS v3.0, v3.1 or v4.0 vector. v3 becomes a
	// cvss_v3 score; CSAF 2.0 has no field for v4, so a v4 vector becomes a
	// note titled "CVSS v4.0".
	CVSSVector string `json:"cvss_vector,omitempty"`
	// SeverityLevel and SeverityScore describe the severity when no
	// vector is known (an advisory database's rating): they become an
	// impact threat, never a made-up cvss_v3 object.
	SeverityLevel string  `json:"severity_level,omitempty"`
	SeverityScore float64 `json:"severity_score,omitempty"`
	// KEVDateAdded marks an actively exploited vulnerability (CISA KEV).
	KEVDateAdded string `json:"kev_date_added,omitempty"`
	// Components are the affected components, for the details note
	// ("lodash 4.17.20 (pkg:npm/lodash@4.17.20)").
	Components    []string        `json:"components,omitempty"`
	Statuses      []ReleaseStatus `json:"statuses"`
	References    []Reference     `json:"references,omitempty"`
	DiscoveryDate time.Time       `json:"discovery_date,omitzero"`
}

// ReleaseStatus is the status of the vulnerability in one release.
type ReleaseStatus struct {
	Product string     `json:"product"` // ProductInput.Name
	Version string     `json:"version"` // ReleaseInput.Version
	Status  vex.Status `json:"status"`
	// Justification (not_affected) becomes a flag.
	Justification vex.Justification `json:"justification,omitempty"`
	// Impact (not_affected) becomes an impact threat.
	Impact string `json:"impact,omitempty"`
	// Action (affected) is what users should do until a fix exists.
	Action string `json:"action,omitempty"`
	// FixedIn (affected or under_investigation) is the release of the
	// same product that fixes the vulnerability: a vendor_fix remediation
	// names it, and it is listed as fixed.
	FixedIn string `json:"fixed_in,omitempty"`
}

// genConfig holds Generate's options.
type genConfig struct {
	engine, engineVersion string
	documentURL           string
}

// GenOption changes how Generate writes a document.
type GenOption func(*genConfig)

// WithEngine names the generator (default "craft" without version).
func WithEngine(name, version string) GenOption {
	return func(c *genConfig) { c.engine, c.engineVersion = name, version }
}

// WithDocumentURL adds the document's own published URL as its "self"
// reference.
func WithDocumentURL(url string) GenOption {
	return func(c *genConfig) { c.documentURL = url }
}

// TLPURL is the TLP definition CSAF documents link to.
const TLPURL = "https://www.first.org/tlp/"

// Generate turns in into a CSAF 2.0 document. The output depends on in
// and the options only: products, releases and vulnerabilities are
// sorted, product IDs are derived from vendor, product and version (so
// they stay the same across versions of an advisory), and the generator
// date is the current release date. Input that would give a document
// failing a mandatory test of section 6.1 (a release in two statuses, an
// unknown release, a version range as version, a bad revision history)
// is an error naming the field.
func Generate(in AdvisoryInput, opts ...GenOption) (Document, error) {
	cfg := genConfig{engine: "craft"}
	for _, o := range opts {
		o(&cfg)
	}
	g := &genState{in: &in, ids: map[[2]string]string{}, names: map[string]string{}}
	meta, err := g.meta(&cfg)
	if err != nil {
		return Document{}, err
	}
	doc := Document{Document: meta}
	if err := g.tree(); err != nil {
		return Document{}, err
	}
	vulns, err := g.vulnerabilities()
	if err != nil {
		return Document{}, err
	}
	doc.ProductTree = &ProductTree{Branches: g.branches}
	doc.Vulnerabilities = vulns
	return doc, nil
}

// genState is one Generate run.
type genState struct {
	in *AdvisoryInput
	// ids maps (product, version) to the product ID.
	ids      map[[2]string]string
	names    map[string]string // product ID → full product name
	branches []Branch
}

// genTime formats t for CSAF: RFC 3339, UTC, whole seconds.
func genTime(t time.Time) string {
	return t.UTC().Truncate(time.Second).Format(time.RFC3339)
}

var genTrackingIDPattern = regexp.MustCompile(`^[\S](.*[\S])?$`)

func (g *genState) meta(cfg *genConfig) (DocumentMeta, error) {
	in := g.in
	if in.Category != CategorySecurityAdvisory && in.Category != CategoryVEX {
		return DocumentMeta{}, fmt.Errorf("csaf: category %q: want %s or %s", in.Category, CategorySecurityAdvisory, CategoryVEX)
	}
	if !genTrackingIDPattern.MatchString(in.TrackingID) || strings.ContainsAny(in.TrackingID, "\n\r") {
		return DocumentMeta{}, fmt.Errorf("csaf: tracking id %q: must be non-empty without leading or trailing space", in.TrackingID)
	}
	title := strings.TrimSpace(in.Title)
	if title == "" {
		return DocumentMeta{}, errors.New("csaf: title is empty")
	}
	lang := in.Lang
	if lang == "" {
		lang = "en"
	}
	if _, err := language.Parse(lang); err != nil {
		return DocumentMeta{}, fmt.Errorf("csaf: lang %q: not a language tag: %w", lang, err)
	}
	pub := in.Publisher
	if pub.Category == "" {
		pub.Category = "vendor"
	}
	if strings.TrimSpace(pub.Name) == "" || strings.TrimSpace(pub.Namespace) == "" {
		return DocumentMeta{}, errors.New("csaf: publisher name and namespace are required")
	}
	if err := genURL("publisher namespace", pub.Namespace); err != nil {
		return DocumentMeta{}, err
	}
	tlp := in.TLP
	if tlp == "" {
		tlp = TLPWhite
	}
	switch tlp {
	case TLPWhite, TLPGreen, TLPAmber, TLPRed:
	default:
		return DocumentMeta{}, fmt.Errorf("csaf: tlp %q: want WHITE, GREEN, AMBER or RED", tlp)
	}
	tr, err := g.tracking(cfg)
	if err != nil {
		return DocumentMeta{}, err
	}
	summary := strings.TrimSpace(in.Summary)
	if summary == "" {
		summary = g.defaultSummary()
	}
	notes := []Note{{Category: NoteSummary, Title: "Summary", Text: summary}}
	for i, n := range in.Notes {
		if strings.TrimSpace(n.Text) == "" || n.Category == "" {
			return DocumentMeta{}, fmt.Errorf("csaf: notes[%d]: category and text are required", i)
		}
		notes = append(notes, n)
	}
	refs := slices.Clone(in.References)
	if cfg.documentURL != "" {
		if err := genURL("document url", cfg.documentURL); err != nil {
			return DocumentMeta{}, err
		}
		refs = append([]Reference{{Category: ReferenceSelf, Summary: "URL of this CSAF document", URL: cfg.documentURL}}, refs...)
	}
	for i, r := range refs {
		if strings.TrimSpace(r.Summary) == "" || r.URL == "" {
			return DocumentMeta{}, fmt.Errorf("csaf: references[%d]: summary and url are required", i)
		}
		if err := genURL(fmt.Sprintf("references[%d].url", i), r.URL); err != nil {
			return DocumentMeta{}, err
		}
	}
	return DocumentMeta{
		Category:     in.Category,
		CSAFVersion:  CSAFVersion,
		Distribution: &Distribution{TLP: &TLP{Label: tlp, URL: TLPURL}},
		Lang:         lang,
		Notes:        notes,
		Publisher:    pub,
		References:   refs,
		Title:        title,
		Tracking:     tr,
	}, nil
}

func (g *genState) defaultSummary() string {
	var names []string
	for _, p := range g.in.Products {
		names = append(names, p.Name)
	}
	slices.Sort(names)
	ids := make([]string, 0, len(g.in.Vulnerabilities))
	for _, v := range g.in.Vulnerabilities {
		ids = append(ids, v.ID)
	}
	slices.Sort(ids)
	return fmt.Sprintf("Status of %d vulnerabilities (%s) in %s.", len(ids), strings.Join(ids, ", "), strings.Join(names, ", "))
}

// tracking checks the revision history against the tests 6.1.14 to 6.1.22
// (integer versioning, consecutive, sorted, no "0" once released) and
// builds /document/tracking.
func (g *genState) tracking(cfg *genConfig) (Tracking, error) {
	in := g.in
	switch in.Status {
	case StatusDraft, StatusInterim, StatusFinal:
	default:
		return Tracking{}, fmt.Errorf("csaf: status %q: want draft, interim or final", in.Status)
	}
	if len(in.Revisions) == 0 {
		return Tracking{}, errors.New("csaf: revision history is empty")
	}
	if in.InitialReleaseDate.IsZero() || in.CurrentReleaseDate.IsZero() {
		return Tracking{}, errors.New("csaf: initial and current release dates are required")
	}
	var hist []Revision
	prev := -1
	var prevDate time.Time
	for i, r := range in.Revisions {
		n, err := strconv.Atoi(r.Number)
		if err != nil || n < 0 || strconv.Itoa(n) != r.Number {
			return Tracking{}, fmt.Errorf("csaf: revisions[%d]: number %q is not a whole number (craft uses integer versioning)", i, r.Number)
		}
		if prev == -1 && n > 1 {
			return Tracking{}, fmt.Errorf("csaf: revisions[%d]: history starts at %d, want 0 or 1", i, n)
		}
		if prev != -1 && n != prev+1 {
			return Tracking{}, fmt.Errorf("csaf: revisions[%d]: number %d does not follow %d", i, n, prev)
		}
		if n == 0 && in.Status != StatusDraft {
			return Tracking{}, fmt.Errorf("csaf: revisions[%d]: version 0 is for drafts only", i)
		}
		if r.Date.IsZero() || r.Date.Before(prevDate) {
			return Tracking{}, fmt.Errorf("csaf: revisions[%d]: date missing or earlier than the previous revision", i)
		}
		if strings.TrimSpace(r.Summary) == "" {
			return Tracking{}, fmt.Errorf("csaf: revisions[%d]: summary is empty", i)
		}
		prev, prevDate = n, r.Date
		hist = append(hist, Revision{Date: genTime(r.Date), Number: r.Number, Summary: r.Summary})
	}
	gen := &Generator{Date: genTime(in.CurrentReleaseDate), Engine: Engine{Name: cfg.engine, Version: cfg.engineVersion}}
	return Tracking{
		CurrentReleaseDate: genTime(in.CurrentReleaseDate),
		Generator:          gen,
		ID:                 in.TrackingID,
		InitialReleaseDate: genTime(in.InitialReleaseDate),
		RevisionHistory:    hist,
		Status:             in.Status,
		Version:            strconv.Itoa(prev),
	}, nil
}

// genVersionRange finds the words and operators test 6.1.31 forbids in a
// product_version name.
var genVersionRange = regexp.MustCompile(`(?i)(<|>|\b(after|all|before|earlier|later|prior|versions)\b)`)

// ProductID is the stable product ID of one release: the same vendor,
// product and version give the same ID in every document.
func ProductID(vendor, product, version string) string {
	sum := sha256.Sum256([]byte(vendor + "\x00" + product + "\x00" + version))
	return "CRAFTPID-" + strings.ToUpper(hex.EncodeToString(sum[:8]))
}

// tree builds the vendor → product_name → product_version branches, adds
// every fixed-in release that the input names but does not list, and
// assigns the product IDs.
func (g *genState) tree() error {
	in := g.in
	products := map[string]*ProductInput{}
	var order []string
	for i := range in.Products {
		p := in.Products[i]
		p.Releases = slices.Clone(p.Releases)
		if strings.TrimSpace(p.Name) == "" {
			return fmt.Errorf("csaf: products[%d]: name is empty", i)
		}
		if p.Vendor == "" {
			p.Vendor = in.Publisher.Name
		}
		if _, dup := products[p.Name]; dup {
			return fmt.Errorf("csaf: products[%d]: product %q listed twice", i, p.Name)
		}
		products[p.Name] = &p
		order = append(order, p.Name)
	}
	for vi, v := range in.Vulnerabilities {
		for si, st := range v.Statuses {
			p, ok := products[st.Product]
			if !ok {
				return fmt.Errorf("csaf: vulnerabilities[%d] (%s) statuses[%d]: product %q is not in products", vi, v.ID, si, st.Product)
			}
			if st.FixedIn != "" && !slices.ContainsFunc(p.Releases, func(r ReleaseInput) bool { return r.Version == st.FixedIn }) {
				p.Releases = append(p.Releases, ReleaseInput{Version: st.FixedIn})
			}
		}
	}
	if len(order) == 0 {
		return errors.New("csaf: no products")
	}
	vendors := map[string][]Branch{}
	for _, name := range order {
		p := products[name]
		var versions []Branch
		seen := map[string]bool{}
		for ri, r := range p.Releases {
			if strings.TrimSpace(r.Version) == "" || genVersionRange.MatchString(r.Version) {
				return fmt.Errorf("csaf: product %q releases[%d]: version %q is empty or reads as a version range", p.Name, ri, r.Version)
			}
			if seen[r.Version] {
				continue
			}
			seen[r.Version] = true
			id := ProductID(p.Vendor, p.Name, r.Version)
			full := p.Vendor + " " + p.Name + " " + r.Version
			fp := &FullProductName{Name: full, ProductID: id}
			if r.PURL != "" || r.CPE != "" {
				if r.PURL != "" {
					if _, err := packageurl.FromString(r.PURL); err != nil {
						return fmt.Errorf("csaf: product %q release %q: purl %q: %w", p.Name, r.Version, r.PURL, err)
					}
				}
				fp.ProductIdentificationHelper = &IdentificationHelper{PURL: r.PURL, CPE: r.CPE}
			}
			g.ids[[2]string{p.Name, r.Version}] = id
			g.names[id] = full
			versions = append(versions, Branch{Category: BranchProductVersion, Name: r.Version, Product: fp})
		}
		if len(versions) == 0 {
			return fmt.Errorf("csaf: product %q has no releases", p.Name)
		}
		slices.SortFunc(versions, func(a, b Branch) int { return genNaturalCompare(a.Name, b.Name) })
		vendors[p.Vendor] = append(vendors[p.Vendor], Branch{Category: BranchProductName, Name: p.Name, Branches: versions})
	}
	for vendor, ps := range vendors {
		slices.SortFunc(ps, func(a, b Branch) int { return strings.Compare(a.Name, b.Name) })
		g.branches = append(g.branches, Branch{Category: BranchVendor, Name: vendor, Branches: ps})
	}
	slices.SortFunc(g.branches, func(a, b Branch) int { return strings.Compare(a.Name, b.Name) })
	return nil
}

// genNaturalCompare orders versions with digit runs compared as numbers
// ("1.9" before "1.10"), so the tree reads in release order for the usual
// version schemes and is deterministic for every other.
func genNaturalCompare(a, b string) int {
	for a != "" && b != "" {
		da, db := genDigits(a), genDigits(b)
		if da > 0 && db > 0 {
			na, nb := strings.TrimLeft(a[:da], "0"), strings.TrimLeft(b[:db], "0")
			if c := len(na) - len(nb); c != 0 {
				return c
			}
			if c := strings.Compare(na, nb); c != 0 {
				return c
			}
			a, b = a[da:], b[db:]
			continue
		}
		if a[0] != b[0] {
			return int(a[0]) - int(b[0])
		}
		a, b = a[1:], b[1:]
	}
	return len(a) - len(b)
}

func genDigits(s string) int {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	return i
}

// genIDSystems names the ID systems of /vulnerabilities[]/ids by prefix.
var genIDSystems = []struct{ prefix, name string }{
	{"GHSA-", "GitHub Security Advisories"},
	{"GO-", "Go Vulnerability Database"},
	{"PYSEC-", "PyPI Advisory Database"},
	{"RUSTSEC-", "RustSec Advisory Database"},
	{"EUVD-", "European Vulnerability Database (ENISA)"},
	{"CVE-", "CVE"},
}

func genIDSystem(id string) string {
	for _, s := range genIDSystems {
		if strings.HasPrefix(id, s.prefix) {
			return s.name
		}
	}
	return "OSV"
}

func (g *genState) vulnerabilities() ([]Vulnerability, error) {
	in := g.in
	vulns := slices.Clone(in.Vulnerabilities)
	slices.SortFunc(vulns, func(a, b VulnInput) int { return strings.Compare(a.ID, b.ID) })
	if len(vulns) == 0 {
		return nil, errors.New("csaf: no vulnerabilities")
	}
	cves := map[string]string{}
	var out []Vulnerability
	for i := range vulns {
		v, err := g.vulnerability(&vulns[i])
		if err != nil {
			return nil, fmt.Errorf("csaf: vulnerability %s: %w", vulns[i].ID, err)
		}
		if v.CVE != "" {
			if other, dup := cves[v.CVE]; dup {
				return nil, fmt.Errorf("csaf: vulnerabilities %s and %s both are %s (test 6.1.23): merge them", other, vulns[i].ID, v.CVE)
			}
			cves[v.CVE] = vulns[i].ID
		}
		out = append(out, v)
	}
	return out, nil
}

func (g *genState) vulnerability(in *VulnInput) (Vulnerability, error) {
	if strings.TrimSpace(in.ID) == "" {
		return Vulnerability{}, errors.New("id is empty")
	}
	var v Vulnerability
	v.Title = in.Title
	all := append([]string{in.ID}, in.Aliases...)
	seen := map[string]bool{}
	for _, id := range all {
		if id == "" || seen[id] {
			continue
		}
		seen[id] = true
		if v.CVE == "" && genCVEPattern.MatchString(id) {
			v.CVE = id
			continue
		}
		v.IDs = append(v.IDs, VulnID{SystemName: genIDSystem(id), Text: id})
	}
	slices.SortFunc(v.IDs, func(a, b VulnID) int { return strings.Compare(a.Text, b.Text) })
	if !in.DiscoveryDate.IsZero() {
		v.DiscoveryDate = genTime(in.DiscoveryDate)
	}
	if in.CWE != nil && in.CWE.ID != "" {
		if !genCWEPattern.MatchString(in.CWE.ID) || strings.TrimSpace(in.CWE.Name) == "" {
			return Vulnerability{}, fmt.Errorf("cwe %q: want an ID like CWE-79 and its official name", in.CWE.ID)
		}
		v.CWE = in.CWE
	}

	// Product status, flags, impact threats and remediations.
	status := map[string]vex.Status{}
	var ps ProductStatus
	flags := map[string][]string{}
	impacts := map[string][]string{}
	fixes := map[string][]string{}   // remediation details → product IDs
	actions := map[string][]string{} // mitigation details → product IDs
	var noFix []string
	set := func(id string, s vex.Status, where string) error {
		if old, ok := status[id]; ok {
			if old == s {
				return nil
			}
			return fmt.Errorf("%s: release %s is both %s and %s (test 6.1.6)", where, g.names[id], old, s)
		}
		status[id] = s
		switch s {
		case vex.StatusAffected:
			ps.KnownAffected = append(ps.KnownAffected, id)
		case vex.StatusNotAffected:
			ps.KnownNotAffected = append(ps.KnownNotAffected, id)
		case vex.StatusFixed:
			ps.Fixed = append(ps.Fixed, id)
		case vex.StatusUnderInvestigation:
			ps.UnderInvestigation = append(ps.UnderInvestigation, id)
		}
		return nil
	}
	for si, st := range in.Statuses {
		where := fmt.Sprintf("statuses[%d]", si)
		id, ok := g.ids[[2]string{st.Product, st.Version}]
		if !ok {
			return Vulnerability{}, fmt.Errorf("%s: release %q of product %q is not in products", where, st.Version, st.Product)
		}
		if !st.Status.Valid() {
			return Vulnerability{}, fmt.Errorf("%s: status %q: want affected, not_affected, fixed or under_investigation", where, st.Status)
		}
		if err := set(id, st.Status, where); err != nil {
			return Vulnerability{}, err
		}
		switch st.Status {
		case vex.StatusNotAffected:
			if st.Justification == "" && strings.TrimSpace(st.Impact) == "" {
				return Vulnerability{}, fmt.Errorf("%s: not_affected needs a justification or an impact statement", where)
			}
			if st.Justification != "" {
				if !st.Justification.Valid() {
					return Vulnerability{}, fmt.Errorf("%s: justification %q is not an OpenVEX justification", where, st.Justification)
				}
				flags[FlagLabel(st.Justification)] = append(flags[FlagLabel(st.Justification)], id)
			}
			if t := strings.TrimSpace(st.Impact); t != "" {
				impacts[t] = append(impacts[t], id)
			}
		case vex.StatusUnderInvestigation:
			// A newer release that no longer has the vulnerability is
			// still worth telling users about while the older one is
			// being assessed.
			if st.FixedIn != "" {
				fixedID := g.ids[[2]string{st.Product, st.FixedIn}]
				if err := set(fixedID, vex.StatusFixed, where+" fixed_in"); err != nil {
					return Vulnerability{}, err
				}
				d := fmt.Sprintf("Update %s to version %s or later.", st.Product, st.FixedIn)
				fixes[d] = append(fixes[d], id)
			}
		case vex.StatusAffected:
			switch {
			case st.FixedIn != "":
				fixedID := g.ids[[2]string{st.Product, st.FixedIn}]
				if err := set(fixedID, vex.StatusFixed, where+" fixed_in"); err != nil {
					return Vulnerability{}, err
				}
				d := fmt.Sprintf("Update %s to version %s or later.", st.Product, st.FixedIn)
				fixes[d] = append(fixes[d], id)
			case strings.TrimSpace(st.Action) != "":
				t := strings.TrimSpace(st.Action)
				actions[t] = append(actions[t], id)
			default:
				noFix = append(noFix, id)
			}
		}
	}
	for _, l := range [][]string{ps.Fixed, ps.KnownAffected, ps.KnownNotAffected, ps.UnderInvestigation} {
		slices.Sort(l)
	}
	v.ProductStatus = &ps
	if len(status) == 0 {
		return Vulnerability{}, errors.New("no release statuses")
	}
	for _, label := range genSortedKeys(flags) {
		v.Flags = append(v.Flags, Flag{Label: label, ProductIDs: genSorted(flags[label])})
	}
	for _, d := range genSortedKeys(impacts) {
		v.Threats = append(v.Threats, Threat{Category: ThreatImpact, Details: d, ProductIDs: genSorted(impacts[d])})
	}
	for _, d := range genSortedKeys(fixes) {
		v.Remediations = append(v.Remediations, Remediation{Category: RemediationVendorFix, Details: d, ProductIDs: genSorted(fixes[d])})
	}
	for _, d := range genSortedKeys(actions) {
		v.Remediations = append(v.Remediations, Remediation{Category: RemediationMitigation, Details: d, ProductIDs: genSorted(actions[d])})
	}
	if len(noFix) > 0 {
		v.Remediations = append(v.Remediations, Remediation{Category: RemediationNoneAvail,
			Details: "No fix is available yet; this advisory will be updated when one is.", ProductIDs: genSorted(noFix)})
	}

	// Scores and severity apply to every release that is or was affected.
	scored := genSorted(append(append(slices.Clone(ps.KnownAffected), ps.Fixed...), ps.UnderInvestigation...))
	// Severity and exploitation threats name the releases still exposed
	// (affected or being assessed); only when none is left, the fixed ones.
	exposed := genSorted(append(slices.Clone(ps.KnownAffected), ps.UnderInvestigation...))
	if len(exposed) == 0 {
		exposed = scored
	}
	var comps []string
	for _, c := range in.Components {
		if c = strings.TrimSpace(c); c != "" {
			comps = append(comps, c)
		}
	}
	desc := strings.TrimSpace(in.Description)
	if desc == "" {
		desc = fmt.Sprintf("%s affects the components listed below.", in.ID)
		if len(comps) == 0 {
			desc = fmt.Sprintf("Vulnerability %s.", in.ID)
		}
	}
	v.Notes = append(v.Notes, Note{Category: NoteDescription, Title: "Description", Text: desc})
	if len(comps) > 0 {
		comps = genSorted(comps)
		v.Notes = append(v.Notes, Note{Category: NoteDetails, Title: "Affected components", Text: strings.Join(comps, "\n")})
	}
	if vec := strings.TrimSpace(in.CVSSVector); vec != "" {
		score, note, err := genCVSS(vec)
		if err != nil {
			return Vulnerability{}, err
		}
		if score != nil && len(scored) > 0 {
			v.Scores = []Score{{CVSSv3: score, Products: scored}}
		}
		if note != nil {
			v.Notes = append(v.Notes, *note)
		}
	} else if in.SeverityLevel != "" && len(scored) > 0 {
		d := "Severity: " + in.SeverityLevel
		if in.SeverityScore > 0 {
			d += fmt.Sprintf(" (CVSS base score %.1f as rated by the advisory database; no vector is known)", in.SeverityScore)
		}
		v.Threats = append(v.Threats, Threat{Category: ThreatImpact, Details: d + ".", ProductIDs: exposed})
	}
	if in.KEVDateAdded != "" && len(scored) > 0 {
		v.Threats = append(v.Threats, Threat{Category: ThreatExploitStatus, ProductIDs: exposed,
			Details: "Actively exploited: listed in the CISA Known Exploited Vulnerabilities catalog since " + in.KEVDateAdded + "."})
	}
	for i, n := range in.Notes {
		if strings.TrimSpace(n.Text) == "" || n.Category == "" {
			return Vulnerability{}, fmt.Errorf("notes[%d]: category and text are required", i)
		}
		v.Notes = append(v.Notes, n)
	}
	for i, r := range in.References {
		if strings.TrimSpace(r.Summary) == "" || r.URL == "" {
			return Vulnerability{}, fmt.Errorf("references[%d]: summary and url are required", i)
		}
		if err := genURL(fmt.Sprintf("references[%d].url", i), r.URL); err != nil {
			return Vulnerability{}, err
		}
		if r.Category == "" {
			r.Category = ReferenceExternal
		}
		v.References = append(v.References, r)
	}
	return v, nil
}

// genCVSS turns a vector into a cvss_v3 object (v3.0, v3.1) or a note
// (v4.0, which CSAF 2.0 cannot carry as a score).
func genCVSS(vec string) (*CVSSv3, *Note, error) {
	switch {
	case strings.HasPrefix(vec, "CVSS:3.1/"):
		c, err := cvss31.ParseVector(vec)
		if err != nil {
			return nil, nil, fmt.Errorf("cvss vector %q: %w", vec, err)
		}
		s := c.BaseScore()
		r, err := cvss31.Rating(s)
		if err != nil {
			return nil, nil, fmt.Errorf("cvss vector %q: %w", vec, err)
		}
		return &CVSSv3{Version: "3.1", VectorString: c.Vector(), BaseScore: s, BaseSeverity: r}, nil, nil
	case strings.HasPrefix(vec, "CVSS:3.0/"):
		c, err := cvss30.ParseVector(vec)
		if err != nil {
			return nil, nil, fmt.Errorf("cvss vector %q: %w", vec, err)
		}
		s := c.BaseScore()
		r, err := cvss30.Rating(s)
		if err != nil {
			return nil, nil, fmt.Errorf("cvss vector %q: %w", vec, err)
		}
		return &CVSSv3{Version: "3.0", VectorString: c.Vector(), BaseScore: s, BaseSeverity: r}, nil, nil
	case strings.HasPrefix(vec, "CVSS:4.0/"):
		c, err := cvss40.ParseVector(vec)
		if err != nil {
			return nil, nil, fmt.Errorf("cvss vector %q: %w", vec, err)
		}
		s := c.Score()
		r, err := cvss40.Rating(s)
		if err != nil {
			return nil, nil, fmt.Errorf("cvss vector %q: %w", vec, err)
		}
		return nil, &Note{Category: NoteOther, Title: "CVSS v4.0",
			Text: fmt.Sprintf("%s (score %.1f, %s)", c.Vector(), s, strings.ToLower(r))}, nil
	}
	return nil, nil, fmt.Errorf("cvss vector %q: want a CVSS:3.0/, CVSS:3.1/ or CVSS:4.0/ vector", vec)
}

// genURL refuses what the schema's uri format refuses: a relative or
// unparsable URL, or one with spaces or control characters.
func genURL(field, u string) error {
	p, err := url.Parse(u)
	if err != nil || !p.IsAbs() || strings.ContainsFunc(u, func(r rune) bool { return r <= ' ' || r == 0x7f }) {
		return fmt.Errorf("csaf: %s %q: want an absolute URL", field, u)
	}
	return nil
}

// FlagLabel is the CSAF flag label of an OpenVEX justification: CSAF 2.0
// section 3.2.3.5 uses the same five names.
func FlagLabel(j vex.Justification) string {
	switch j {
	case vex.ComponentNotPresent:
		return FlagComponentNotPresent
	case vex.VulnerableCodeNotPresent:
		return FlagVulnerableCodeNotPresent
	case vex.VulnerableCodeNotInExecutePath:
		return FlagVulnerableCodeNotInExecutePath
	case vex.VulnerableCodeCannotBeControlledByAdversary:
		return FlagVulnerableCodeCannotBeControlledByAdversary
	case vex.InlineMitigationsAlreadyExist:
		return FlagInlineMitigationsAlreadyExist
	}
	return ""
}

func genSorted(s []string) []string {
	slices.Sort(s)
	return slices.Compact(s)
}

func genSortedKeys(m map[string][]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// genCVEPattern is the schema's pattern of /vulnerabilities[]/cve; other
// CVE-like strings go to ids.
// genCWEPattern is the schema's pattern of /vulnerabilities[]/cwe/id.
var genCWEPattern = regexp.MustCompile(`^CWE-[1-9]\d{0,5}$`)

var genCVEPattern = regexp.MustCompile(`^CVE-[0-9]{4}-[0-9]{4,}$`)

var genFilenameUnsafe = regexp.MustCompile(`[^+\-a-z0-9]+`)

// Filename is the file name section 5.1 gives a document with this
// tracking ID: lower case, every run of characters other than +, - and
// a-z0-9 replaced by "_", and ".json".
func Filename(trackingID string) string {
	return genFilenameUnsafe.ReplaceAllString(strings.ToLower(trackingID), "_") + ".json"
}

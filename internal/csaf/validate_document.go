package csaf

import (
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/package-url/packageurl-go"
	"golang.org/x/mod/semver"
	"golang.org/x/text/language"
)

// testLanguages runs 6.1.12 (valid language tags), 6.1.15 (a translator
// names the source language) and 6.1.28 (a translation differs from its
// source language).
func (c *checker) testLanguages() {
	doc := get(c.doc, "document")
	dp := root.key("document")
	for _, k := range []string{"lang", "source_lang"} {
		tag, ok := get(doc, k).(string)
		if !ok {
			continue
		}
		// language.Parse checks BCP 47 syntax and that every subtag is
		// registered (it answers "well-formed but unknown" for "EZ").
		if _, err := language.Parse(tag); err != nil {
			c.fail("6.1.12", dp.key(k), "%q is not a valid BCP 47 language tag: %v", tag, err)
		}
	}
	if str(get(doc, "publisher", "category")) == "translator" && !has(doc, "source_lang") {
		c.fail("6.1.15", dp.key("source_lang"), "the publisher is a translator, so the document must give source_lang")
	}
	lang, ok1 := get(doc, "lang").(string)
	src, ok2 := get(doc, "source_lang").(string)
	if ok1 && ok2 && strings.EqualFold(lang, src) {
		c.fail("6.1.28", dp.key("lang"), "lang and source_lang are both %q: a translation must differ from its source language", lang)
	}
}

// testPURLs runs 6.1.13: every package URL is valid.
func (c *checker) testPURLs(t productTree) {
	for _, p := range t.products {
		s, ok := get(p.obj, "product_identification_helper", "purl").(string)
		if !ok {
			continue
		}
		if _, err := packageurl.FromString(s); err != nil {
			c.fail("6.1.13", p.path.key("product_identification_helper").key("purl"), "%q is not a valid package URL: %v", s, err)
		}
	}
}

// docVersion is a CSAF version (version_t): an integer or a semantic version.
type docVersion struct {
	raw     string
	integer bool
	valid   bool
}

var integerVersion = regexp.MustCompile(`^(0|[1-9][0-9]*)$`)

func parseVersion(s string) docVersion {
	switch {
	case integerVersion.MatchString(s):
		return docVersion{raw: s, integer: true, valid: true}
	case semver.IsValid("v"+s) && strings.Count(strings.SplitN(strings.SplitN(s, "+", 2)[0], "-", 2)[0], ".") == 2:
		return docVersion{raw: s, valid: true}
	}
	return docVersion{raw: s}
}

// major is the integer or the semantic major version, as digits.
func (v docVersion) major() string {
	if v.integer {
		return v.raw
	}
	return strings.SplitN(v.raw, ".", 2)[0]
}

func (v docVersion) preRelease() bool { return !v.integer && semver.Prerelease("v"+v.raw) != "" }

// withoutBuild drops semantic-version build metadata, which never counts
// in comparisons.
func (v docVersion) withoutBuild() string {
	s, _, _ := strings.Cut(v.raw, "+")
	return s
}

// compareVersions orders two versions of the same kind; ok is false when
// they cannot be compared (invalid, or one integer and one semantic).
func compareVersions(a, b docVersion) (int, bool) {
	if !a.valid || !b.valid || a.integer != b.integer {
		return 0, false
	}
	if a.integer {
		return compareDigits(a.raw, b.raw), true
	}
	return semver.Compare("v"+a.raw, "v"+b.raw), true
}

// compareDigits compares decimal integers without leading zeros of any
// length (no overflow).
func compareDigits(a, b string) int {
	if len(a) != len(b) {
		return len(a) - len(b)
	}
	return strings.Compare(a, b)
}

// revision is one /document/tracking/revision_history item.
type revision struct {
	path    jsonPath
	number  docVersion
	date    time.Time
	dateSet bool
}

// testRevisionHistory runs the tests on /document/tracking: 6.1.14
// (sorted revision history), 6.1.16 (latest document version), 6.1.17
// (draft status), 6.1.18 (released revision history), 6.1.19 (no
// pre-release revisions), 6.1.20 (non-draft version), 6.1.21 (no missing
// item), 6.1.22 (no duplicate number) and 6.1.30 (no mixed versioning).
func (c *checker) testRevisionHistory() {
	tracking := get(c.doc, "document", "tracking")
	tp := root.key("document").key("tracking")
	status := str(get(tracking, "status"))
	released := status == "final" || status == "interim"
	versionString, hasVersion := get(tracking, "version").(string)
	version := parseVersion(versionString)

	var revs []revision
	for i, r := range arr(get(tracking, "revision_history")) {
		rp := tp.key("revision_history").index(i)
		num, ok := get(r, "number").(string)
		if !ok {
			continue
		}
		rev := revision{path: rp, number: parseVersion(num)}
		if d, err := time.Parse(time.RFC3339Nano, str(get(r, "date"))); err == nil {
			rev.date, rev.dateSet = d, true
		}
		revs = append(revs, rev)
	}

	// 6.1.30 first: when versioning is mixed, the order tests below cannot
	// compare numbers and skip those pairs.
	if hasVersion && version.valid {
		for _, r := range revs {
			if r.number.valid && r.number.integer != version.integer {
				c.fail("6.1.30", r.path.key("number"), "revision %q and document version %q mix integer and semantic versioning", r.number.raw, version.raw)
			}
		}
	}

	// 6.1.22: each number once.
	seen := map[string]bool{}
	for _, r := range revs {
		if seen[r.number.raw] {
			c.fail("6.1.22", r.path.key("number"), "revision number %q appears more than once in the revision history", r.number.raw)
		}
		seen[r.number.raw] = true
	}

	for _, r := range revs {
		if r.number.preRelease() { // 6.1.19
			c.fail("6.1.19", r.path.key("number"), "revision %q is a pre-release; the revision history holds no pre-release versions", r.number.raw)
		}
		if released && r.number.valid && r.number.major() == "0" { // 6.1.18
			c.fail("6.1.18", r.path.key("number"), "document status is %s but revision %q is a version 0 (pre-release) revision", status, r.number.raw)
		}
	}

	if hasVersion && version.valid {
		if (version.major() == "0" || version.preRelease()) && status != "draft" { // 6.1.17
			c.fail("6.1.17", tp.key("status"), "document version %q is a pre-release or version 0, so status must be draft, not %q", version.raw, status)
		}
		if released && version.preRelease() { // 6.1.20
			c.fail("6.1.20", tp.key("version"), "document status is %s but version %q has a pre-release part", status, version.raw)
		}
	}

	// Sorted by date, then by number for equal dates.
	byDate := slices.Clone(revs)
	byDate = slices.DeleteFunc(byDate, func(r revision) bool { return !r.dateSet })
	slices.SortStableFunc(byDate, func(a, b revision) int {
		if c := a.date.Compare(b.date); c != 0 {
			return c
		}
		n, _ := compareVersions(a.number, b.number)
		return n
	})
	unsorted := false
	for i := 1; i < len(byDate); i++ { // 6.1.14
		prev, cur := byDate[i-1], byDate[i]
		if n, ok := compareVersions(prev.number, cur.number); ok && n > 0 && prev.date.Before(cur.date) {
			unsorted = true
			c.fail("6.1.14", cur.path.key("number"), "revision %q is dated after revision %q but has a lower number: sorted by date, numbers must ascend", cur.number.raw, prev.number.raw)
		}
	}
	if hasVersion && version.valid && len(byDate) > 0 && len(byDate) == len(revs) { // 6.1.16
		latest := byDate[len(byDate)-1].number
		want, got := latest.withoutBuild(), version.withoutBuild()
		if status == "draft" {
			want, _, _ = strings.Cut(want, "-")
			got, _, _ = strings.Cut(got, "-")
		}
		if latest.valid && want != got {
			c.fail("6.1.16", tp.key("version"), "document version %q is not the number of the latest revision (%q)", version.raw, latest.raw)
		}
	}

	// 6.1.21: sorted by date, the (major) versions start at 0 or 1 and
	// omit none. Only when every item has a date and versioning is not
	// mixed, and not when 6.1.14 failed: in a history whose dates and
	// numbers disagree, a gap "by date" would only repeat that failure.
	if unsorted || len(byDate) == 0 || len(byDate) != len(revs) || slices.ContainsFunc(byDate, func(r revision) bool {
		return !r.number.valid || r.number.integer != byDate[0].number.integer
	}) {
		return
	}
	var majors []uint64
	var majorAt []revision
	seenMajor := map[uint64]bool{}
	for _, r := range byDate {
		m, err := strconv.ParseUint(r.number.major(), 10, 64)
		if err != nil {
			m = math.MaxUint64 // absurdly large: reported as a gap below
		}
		if !seenMajor[m] {
			seenMajor[m] = true
			majors, majorAt = append(majors, m), append(majorAt, r)
		}
	}
	if majors[0] > 1 {
		c.fail("6.1.21", majorAt[0].path.key("number"), "the revision history, sorted by date, starts at %q; it must start with version 0 or 1", majorAt[0].number.raw)
		return
	}
	for i, m := range majors {
		if want := majors[0] + uint64(i); m > want {
			c.fail("6.1.21", majorAt[i].path.key("number"), "the revision history, sorted by date, goes on with %q: version %d is missing", majorAt[i].number.raw, want)
			return
		}
	}
}

// testVulnerabilityIDs runs 6.1.23 (a CVE in one vulnerability only) and
// 6.1.24 (an involvement per party and date only once).
func (c *checker) testVulnerabilityIDs() {
	cves := map[string]jsonPath{}
	for i, v := range arr(get(c.doc, "vulnerabilities")) {
		vp := root.key("vulnerabilities").index(i)
		if cve, ok := get(v, "cve").(string); ok {
			if first, dup := cves[cve]; dup {
				c.fail("6.1.23", vp.key("cve"), "%s is also used by %s: one CVE, one vulnerability item", cve, first)
			} else {
				cves[cve] = vp.key("cve")
			}
		}
		involvements := map[[2]string]bool{}
		for j, inv := range arr(get(v, "involvements")) {
			party, ok := get(inv, "party").(string)
			if !ok {
				continue
			}
			date := str(get(inv, "date"))
			if d, err := time.Parse(time.RFC3339Nano, date); err == nil {
				date = d.UTC().Format(time.RFC3339Nano) // the same instant, however written
			}
			key := [2]string{party, date}
			if involvements[key] {
				c.fail("6.1.24", vp.key("involvements").index(j), "involvement of party %q at date %q is given more than once", party, str(get(inv, "date")))
			}
			involvements[key] = true
		}
	}
}

// The document categories of the profiles of section 4.
const (
	categoryBase        = "csaf_base"
	categoryIncident    = "csaf_security_incident_response"
	categoryInformation = "csaf_informational_advisory"
	categoryAdvisory    = "csaf_security_advisory"
	categoryVEX         = "csaf_vex"
)

// testCategory runs 6.1.26: a category that is not a profile's must not
// look like one, nor use the reserved prefix csaf_.
func (c *checker) testCategory() {
	cat, ok := get(c.doc, "document", "category").(string)
	if !ok {
		return
	}
	switch cat {
	case categoryBase, categoryIncident, categoryInformation, categoryAdvisory, categoryVEX:
		return
	}
	p := root.key("document").key("category")
	if strings.HasPrefix(strings.ToLower(cat), "csaf_") {
		c.fail("6.1.26", p, "category %q uses the reserved prefix csaf_ but is not one of the profiles' categories", cat)
		return
	}
	norm := strings.Map(func(r rune) rune {
		if r == '-' || r == '_' || r == ' ' || r == '\t' || r == '\n' || r == '\r' {
			return -1
		}
		return r
	}, strings.ToLower(cat))
	norm = strings.TrimPrefix(norm, "csaf")
	for _, profile := range []string{categoryIncident, categoryInformation, categoryAdvisory, categoryVEX} {
		if norm == strings.ReplaceAll(strings.TrimPrefix(profile, "csaf_"), "_", "") {
			c.fail("6.1.26", p, "category %q is too close to the profile category %q; use that value or another name", cat, profile)
		}
	}
}

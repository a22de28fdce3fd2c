package match

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/craft-cra/craft/internal/osv"
	"github.com/google/osv-scalibr/semantic"
)

type eventKind int

const (
	evIntroduced eventKind = iota
	evFixed
	evLastAffected
	evLimit
)

func (k eventKind) String() string {
	switch k {
	case evIntroduced:
		return "introduced"
	case evFixed:
		return "fixed"
	case evLastAffected:
		return "last_affected"
	default:
		return "limit"
	}
}

// event is one parsed range event.
type event struct {
	kind eventKind
	raw  string
	v    semantic.Version // nil for "introduced: 0" and "limit: *", and until needed when key is set
	key  numericKey
	zero bool // "introduced: 0" or "limit: *": no version
}

func (e event) String() string { return e.kind.String() + " " + e.raw }

// compiledRange is one SEMVER or ECOSYSTEM range with its events parsed
// and sorted (introduced "0" first, then by version; equal versions keep
// the record's order).
type compiledRange struct {
	vc     *versionCache // parses versions kept only as numeric keys when needed
	typ    string
	order  string
	events []event // introduced, fixed, last_affected
	limits []event
}

// compiledAffected is one affected[] entry of a record.
type compiledAffected struct {
	src      *osv.Affected // as in the record
	base     string
	suffix   string
	name     string // osv.NormalizeName form, set on first use (named)
	named    bool
	compiled bool
	ranges   []compiledRange // compiled from src.Ranges on first use
}

// compiledRecord is a record with its version bounds parsed once per run.
type compiledRecord struct {
	rec      *osv.Vulnerability
	affected []compiledAffected
	notes    []string // problems met while compiling (bad events, ...)
}

// compile prepares rec for matching: each affected entry's package is
// resolved now, its ranges on first use (rangesOf), so entries for other
// packages of a many-package record cost nothing.
func compile(rec *osv.Vulnerability, vc *versionCache) *compiledRecord {
	cr := &compiledRecord{}
	compileInto(cr, rec, make([]compiledAffected, len(rec.Affected)))
	return cr
}

// compileInto is compile into caller-provided memory: cr, and affected
// with len(rec.Affected) entries. Package names are normalised on first
// use (compiledAffected.is), so entries of other ecosystems cost nothing.
func compileInto(cr *compiledRecord, rec *osv.Vulnerability, affected []compiledAffected) {
	*cr = compiledRecord{rec: rec, affected: affected}
	for i := range rec.Affected {
		a := &rec.Affected[i]
		base, suffix := splitEcosystem(a.Package.Ecosystem)
		affected[i] = compiledAffected{src: a, base: base, suffix: suffix}
	}
}

// is reports whether the entry names the package (base ecosystem, suffix,
// normalised names). raw, when not "", is a name whose normal form is in
// names: an entry that spells the package the same way needs no
// normalising.
func (a *compiledAffected) is(base, suffix string, names []string, raw string, vc *versionCache) bool {
	if a.base != base || !suffixCompatible(a.suffix, suffix) {
		return false
	}
	if !a.named {
		if raw != "" && a.src.Package.Name == raw {
			return true
		}
		a.name, a.named = vc.normalName(a.base, a.src.Package.Name), true
	}
	return slices.Contains(names, a.name)
}

// rangesOf returns the parsed SEMVER and ECOSYSTEM ranges of affected entry
// i. Events that do not parse are left out with a note; GIT ranges are left
// out (they need the repository's commit graph and say nothing about
// package versions), and so, with a note, are other range types.
func (cr *compiledRecord) rangesOf(i int, vc *versionCache) []compiledRange {
	a := &cr.affected[i]
	if a.compiled {
		return a.ranges
	}
	a.compiled = true
	id := cr.rec.ID
	a.ranges = make([]compiledRange, 0, len(a.src.Ranges))
	for _, r := range a.src.Ranges {
		var order string
		switch r.Type {
		case osv.RangeSemver:
			order = orderSemver
		case osv.RangeEcosystem:
			order = a.base
			if !vc.supported(order) {
				cr.notes = append(cr.notes, fmt.Sprintf("%s: ECOSYSTEM range of %s %q not evaluated: no version order for %s", id, a.src.Package.Ecosystem, a.src.Package.Name, a.base))
				continue
			}
		case osv.RangeGit:
			continue
		default:
			cr.notes = append(cr.notes, fmt.Sprintf("%s: range type %q of %q not evaluated", id, r.Type, a.src.Package.Name))
			continue
		}
		a.ranges = append(a.ranges, compileRange(id, r, order, vc, &cr.notes))
	}
	return a.ranges
}

func compileRange(id string, r osv.Range, order string, vc *versionCache, notes *[]string) compiledRange {
	cr := compiledRange{vc: vc, typ: r.Type, order: order, events: make([]event, 0, len(r.Events))}
	for i := range r.Events {
		e := &r.Events[i]
		var ev event
		switch {
		case e.Introduced != "":
			ev = event{kind: evIntroduced, raw: e.Introduced}
		case e.Fixed != "":
			ev = event{kind: evFixed, raw: e.Fixed}
		case e.LastAffected != "":
			ev = event{kind: evLastAffected, raw: e.LastAffected}
		case e.Limit != "":
			ev = event{kind: evLimit, raw: e.Limit}
		default:
			*notes = append(*notes, fmt.Sprintf("%s: empty range event ignored", id))
			continue
		}
		special := (ev.kind == evIntroduced && ev.raw == "0") || (ev.kind == evLimit && strings.Contains(ev.raw, "*"))
		if special {
			ev.zero = true
		} else {
			p := vc.quick(order, ev.raw)
			if p.err != nil {
				*notes = append(*notes, fmt.Sprintf("%s: event %q ignored: does not parse as a %s version: %v", id, ev.String(), order, p.err))
				continue
			}
			ev.v, ev.key = p.v, p.key
		}
		if ev.kind == evLimit {
			cr.limits = append(cr.limits, ev)
		} else {
			cr.events = append(cr.events, ev)
		}
	}
	slices.SortStableFunc(cr.events, cr.compareEvents)
	return cr
}

func (r *compiledRange) compareEvents(a, b event) int {
	az, bz := a.zero, b.zero // only "introduced: 0" has no version here
	switch {
	case az && bz:
		return 0
	case az:
		return -1
	case bz:
		return 1
	}
	c, err := r.compare(a.v, a.key, a.raw, &b)
	if err != nil {
		return 0
	}
	return c
}

// compare compares a version (v, or its numeric key k, or raw when v is
// nil) with event e: through the numeric keys when both have one, else
// with compareVersions.
func (r *compiledRange) compare(v semantic.Version, k numericKey, raw string, e *event) (int, error) {
	if k.n > 0 && e.key.n > 0 {
		return compareNumeric(k, e.key), nil
	}
	if v == nil {
		p := r.vc.parsed(r.order, raw)
		if p.err != nil {
			return 0, p.err
		}
		v = p.v
	}
	if e.v == nil {
		p := r.vc.parsed(r.order, e.raw)
		if p.err != nil {
			return 0, p.err
		}
		e.v = p.v
	}
	return compareVersions(v, e.v)
}

// rangeHit says where a version lies in a range that contains it.
type rangeHit struct {
	introduced event
	closer     *event // the fixed/last_affected event that ends the affected run, if any
	limit      *event // the limit that bounds the range, if any
}

// contains evaluates the OSV algorithm for one range: BeforeLimits, then
// the sorted event timeline. It returns nil when v is not affected.
func (r *compiledRange) contains(v semantic.Version) (*rangeHit, error) {
	hit, ok, err := r.find(v, numericKey{}, "")
	if !ok || err != nil {
		return nil, err
	}
	return &hit, nil
}

// find is contains without allocating, for v or, when v is nil, its
// numeric key vk and string raw: ok is false when v is not affected.
func (r *compiledRange) find(v semantic.Version, vk numericKey, raw string) (hit rangeHit, ok bool, err error) {
	var limit *event
	if len(r.limits) > 0 {
		before := false
		for i := range r.limits {
			l := &r.limits[i]
			if l.zero {
				before, limit = true, l
				break
			}
			c, err := r.compare(v, vk, raw, l)
			if err != nil {
				return rangeHit{}, false, err
			}
			if c < 0 {
				before, limit = true, l
				break
			}
		}
		if !before {
			return rangeHit{}, false, nil
		}
	}
	vulnerable := false
	at := -1
	for i := range r.events {
		e := &r.events[i]
		if e.kind == evIntroduced && e.zero {
			vulnerable, at = true, i
			continue
		}
		c, err := r.compare(v, vk, raw, e)
		if err != nil {
			return rangeHit{}, false, err
		}
		switch e.kind {
		case evIntroduced:
			if c >= 0 {
				vulnerable, at = true, i
			}
		case evFixed:
			if c >= 0 {
				vulnerable = false
			}
		case evLastAffected:
			if c > 0 {
				vulnerable = false
			}
		}
	}
	if !vulnerable {
		return rangeHit{}, false, nil
	}
	hit = rangeHit{introduced: r.events[at], limit: limit}
	for i := at + 1; i < len(r.events); i++ {
		if k := r.events[i].kind; k == evFixed || k == evLastAffected {
			hit.closer = &r.events[i]
			break
		}
	}
	return hit, true, nil
}

// subject is a version being tested against records: the installed
// version or a candidate fix, parsed lazily in each order it meets.
type subject struct {
	raw     string
	listRaw string // form compared with versions lists
	pkgRaw  string // the component's name as written, when names is its normal form alone
	vc      *versionCache
	// raw parsed in up to two orders (the ecosystem's and SemVer), set by
	// prime so that evaluating many records does not look them up again.
	n      int
	orders [2]string
	parsed [2]parsedVersion
}

// prime parses the subject in order now and keeps the result.
func (s *subject) prime(order string) {
	if s.n == len(s.orders) {
		return
	}
	for i := range s.n {
		if s.orders[i] == order {
			return
		}
	}
	s.orders[s.n], s.parsed[s.n] = order, s.vc.quick(order, s.raw)
	s.n++
}

// inParsed is the subject in order as versionCache.quick gives it: a plain
// release version may have only its numeric key.
func (s *subject) inParsed(order string) parsedVersion {
	for i := range s.n {
		if s.orders[i] == order {
			return s.parsed[i]
		}
	}
	return s.vc.quick(order, s.raw)
}

// inVersions is the OSV IncludedInVersions: exact string equality. Go
// versions are compared without their "v" prefix, since Go components
// carry it and the Go database does not.
func (s *subject) inVersions(list []string, goEco bool) bool {
	for _, l := range list {
		if l == s.listRaw || (goEco && strings.TrimPrefix(l, "v") == s.listRaw) {
			return true
		}
	}
	return false
}

// affectedMatch is what one record says about a subject.
type affectedMatch struct {
	evidence Evidence
	fixes    []string // fixed events that close the subject's affected runs
}

// evalAffected evaluates the subject against the record's affected
// entries for the package (base ecosystem, suffix, normalised names). It
// returns nil when the record does not affect the subject. Comparison
// errors are added to notes.
func (cr *compiledRecord) evalAffected(s *subject, base, suffix string, names []string, notes *[]string) *affectedMatch {
	var m *affectedMatch
	for i := range cr.affected {
		a := &cr.affected[i]
		if !a.is(base, suffix, names, s.pkgRaw, s.vc) {
			continue
		}
		ranges := cr.rangesOf(i, s.vc)
		for j := range ranges {
			r := &ranges[j]
			pv := s.inParsed(r.order)
			if pv.err != nil {
				continue // the caller notes an unparsable installed version once
			}
			hit, ok, err := r.find(pv.v, pv.key, s.raw)
			if err != nil {
				*notes = append(*notes, fmt.Sprintf("%s: %s range of %q not evaluated for %q: %v", cr.rec.ID, r.typ, a.src.Package.Name, s.raw, err))
				continue
			}
			if !ok {
				continue
			}
			if m == nil {
				ev := []string{hit.introduced.String()}
				if hit.closer != nil {
					ev = append(ev, hit.closer.String())
				}
				if hit.limit != nil {
					ev = append(ev, hit.limit.String())
				}
				m = &affectedMatch{evidence: Evidence{
					RecordID: cr.rec.ID, Ecosystem: a.src.Package.Ecosystem, Package: a.src.Package.Name,
					RangeType: r.typ, Events: ev,
				}}
			}
			if hit.closer != nil && hit.closer.kind == evFixed && !slices.Contains(m.fixes, hit.closer.raw) {
				m.fixes = append(m.fixes, hit.closer.raw)
			}
		}
	}
	if m != nil {
		return m
	}
	// no range matched: the first versions list that has the subject
	if a := cr.listing(s, base, suffix, names); a != nil {
		return &affectedMatch{evidence: Evidence{
			RecordID: cr.rec.ID, Ecosystem: a.src.Package.Ecosystem, Package: a.src.Package.Name,
			RangeType: RangeVersions, Events: []string{"listed in versions"},
		}}
	}
	return nil
}

// listing returns the first of the record's entries for the package whose
// versions list has the subject, or nil.
func (cr *compiledRecord) listing(s *subject, base, suffix string, names []string) *compiledAffected {
	for i := range cr.affected {
		a := &cr.affected[i]
		if len(a.src.Versions) > 0 && a.is(base, suffix, names, s.pkgRaw, s.vc) && s.inVersions(a.src.Versions, base == "Go") {
			return a
		}
	}
	return nil
}

// affects is evalAffected(...) != nil without the evidence, for a record
// that evalAffected has already evaluated for the package (so that its
// ranges are compiled and their notes taken). Comparison errors count as
// not affected, as in evalAffected.
func (cr *compiledRecord) affects(s *subject, base, suffix string, names []string) bool {
	for i := range cr.affected {
		a := &cr.affected[i]
		if !a.is(base, suffix, names, s.pkgRaw, s.vc) {
			continue
		}
		ranges := cr.rangesOf(i, s.vc)
		for j := range ranges {
			r := &ranges[j]
			pv := s.inParsed(r.order)
			if pv.err != nil {
				continue
			}
			if _, ok, err := r.find(pv.v, pv.key, s.raw); err == nil && ok {
				return true
			}
		}
	}
	return cr.listing(s, base, suffix, names) != nil
}

// fixCandidate is a fixed event of a matched record, with its order.
type fixCandidate struct {
	raw   string
	order string
}

// fixedEvents lists every fixed event in the record's entries for the
// package.
func (cr *compiledRecord) fixedEvents(base, suffix string, names []string, vc *versionCache) []fixCandidate {
	var out []fixCandidate
	for i := range cr.affected {
		a := &cr.affected[i]
		if !a.is(base, suffix, names, "", vc) {
			continue
		}
		for _, r := range cr.rangesOf(i, vc) {
			for _, e := range r.events {
				if e.kind == evFixed {
					out = append(out, fixCandidate{raw: e.raw, order: r.order})
				}
			}
		}
	}
	return out
}

// severities lists the record's severities and those of its entries for
// the package. The result may be the record's own slice: do not modify it.
func (cr *compiledRecord) severities(base, suffix string, names []string) []osv.Severity {
	out := cr.rec.Severity
	cloned := false
	for i := range cr.affected {
		a := &cr.affected[i]
		if len(a.src.Severity) == 0 || a.base != base || !suffixCompatible(a.suffix, suffix) {
			continue
		}
		name := a.name
		if !a.named {
			name = osv.NormalizeName(a.base, a.src.Package.Name)
		}
		if !slices.Contains(names, name) {
			continue
		}
		if !cloned {
			out, cloned = slices.Clip(slices.Clone(out)), true
		}
		out = append(out, a.src.Severity...)
	}
	return out
}

// compareIDs orders advisory IDs naturally: digit runs compare as numbers
// ("CVE-2021-9999" < "CVE-2021-10000"), the rest as strings.
func compareIDs(a, b string) int {
	if c := compareNatural(a, b); c != 0 {
		return c
	}
	return strings.Compare(a, b)
}

func compareNatural(a, b string) int {
	for a != "" && b != "" {
		ad, bd := isDigit(a[0]), isDigit(b[0])
		if ad && bd {
			an, arest := digitRun(a)
			bn, brest := digitRun(b)
			ta, tb := strings.TrimLeft(an, "0"), strings.TrimLeft(bn, "0")
			if c := cmp.Compare(len(ta), len(tb)); c != 0 {
				return c
			}
			if c := strings.Compare(ta, tb); c != 0 {
				return c
			}
			a, b = arest, brest
			continue
		}
		if a[0] != b[0] {
			return cmp.Compare(a[0], b[0])
		}
		a, b = a[1:], b[1:]
	}
	return cmp.Compare(len(a), len(b))
}

// naturalKey maps an ID to a string whose plain order is compareNatural's
// order: each digit run becomes '0', its length without leading zeros (as
// one byte) and those digits. A '0' marker sorts against other characters
// as any digit would, since characters between '0' and '9' are digits.
func naturalKey(id string) string {
	var b strings.Builder
	b.Grow(len(id) + 8)
	for id != "" {
		if !isDigit(id[0]) {
			b.WriteByte(id[0])
			id = id[1:]
			continue
		}
		run, rest := digitRun(id)
		run = strings.TrimLeft(run, "0")
		b.WriteByte('0')
		b.WriteByte(byte(min(len(run), 255)))
		b.WriteString(run)
		id = rest
	}
	return b.String()
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func digitRun(s string) (run, rest string) {
	i := 0
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	return s[:i], s[i:]
}

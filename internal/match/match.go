package match

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/craft-cra/craft/internal/inventory"
	"github.com/craft-cra/craft/internal/osv"
)

// Options tune a Match run.
type Options struct {
	// KEV flags findings whose CVE is known to be exploited; nil means no
	// KEV data.
	KEV KEVSource
	// Now is the time the match is made at, recorded as Result.MatchedAt;
	// zero means the wall clock.
	Now time.Time
}

// matcher holds the per-run caches.
type matcher struct {
	vc       *versionCache
	compiled map[*osv.Vulnerability]*compiledRecord
	notes    map[string]bool
	vectors  map[osv.Severity]scoredResult

	// slabs the compiled records and their one-entry affected lists are
	// carved from, so that compiling a record costs no allocation of its
	// own.
	crSlab []compiledRecord
	caSlab []compiledAffected
	// scratch for matchComponent
	dedupe    []*osv.Vulnerability
	hits      []hit
	evalNotes []string
}

type scoredResult struct {
	sv     scoredVector
	isCVSS bool
	err    error
}

// scoreVector is the package scoreVector, cached per run.
func (m *matcher) scoreVector(s osv.Severity) (scoredVector, bool, error) {
	if r, ok := m.vectors[s]; ok {
		return r.sv, r.isCVSS, r.err
	}
	var r scoredResult
	r.sv, r.isCVSS, r.err = scoreVector(s)
	m.vectors[s] = r
	return r.sv, r.isCVSS, r.err
}

// newMatcher returns a matcher whose version cache sits in front of shared
// (a new one when nil).
func newMatcher(shared *sharedVersions) *matcher {
	if shared == nil {
		shared = newSharedVersions()
	}
	return &matcher{
		vc:       newWorkerCache(shared),
		compiled: make(map[*osv.Vulnerability]*compiledRecord),
		notes:    make(map[string]bool),
		vectors:  make(map[osv.Severity]scoredResult),
	}
}

func (m *matcher) note(format string, args ...any) { m.notes[fmt.Sprintf(format, args...)] = true }

func (m *matcher) compile(rec *osv.Vulnerability) *compiledRecord {
	if cr, ok := m.compiled[rec]; ok {
		return cr
	}
	if len(m.crSlab) == 0 {
		m.crSlab = make([]compiledRecord, 256)
	}
	cr := &m.crSlab[0]
	m.crSlab = m.crSlab[1:]
	var affected []compiledAffected
	if n := len(rec.Affected); n <= 2 {
		if len(m.caSlab) < n {
			m.caSlab = make([]compiledAffected, 512)
		}
		affected = m.caSlab[:n:n]
		m.caSlab = m.caSlab[n:]
	} else {
		affected = make([]compiledAffected, n)
	}
	compileInto(cr, rec, affected)
	m.compiled[rec] = cr
	return cr
}

// componentQuery is one component prepared for matching.
type componentQuery struct {
	c      *inventory.Component
	base   string
	suffix string
	names  []string // normalised package names whose records apply
}

// Match finds the advisories of src that affect the components of inv.
// It asks src once per ecosystem, with every package name of that
// ecosystem. An error means src or opts.KEV failed, or ctx ended; bad data
// (an unparsable version, a broken record) only adds notes.
func Match(ctx context.Context, inv *inventory.Inventory, src Source, opts Options) (*Result, error) {
	if inv == nil {
		return nil, errors.New("match: no inventory")
	}
	if src == nil {
		return nil, errors.New("match: no advisory source")
	}
	now := opts.Now
	if now.IsZero() {
		now = time.Now().UTC()
	}
	m := newMatcher(nil)

	byEco := make(map[string][]componentQuery)
	queries := make([]componentQuery, 0, len(inv.Components))
	nameBuf := make([]string, len(inv.Components)) // one name per component
	for i := range inv.Components {
		c := &inv.Components[i]
		base, suffix := splitEcosystem(c.Ecosystem)
		if base == "" {
			m.note("component %s: no ecosystem: not matched", c.ID)
			continue
		}
		if strings.TrimSpace(c.Name) == "" {
			m.note("component %s: no name: not matched", c.ID)
			continue
		}
		if strings.TrimSpace(c.Version) == "" {
			m.note("component %s: no version: not matched", c.ID)
			continue
		}
		q := componentQuery{c: c, base: base, suffix: suffix}
		if isGoToolchain(base, c.Name) {
			q.names = []string{"stdlib", "toolchain"}
		} else {
			nameBuf[i] = m.vc.normalName(base, c.Name)
			q.names = nameBuf[i : i+1 : i+1]
		}
		queries = append(queries, q)
	}
	counts := make(map[string]int)
	for _, q := range queries {
		counts[q.base]++
	}
	for eco, n := range counts {
		byEco[eco] = make([]componentQuery, 0, n)
	}
	for _, q := range queries {
		byEco[q.base] = append(byEco[q.base], q)
	}

	res := &Result{MatchedAt: now}
	ecos := make([]string, 0, len(byEco))
	for eco := range byEco {
		ecos = append(ecos, eco)
	}
	slices.Sort(ecos)
	work := make([]workItem, 0, len(inv.Components))
	for _, eco := range ecos {
		queries := byEco[eco]
		if !m.vc.supported(eco) {
			m.note("ecosystem %s: no version order: its components are matched by versions lists and SEMVER ranges only", eco)
		}
		seen := make(map[string]bool, len(queries))
		names := make([]string, 0, len(queries))
		for _, q := range queries {
			for _, n := range q.names {
				if !seen[n] {
					seen[n] = true
					names = append(names, n)
				}
			}
		}
		slices.Sort(names)
		recs, err := src.Vulnerabilities(ctx, eco, names)
		if err != nil {
			return nil, fmt.Errorf("match: advisories for %s: %w", eco, err)
		}
		for _, q := range queries {
			var cands []*osv.Vulnerability // read only: may be the source's slice
			if len(q.names) == 1 {
				cands = recs[q.names[0]]
			} else {
				for _, n := range q.names {
					cands = append(cands, recs[n]...)
				}
			}
			if len(cands) > 0 {
				work = append(work, workItem{q, cands})
			}
		}
	}

	keyed, err := m.matchAll(ctx, work)
	if err != nil {
		return nil, err
	}

	if opts.KEV != nil {
		all := make([]*Finding, len(keyed))
		for i, k := range keyed {
			all[i] = k.f
		}
		if err := flagKEV(ctx, opts.KEV, all); err != nil {
			return nil, err
		}
	}
	slices.SortFunc(keyed, compareKeyed)
	res.Findings = make([]Finding, len(keyed))
	for i, k := range keyed {
		res.Findings[i] = *k.f
	}
	for n := range m.notes {
		res.Notes = append(res.Notes, n)
	}
	slices.Sort(res.Notes)
	return res, nil
}

// workItem is a component with its candidate records.
type workItem struct {
	q     componentQuery
	cands []*osv.Vulnerability
}

// matchAll evaluates the work on up to GOMAXPROCS goroutines. Items are
// sharded by package name, so each worker compiles the records of its
// packages once; each worker has its own caches in front of the run's
// shared parsed versions, and its notes are merged into m's. Findings come
// back with their sort keys, in worker and component order. The result
// does not depend on the sharding.
func (m *matcher) matchAll(ctx context.Context, work []workItem) ([]keyedFinding, error) {
	workers := min(runtime.GOMAXPROCS(0), 8, max(1, len(work)/512))
	shards := make([][]workItem, workers)
	if workers == 1 {
		shards[0] = work
	} else {
		at := make([]uint8, len(work))
		counts := make([]int, workers)
		for j, w := range work {
			h := fnv.New32a()
			h.Write([]byte(w.q.names[0]))
			i := int(h.Sum32() % uint32(workers))
			at[j] = uint8(i)
			counts[i]++
		}
		for i := range shards {
			shards[i] = make([]workItem, 0, counts[i])
		}
		for j, w := range work {
			shards[at[j]] = append(shards[at[j]], w)
		}
	}
	type out struct {
		findings []keyedFinding
		notes    map[string]bool
		err      error
	}
	outs := make([]out, workers)
	var wg sync.WaitGroup
	for wi := range shards {
		wg.Add(1)
		go func() {
			defer wg.Done()
			wm := newMatcher(m.vc.shared)
			n := 0
			for _, w := range shards[wi] {
				n += len(w.cands)
			}
			wm.compiled = make(map[*osv.Vulnerability]*compiledRecord, n)
			o := &outs[wi]
			for i, w := range shards[wi] {
				if i%256 == 0 {
					if err := ctx.Err(); err != nil {
						o.err = fmt.Errorf("match: %w", err)
						return
					}
				}
				fs := wm.matchComponent(w.q, w.cands)
				for i := range fs {
					o.findings = append(o.findings, keyedFinding{&fs[i], naturalKey(fs[i].ID)})
				}
			}
			for _, cr := range wm.compiled {
				for _, n := range cr.notes {
					wm.notes[n] = true
				}
			}
			o.notes = wm.notes
		}()
	}
	wg.Wait()
	total := 0
	for _, o := range outs {
		if o.err != nil {
			return nil, o.err
		}
		total += len(o.findings)
	}
	all := make([]keyedFinding, 0, total)
	for _, o := range outs {
		all = append(all, o.findings...)
		for n := range o.notes {
			m.notes[n] = true
		}
	}
	return all, nil
}

// hit is one record that affects the installed version.
type hit struct {
	cr *compiledRecord
	am *affectedMatch
}

func (m *matcher) matchComponent(q componentQuery, cands []*osv.Vulnerability) []Finding {
	if len(cands) == 0 {
		return nil
	}
	c := q.c
	raw := strings.TrimSpace(c.Version)
	if isGoToolchain(q.base, c.Name) {
		raw = goToolchainSemver(raw)
	}
	s := m.subject(q.base, raw)
	if !isGoToolchain(q.base, c.Name) {
		s.pkgRaw = c.Name // q.names is its normal form
	}
	if m.vc.supported(q.base) {
		if err := s.inParsed(q.base).err; err != nil {
			m.note("component %s: version %q does not parse as a %s version (%v): matched by versions lists and SEMVER ranges only", c.ID, c.Version, q.base, err)
		}
	}

	hits := m.hits[:0]
	m.dedupe = dedupeRecordsInto(m.dedupe[:0], cands)
	for _, rec := range m.dedupe {
		if !rec.Withdrawn.IsZero() {
			m.note("%s: withdrawn on %s: skipped", rec.ID, rec.Withdrawn.Format(time.DateOnly))
			continue
		}
		cr := m.compile(rec)
		m.evalNotes = m.evalNotes[:0]
		am := cr.evalAffected(&s, q.base, q.suffix, q.names, &m.evalNotes)
		for _, n := range m.evalNotes {
			m.notes[n] = true
		}
		if am != nil {
			hits = append(hits, hit{cr, am})
		}
	}
	clear(m.dedupe)
	if len(hits) == 0 {
		m.hits = hits
		return nil
	}

	// the groups are used up here, so hits can be reused afterwards
	groups := mergeAliases(hits)
	out := make([]Finding, 0, len(groups))
	for _, group := range groups {
		out = append(out, m.finding(q, &s, group))
	}
	clear(hits)
	m.hits = hits[:0]
	return out
}

// dedupeRecords drops nil records and keeps one record per ID (the one
// modified last; the first of equals), since the same record can reach a
// source from several databases (PYSEC both in its own repository and in
// osv.dev's PyPI export).
func dedupeRecords(cands []*osv.Vulnerability) []*osv.Vulnerability {
	return dedupeRecordsInto(make([]*osv.Vulnerability, 0, len(cands)), cands)
}

// dedupeRecordsInto is dedupeRecords appending to out.
func dedupeRecordsInto(out, cands []*osv.Vulnerability) []*osv.Vulnerability {
	var at map[string]int // only for long lists; short ones are scanned
	if len(cands) > 32 {
		at = make(map[string]int, len(cands))
	}
	for _, rec := range cands {
		if rec == nil {
			continue
		}
		i := -1
		if at != nil {
			if j, ok := at[rec.ID]; ok {
				i = j
			}
		} else {
			for j, o := range out {
				if o.ID == rec.ID {
					i = j
					break
				}
			}
		}
		if i >= 0 {
			if rec.Modified.After(out[i].Modified) {
				out[i] = rec
			}
			continue
		}
		if at != nil {
			at[rec.ID] = len(out)
		}
		out = append(out, rec)
	}
	return out
}

// subject returns raw as a subject, parsed in base's order and in SemVer.
func (m *matcher) subject(base, raw string) subject {
	s := subject{raw: raw, listRaw: raw, vc: m.vc}
	if base == "Go" {
		s.listRaw = strings.TrimPrefix(raw, "v")
	}
	if m.vc.supported(base) {
		s.prime(base)
	}
	s.prime(orderSemver)
	return s
}

// candidate returns raw as a subject parsed on demand (a candidate fix is
// tested in few orders).
func (m *matcher) candidate(base, raw string) subject {
	s := subject{raw: raw, listRaw: raw, vc: m.vc}
	if base == "Go" {
		s.listRaw = strings.TrimPrefix(raw, "v")
	}
	return s
}

// mergeAliases groups hits whose records share an ID, directly or through
// other records (GHSA-x aliases CVE-y, PYSEC-z aliases CVE-y: one group).
func mergeAliases(hits []hit) [][]hit {
	if len(hits) == 1 {
		return [][]hit{hits}
	}
	if len(hits) <= maxSmallMerge {
		return mergeAliasesSmall(hits)
	}
	return mergeAliasesMap(hits)
}

// mergeAliasesMap is mergeAliases by joining identifiers in a map.
func mergeAliasesMap(hits []hit) [][]hit {
	parent := make(map[string]string)
	var find func(string) string
	find = func(x string) string {
		for parent[x] != x {
			parent[x] = parent[parent[x]]
			x = parent[x]
		}
		return x
	}
	union := func(a, b string) {
		for _, x := range []string{a, b} {
			if _, ok := parent[x]; !ok {
				parent[x] = x
			}
		}
		ra, rb := find(a), find(b)
		if ra != rb {
			parent[rb] = ra
		}
	}
	for _, h := range hits {
		union(h.cr.rec.ID, h.cr.rec.ID)
		for _, a := range h.cr.rec.Aliases {
			if a = strings.TrimSpace(a); a != "" {
				union(h.cr.rec.ID, a)
			}
		}
	}
	groups := make(map[string][]hit)
	var roots []string
	for _, h := range hits {
		r := find(h.cr.rec.ID)
		if _, ok := groups[r]; !ok {
			roots = append(roots, r)
		}
		groups[r] = append(groups[r], h)
	}
	out := make([][]hit, 0, len(roots))
	for _, r := range roots {
		g := groups[r]
		slices.SortFunc(g, func(a, b hit) int { return compareRecords(a.cr.rec.ID, b.cr.rec.ID) })
		out = append(out, g)
	}
	return out
}

// maxSmallMerge is the most hits mergeAliasesSmall takes.
const maxSmallMerge = 16

// mergeAliasesSmall is mergeAliases for a few hits, without maps: two hits
// are in one group when their identifier sets (ID and aliases) meet,
// directly or through other hits, which is what joining identifiers
// gives. Groups come in the order of their first hit, as in mergeAliases.
func mergeAliasesSmall(hits []hit) [][]hit {
	var parent [maxSmallMerge]int
	for i := range hits {
		parent[i] = i
	}
	find := func(x int) int {
		for parent[x] != x {
			parent[x] = parent[parent[x]]
			x = parent[x]
		}
		return x
	}
	for i := range hits {
		for j := i + 1; j < len(hits); j++ {
			ri, rj := find(i), find(j)
			if ri != rj && sharesID(hits[i].cr.rec, hits[j].cr.rec) {
				parent[max(ri, rj)] = min(ri, rj)
			}
		}
	}
	var groupOf [maxSmallMerge]int
	var out [][]hit
	for i, h := range hits {
		r := find(i)
		if r == i {
			groupOf[i] = len(out)
			out = append(out, nil)
		}
		g := groupOf[r]
		out[g] = append(out[g], h)
	}
	for _, g := range out {
		slices.SortFunc(g, func(a, b hit) int { return compareRecords(a.cr.rec.ID, b.cr.rec.ID) })
	}
	return out
}

// sharesID reports whether two records have an identifier (ID or
// non-empty alias, trimmed as mergeAliases trims them) in common.
func sharesID(a, b *osv.Vulnerability) bool {
	in := func(x string, r *osv.Vulnerability) bool {
		if x == r.ID {
			return true
		}
		for _, al := range r.Aliases {
			if t := strings.TrimSpace(al); t != "" && t == x {
				return true
			}
		}
		return false
	}
	if in(a.ID, b) {
		return true
	}
	for _, al := range a.Aliases {
		if al = strings.TrimSpace(al); al != "" && in(al, b) {
			return true
		}
	}
	return false
}

// recordRank orders record sources for summaries and references: GitHub's
// reviewed advisories first, then the ecosystems' own databases.
func recordRank(id string) int {
	for i, p := range []string{"GHSA-", "GO-", "RUSTSEC-", "PYSEC-", "RSEC-"} {
		if strings.HasPrefix(id, p) {
			return i
		}
	}
	if strings.HasPrefix(id, "CVE-") {
		return 7
	}
	return 6
}

func compareRecords(a, b string) int {
	if c := cmp.Compare(recordRank(a), recordRank(b)); c != 0 {
		return c
	}
	return compareIDs(a, b)
}

func (m *matcher) finding(q componentQuery, s *subject, group []hit) Finding {
	f := Finding{Component: componentRef(q.c)}
	recs := make([]*compiledRecord, len(group))
	for i, h := range group {
		recs[i] = h.cr
	}

	for _, cr := range recs {
		f.Aliases = append(f.Aliases, cr.rec.ID)
		for _, a := range cr.rec.Aliases {
			if a = strings.TrimSpace(a); a != "" {
				f.Aliases = append(f.Aliases, a)
			}
		}
	}
	slices.SortFunc(f.Aliases, compareIDs)
	f.Aliases = slices.Compact(f.Aliases)
	f.ID = preferredID(f.Aliases, recs[0].rec.ID)

	for _, cr := range recs {
		if sum := strings.TrimSpace(cr.rec.Summary); sum != "" {
			f.Summary = sum
			break
		}
	}
	if f.Summary == "" {
		for _, cr := range recs {
			if d := strings.TrimSpace(cr.rec.Details); d != "" {
				f.Summary, _, _ = strings.Cut(d, "\n")
				break
			}
		}
	}

	var fixes []string
	for _, h := range group {
		f.Evidence = append(f.Evidence, h.am.evidence)
		for _, fx := range h.am.fixes {
			if !slices.Contains(fixes, fx) {
				fixes = append(fixes, fx)
			}
		}
		for _, r := range h.cr.rec.References {
			if r.URL != "" && (len(group) == 1 || !slices.ContainsFunc(f.References, func(o osv.Reference) bool { return o.URL == r.URL })) {
				f.References = append(f.References, r)
			}
		}
		f.Notes = append(f.Notes, h.cr.notes...)
	}
	slices.SortFunc(f.Evidence, func(a, b Evidence) int { return compareIDs(a.RecordID, b.RecordID) })
	m.sortVersions(q.base, fixes)
	for _, fx := range fixes {
		f.FixedVersions = append(f.FixedVersions, displayVersion(q, fx))
	}
	if fx := m.minimumFix(q, s, recs); fx != "" {
		f.MinimumFix = displayVersion(q, fx)
	}

	var sevNotes []string
	f.Severity, sevNotes = chooseSeverity(recs, q.base, q.suffix, q.names, m.scoreVector)
	f.Notes = append(f.Notes, sevNotes...)
	slices.Sort(f.Notes)
	f.Notes = slices.Compact(f.Notes)
	return f
}

// preferredID is the oldest CVE among ids, else the first GHSA, else the
// fallback (the most preferred matched record's ID).
func preferredID(ids []string, fallback string) string {
	for _, p := range []string{"CVE-", "GHSA-"} {
		for _, id := range ids { // ids are in natural order
			if strings.HasPrefix(id, p) {
				return id
			}
		}
	}
	return fallback
}

// minimumFix returns the smallest fixed event of the group's records that
// is above the installed version and that none of the records affects.
func (m *matcher) minimumFix(q componentQuery, installed *subject, recs []*compiledRecord) string {
	var seen, cands []string
	for _, cr := range recs {
		for _, fc := range cr.fixedEvents(q.base, q.suffix, q.names, m.vc) {
			if slices.Contains(seen, fc.raw) {
				continue
			}
			seen = append(seen, fc.raw)
			iv := installed.inParsed(fc.order)
			if iv.err != nil {
				continue
			}
			fv := m.vc.quick(fc.order, fc.raw)
			if fv.err != nil {
				continue
			}
			if c, err := m.vc.compare(fc.order, &fv, fc.raw, &iv, installed.raw); err != nil || c <= 0 {
				continue
			}
			cands = append(cands, fc.raw)
		}
	}
	m.sortVersions(q.base, cands)
	for _, cand := range cands {
		s := m.candidate(q.base, cand)
		s.pkgRaw = installed.pkgRaw
		affected := false
		for _, cr := range recs {
			if cr.affects(&s, q.base, q.suffix, q.names) {
				affected = true
				break
			}
		}
		if !affected {
			return cand
		}
	}
	return ""
}

// sortVersions sorts vs in the ecosystem's order (SemVer when the
// ecosystem has none); versions that do not parse go last, by string.
func (m *matcher) sortVersions(base string, vs []string) {
	order := base
	if !m.vc.supported(order) {
		order = orderSemver
	}
	if len(vs) < 2 {
		return
	}
	slices.SortStableFunc(vs, func(a, b string) int {
		va := m.vc.quick(order, a)
		vb := m.vc.quick(order, b)
		switch {
		case va.err != nil && vb.err != nil:
			return strings.Compare(a, b)
		case va.err != nil:
			return 1
		case vb.err != nil:
			return -1
		}
		c, err := m.vc.compare(order, &va, a, &vb, b)
		if err != nil || c == 0 {
			return strings.Compare(a, b)
		}
		return c
	})
}

// displayVersion writes a fix version the way the component spells its
// own: Go modules carry a "v" the Go database leaves out.
func displayVersion(q componentQuery, v string) string {
	if q.base == "Go" && !isGoToolchain(q.base, q.c.Name) &&
		strings.HasPrefix(strings.TrimSpace(q.c.Version), "v") && !strings.HasPrefix(v, "v") {
		return "v" + v
	}
	return v
}

// flagKEV looks every CVE alias up once and sets Finding.KEV to the entry
// added first.
func flagKEV(ctx context.Context, src KEVSource, findings []*Finding) error {
	seen := make(map[string]bool)
	var ids []string
	for _, f := range findings {
		for _, a := range f.Aliases {
			if strings.HasPrefix(a, "CVE-") && !seen[a] {
				seen[a] = true
				ids = append(ids, a)
			}
		}
	}
	if len(ids) == 0 {
		return nil
	}
	slices.SortFunc(ids, compareIDs)
	kev, err := src.KEV(ctx, ids)
	if err != nil {
		return fmt.Errorf("match: KEV lookup: %w", err)
	}
	for _, f := range findings {
		for _, a := range f.Aliases {
			e, ok := kev[a]
			if !ok {
				continue
			}
			if e.CVEID == "" {
				e.CVEID = a
			}
			if f.KEV == nil || e.DateAdded.Before(f.KEV.DateAdded) {
				f.KEV = &e
			}
		}
	}
	return nil
}

// keyedFinding carries the natural sort key of the finding's ID, computed
// once rather than in every comparison.
type keyedFinding struct {
	f     *Finding
	idKey string
}

func compareKeyed(a, b keyedFinding) int {
	return compareFindingsBy(a.f, b.f, func() int {
		if c := strings.Compare(a.idKey, b.idKey); c != 0 {
			return c
		}
		return strings.Compare(a.f.ID, b.f.ID)
	})
}

// compareFindingsBy orders findings: KEV first (oldest DateAdded first),
// then severity level and score (highest first), then ID (byID) and
// component.
func compareFindingsBy(a, b *Finding, byID func() int) int {
	switch {
	case a.KEV != nil && b.KEV == nil:
		return -1
	case a.KEV == nil && b.KEV != nil:
		return 1
	case a.KEV != nil && b.KEV != nil:
		if c := a.KEV.DateAdded.Compare(b.KEV.DateAdded); c != 0 {
			return c
		}
	}
	if c := cmp.Compare(levelRank(b.Severity.Level), levelRank(a.Severity.Level)); c != 0 {
		return c
	}
	if c := cmp.Compare(b.Severity.Score, a.Severity.Score); c != 0 {
		return c
	}
	if c := byID(); c != 0 {
		return c
	}
	if c := strings.Compare(a.Component.ID, b.Component.ID); c != 0 {
		return c
	}
	if c := strings.Compare(a.Component.Name, b.Component.Name); c != 0 {
		return c
	}
	return strings.Compare(a.Component.Version, b.Component.Version)
}

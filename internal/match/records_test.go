package match

import (
	"context"
	"flag"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/craft-cra/craft/internal/inventory"
	"github.com/craft-cra/craft/internal/osv"
)

var recordsDir = flag.String("records", "testdata/records", "folder of OSV records (JSON or YAML, searched recursively) for the record-derived tests")

// rawBounds are the raw events of one SEMVER/ECOSYSTEM range.
type rawBounds struct {
	introduced, fixed, lastAffected, limit []string
}

func boundsOf(r osv.Range) rawBounds {
	var b rawBounds
	for _, e := range r.Events {
		switch {
		case e.Introduced != "":
			b.introduced = append(b.introduced, e.Introduced)
		case e.Fixed != "":
			b.fixed = append(b.fixed, e.Fixed)
		case e.LastAffected != "":
			b.lastAffected = append(b.lastAffected, e.LastAffected)
		case e.Limit != "":
			b.limit = append(b.limit, e.Limit)
		}
	}
	return b
}

// equalIn reports whether v compares equal, in order, to any of vs.
func equalIn(vc *versionCache, order, v string, vs []string) bool {
	pv, err := vc.parse(order, v)
	if err != nil {
		return false
	}
	for _, w := range vs {
		if w == v {
			return true
		}
		pw, err := vc.parse(order, w)
		if err != nil {
			continue
		}
		if c, err := compareVersions(pv, pw); err == nil && c == 0 {
			return true
		}
	}
	return false
}

// TestRecordRanges derives expectations from every SEMVER and ECOSYSTEM
// range of the records: an introduced version and a last_affected version
// are inside the range, a fixed version is outside, and a version below
// the lowest introduced (when that is not "0") is outside.
func TestRecordRanges(t *testing.T) {
	recs := loadRecords(t, *recordsDir)
	vc := newVersionCache()
	checked, skipped := 0, 0
	for _, rec := range recs {
		cr := compile(rec, vc)
		for ai, a := range rec.Affected {
			base, _ := splitEcosystem(a.Package.Ecosystem)
			ri := 0
			for _, r := range a.Ranges {
				if r.Type != osv.RangeSemver && r.Type != osv.RangeEcosystem {
					continue
				}
				order := base
				if r.Type == osv.RangeSemver {
					order = orderSemver
				}
				if !vc.supported(order) {
					continue
				}
				crange := &cr.rangesOf(ai, vc)[ri]
				ri++
				b := boundsOf(r)
				check := func(v string, wantIn bool, why string) {
					pv, err := vc.parse(order, v)
					if err != nil {
						skipped++
						return
					}
					hit, err := crange.contains(pv)
					if err != nil {
						t.Errorf("%s %q: %s %q: %v", rec.ID, a.Package.Name, why, v, err)
						return
					}
					checked++
					if (hit != nil) != wantIn {
						t.Errorf("%s %q %s range %v: %s %q: in range = %v, want %v", rec.ID, a.Package.Name, r.Type, r.Events, why, v, hit != nil, wantIn)
					}
				}
				beforeLimit := func(v string) bool {
					if len(b.limit) == 0 {
						return true
					}
					return !equalIn(vc, order, v, b.limit)
				}
				for _, v := range b.introduced {
					if v == "0" || equalIn(vc, order, v, b.fixed) || !beforeLimit(v) {
						continue
					}
					check(v, true, "introduced")
				}
				for _, v := range b.lastAffected {
					if beforeLimit(v) {
						check(v, true, "last_affected")
					}
				}
				for _, v := range b.fixed {
					if equalIn(vc, order, v, b.introduced) {
						continue
					}
					check(v, false, "fixed")
				}
				if lowest := lowestEvent(vc, order, r); lowest != "" && slices.Contains(b.introduced, lowest) && lowest != "0" {
					for _, below := range []string{"0", "0.0.0-0", "0.0.0.0.0.1-alpha"} {
						pb, err1 := vc.parse(order, below)
						pl, err2 := vc.parse(order, lowest)
						if err1 != nil || err2 != nil {
							continue
						}
						if c, err := compareVersions(pb, pl); err == nil && c < 0 {
							check(below, false, "below introduced "+lowest+":")
							break
						}
					}
				}
			}
		}
	}
	t.Logf("%d records, %d range checks, %d versions skipped as unparsable", len(recs), checked, skipped)
	if checked == 0 {
		t.Fatal("no range was checked")
	}
}

// lowestEvent is the smallest event version of the range ("0" first).
func lowestEvent(vc *versionCache, order string, r osv.Range) string {
	var best string
	for _, e := range r.Events {
		v := e.Introduced + e.Fixed + e.LastAffected + e.Limit
		if v == "0" {
			return "0"
		}
		if best == "" {
			best = v
			continue
		}
		pv, err1 := vc.parse(order, v)
		pb, err2 := vc.parse(order, best)
		if err1 != nil || err2 != nil {
			return ""
		}
		if c, err := compareVersions(pv, pb); err == nil && c < 0 {
			best = v
		}
	}
	return best
}

// expectation is one component the record-derived Match test builds.
type expectation struct {
	record string
	wantIn bool
	why    string
}

// TestRecordsThroughMatch builds one component per introduced,
// last_affected, fixed and versions-list entry of every record and runs
// them all through Match against every record: the inside ones must be
// matched by their record, the fixed ones not (where no other range or
// versions list of the same record and package covers them).
func TestRecordsThroughMatch(t *testing.T) {
	recs := loadRecords(t, *recordsDir)
	vc := newVersionCache()
	inv := &inventory.Inventory{Root: "records", Source: "directory"}
	want := make(map[string]expectation)
	add := func(rec *osv.Vulnerability, a osv.Affected, version string, e expectation) {
		eco := a.Package.Ecosystem
		name := a.Package.Name
		v := version
		if osv.BaseEcosystem(eco) == "Go" && name != "stdlib" && name != "toolchain" {
			v = "v" + version // Go components carry the "v" the database leaves out
		}
		id := fmt.Sprintf("%s|%s|%s|%s|%d", rec.ID, name, e.why, version, len(inv.Components))
		inv.Components = append(inv.Components, inventory.Component{ID: id, Name: name, Version: v, Ecosystem: eco})
		want[id] = e
	}
	for _, rec := range recs {
		if !rec.Withdrawn.IsZero() {
			continue
		}
		for _, a := range rec.Affected {
			if a.Package.Name == "" || a.Package.Ecosystem == "" {
				continue
			}
			base, _ := splitEcosystem(a.Package.Ecosystem)
			// Everything the record says about this package, across entries.
			var lists []string
			nranges := 0
			for _, b := range rec.Affected {
				if b.Package.Ecosystem == a.Package.Ecosystem && b.Package.Name == a.Package.Name {
					lists = append(lists, b.Versions...)
					for _, r := range b.Ranges {
						if r.Type == osv.RangeSemver || r.Type == osv.RangeEcosystem {
							nranges++
						}
					}
				}
			}
			// First, middle and last entry of each versions list.
			if n := len(a.Versions); n > 0 {
				for _, i := range slices.Compact([]int{0, n / 2, n - 1}) {
					add(rec, a, a.Versions[i], expectation{rec.ID, true, "listed"})
				}
			}
			for _, r := range a.Ranges {
				order := base
				if r.Type == osv.RangeSemver {
					order = orderSemver
				} else if r.Type != osv.RangeEcosystem {
					continue
				}
				if !vc.supported(order) {
					continue
				}
				b := boundsOf(r)
				if len(b.limit) > 0 {
					continue
				}
				parses := func(v string) bool { _, err := vc.parse(order, v); return err == nil }
				for _, v := range b.introduced {
					if v != "0" && parses(v) && !equalIn(vc, order, v, b.fixed) {
						add(rec, a, v, expectation{rec.ID, true, "introduced"})
					}
				}
				for _, v := range b.lastAffected {
					if parses(v) {
						add(rec, a, v, expectation{rec.ID, true, "last_affected"})
					}
				}
				if nranges != 1 {
					continue
				}
				for _, v := range b.fixed {
					if parses(v) && !equalIn(vc, order, v, b.introduced) && !slices.Contains(lists, v) {
						add(rec, a, v, expectation{rec.ID, false, "fixed"})
					}
				}
			}
		}
	}
	res, err := Match(context.Background(), inv, NewMemorySource(recs), Options{Now: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	matched := make(map[[2]string]bool) // component ID, record ID
	for _, f := range res.Findings {
		for _, e := range f.Evidence {
			matched[[2]string{f.Component.ID, e.RecordID}] = true
		}
	}
	ins, outs := 0, 0
	for _, c := range inv.Components {
		e := want[c.ID]
		got := matched[[2]string{c.ID, e.record}]
		if e.wantIn {
			ins++
		} else {
			outs++
		}
		if got != e.wantIn {
			t.Errorf("%s %s %q@%q (%s): matched = %v, want %v", e.record, c.Ecosystem, c.Name, c.Version, e.why, got, e.wantIn)
		}
	}
	t.Logf("%d records, %d components expected inside, %d outside, %d findings, %d notes", len(recs), ins, outs, len(res.Findings), len(res.Notes))
	if ins == 0 || outs == 0 {
		t.Fatal("the records gave no expectations")
	}
}

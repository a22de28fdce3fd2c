package server

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/craft-cra/craft/internal/advisory"
	"github.com/craft-cra/craft/internal/store"
	"github.com/craft-cra/craft/internal/store/storetest"
)

// testRecord is an OSV record affecting every version of one package.
func testRecord(modified, eco, name string, withdrawn bool) map[string]any {
	r := map[string]any{"id": "TEST-1", "modified": modified, "aliases": []string{"CVE-2099-0001"},
		"summary": "test record", "affected": []any{map[string]any{
			"package":  map[string]any{"ecosystem": eco, "name": name},
			"versions": []string{"3.4.1", "v0.7.0"},
		}}}
	if withdrawn {
		r["withdrawn"] = modified
	}
	return r
}

func writeTestJSON(t *testing.T, path string, v any) {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// testKEV is the test KEV catalog, released later, edited by edit.
func testKEV(t *testing.T, released string, edit func(vs []any) []any) map[string]any {
	t.Helper()
	b, err := os.ReadFile("testdata/advisories/kev.json")
	if err != nil {
		t.Fatal(err)
	}
	var c map[string]any
	if err := json.Unmarshal(b, &c); err != nil {
		t.Fatal(err)
	}
	c["dateReleased"] = released
	vs := edit(c["vulnerabilities"].([]any))
	c["vulnerabilities"], c["count"] = vs, len(vs)
	return c
}

// allEvents are every queued notification's kind and subject, sorted.
func allEvents(t *testing.T, st *store.Store) []string {
	t.Helper()
	ns, err := st.ListPendingNotifications(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, n := range ns {
		out = append(out, n.Kind+" "+n.Subject)
	}
	slices.Sort(out)
	return out
}

// Through a sequence of updates (new records, a record moving to another
// package, a withdrawal, KEV entries added, changed and removed,
// end-of-life data added) the incremental job leaves the same findings
// and queues the same events as the full pass.
func TestIncrementalSameAsFull(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		other := storetest.SQLite(t)
		if st.Driver() == store.DriverPostgres {
			other = storetest.Postgres(t)
		}
		imp := t.TempDir()
		cfg := Config{Limits: RateLimits{Disabled: true}, AdvisoryImportDir: imp}
		icfg, fcfg := cfg, cfg
		icfg.AdvisoryDB = filepath.Join(t.TempDir(), "advisories.db")
		fcfg.AdvisoryDB, fcfg.AdvisoryFullRematch = filepath.Join(t.TempDir(), "advisories.db"), true
		inc, full := newEnv(t, st, icfg), newEnv(t, other, fcfg)
		for _, s := range []*store.Store{st, other} {
			putPortfolio(t, s)
			p, err := s.CreateProduct(ctx, store.Product{Name: "gateway"})
			if err != nil {
				t.Fatal(err)
			}
			putRelease(t, s, p.ID, "1.0", []store.ReleaseComponent{
				{ComponentID: "ex", Name: "express", Version: "3.21.2", Ecosystem: "npm", PURL: "pkg:npm/express@3.21.2"},
				{ComponentID: "jq", Name: "jquery", Version: "3.5.0", Ecosystem: "npm", PURL: "pkg:npm/jquery@3.5.0"}})
			// untouched by every OSV and KEV step
			putRelease(t, s, p.ID, "0.9", []store.ReleaseComponent{
				{ComponentID: "ex", Name: "express", Version: "3.21.2", Ecosystem: "npm", PURL: "pkg:npm/express@3.21.2"}})
		}
		put := func(name string) func(*testing.T) { return func(t *testing.T) { copyAdvisory(t, imp, name) } }
		rec := func(modified, eco, name string, withdrawn bool) func(*testing.T) {
			return func(t *testing.T) {
				writeTestJSON(t, filepath.Join(imp, "test-1.json"), testRecord(modified, eco, name, withdrawn))
			}
		}
		steps := []struct {
			name        string
			before      func(*testing.T)
			incremental bool
		}{
			{name: "first-run-full", before: put("GHSA-jpcq-cgw6-v4j6.json")},
			{name: "new-records", before: func(t *testing.T) {
				put("GHSA-qppj-fm5r-hxr3.json")(t)
				rec("2025-01-01T00:00:00Z", "npm", "jquery", false)(t)
			}, incremental: true},
			{name: "nothing-new", incremental: true},
			{name: "record-moves-package", before: rec("2025-02-01T00:00:00Z", "Go", "golang.org/x/net", false), incremental: true},
			{name: "record-withdrawn", before: rec("2025-03-01T00:00:00Z", "Go", "golang.org/x/net", true), incremental: true},
			{name: "kev-added", before: put("kev.json"), incremental: true},
			{name: "kev-changed-and-removed", before: func(t *testing.T) {
				writeTestJSON(t, filepath.Join(imp, "kev.json"), testKEV(t, "2025-09-01T00:00:00Z", func(vs []any) []any {
					var out []any
					for _, v := range vs {
						e := v.(map[string]any)
						if e["cveID"] == "CVE-2020-11023" {
							e["dateAdded"] = "2025-02-02"
							out = append(out, e)
						}
					}
					return out
				}))
			}, incremental: true},
			{name: "eol-added-full", before: func(t *testing.T) {
				b, err := os.ReadFile("testdata/notify/express.yaml")
				if err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join(imp, "express.yaml"), b, 0o644); err != nil {
					t.Fatal(err)
				}
			}},
			{name: "nothing-new-after-eol", incremental: true},
		}
		for _, step := range steps {
			if step.before != nil {
				step.before(t)
			}
			var got [2]MonitorResult
			for i, e := range []*env{inc, full} {
				e.clock.Advance(time.Hour)
				res, err := e.s.MonitorAdvisories(ctx, "host:1")
				if err != nil || !res.Ran || res.Unmatched != 0 {
					t.Fatalf("%s: %+v, %v", step.name, res, err)
				}
				got[i] = res
			}
			if got[0].Incremental != step.incremental || got[1].Incremental {
				t.Errorf("%s: incremental %v, full pass %v; want %v", step.name, got[0].Incremental, got[1].Incremental, step.incremental)
			}
			if got[0].Events != got[1].Events {
				t.Errorf("%s: %d events incrementally, %d in the full pass", step.name, got[0].Events, got[1].Events)
			}
			if diff := cmp.Diff(statePortfolio(t, other), statePortfolio(t, st)); diff != "" {
				t.Errorf("%s: findings (-full +incremental):\n%s", step.name, diff)
			}
			if diff := cmp.Diff(allEvents(t, other), allEvents(t, st)); diff != "" {
				t.Errorf("%s: events (-full +incremental):\n%s", step.name, diff)
			}
			if step.incremental && got[0].Releases >= got[1].Releases && got[0].Releases > 0 {
				t.Errorf("%s: the incremental run re-matched %d of %d releases", step.name, got[0].Releases, got[1].Releases)
			}
			t.Logf("%s: incremental re-matched %d releases, full %d; %d events", step.name, got[0].Releases, got[1].Releases, got[1].Events)
		}
		if n := len(allEvents(t, other)); n < 20 {
			t.Errorf("the steps raised too little: %d events", n)
		}
	})
}

// A component is touched under the matcher's normalisation of its name.
func TestTouchedPackages(t *testing.T) {
	pkgs := []store.PackageName{{Ecosystem: "pypi", Name: "Django_Rest.Framework"}, {Ecosystem: "PyPI", Name: "flask"},
		{Ecosystem: "Go", Name: "stdlib"}}
	keys := map[int64]struct{}{advisory.PackageKey("PyPI", "django-rest-framework"): {}, advisory.PackageKey("Go", "toolchain"): {}}
	got := touchedPackages(pkgs, keys)
	if want := []store.PackageName{pkgs[0], pkgs[2]}; !slices.Equal(got, want) {
		t.Errorf("touched = %v, want %v", got, want)
	}
}

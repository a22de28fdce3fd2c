package server

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/craft-cra/craft/internal/advisory"
	"github.com/craft-cra/craft/internal/store"
	"github.com/craft-cra/craft/internal/store/storetest"
)

// portfolioComponents are the components of a test release: jquery 3.4.1
// (CVE-2020-11023) and golang.org/x/net v0.7.0 (CVE-2023-44487), under
// IDs that differ between releases as bom-refs do, plus a fixed jquery.
func portfolioComponents(rel int, withJQuery bool) []store.ReleaseComponent {
	cs := []store.ReleaseComponent{
		{ComponentID: fmt.Sprintf("xnet-%d", rel), Name: "golang.org/x/net", Version: "v0.7.0", Ecosystem: "Go",
			PURL: "pkg:golang/golang.org/x/net@v0.7.0", Relationship: "direct"},
		{ComponentID: "jq-new", Name: "jquery", Version: "3.5.0", Ecosystem: "npm", PURL: "pkg:npm/jquery@3.5.0"},
	}
	if withJQuery {
		cs = append(cs, store.ReleaseComponent{ComponentID: fmt.Sprintf("jq-%d", rel), Name: "jquery",
			Version: "3.4.1", Ecosystem: "npm", PURL: "pkg:npm/jquery@3.4.1"},
			// the same package twice in one release, under another ID
			store.ReleaseComponent{ComponentID: "jq-vendored", Name: "jquery", Version: "3.4.1", Ecosystem: "npm"})
	}
	return cs
}

// putPortfolio stores two products with three releases each, straight
// through the store.
func putPortfolio(t *testing.T, st *store.Store) {
	t.Helper()
	ctx := context.Background()
	for _, name := range []string{"router", "camera"} {
		p, err := st.CreateProduct(ctx, store.Product{Name: name})
		if err != nil {
			t.Fatal(err)
		}
		for r := range 3 {
			putRelease(t, st, p.ID, fmt.Sprintf("1.%d", r), portfolioComponents(r, r != 2 || name == "router"))
		}
	}
}

func putRelease(t *testing.T, st *store.Store, productID, version string, comps []store.ReleaseComponent) {
	t.Helper()
	if _, _, err := st.PutReleaseSBOM(context.Background(), store.SBOMUpload{ProductID: productID, Version: version,
		Info: store.SBOMInfo{ContentType: "application/vnd.cyclonedx+json", Format: "cyclonedx"},
		Data: []byte("{}"), Components: comps}); err != nil {
		t.Fatal(err)
	}
}

// importAdvisories imports the named test advisories into the database at
// path.
func importAdvisories(t *testing.T, path string, names ...string) {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	for _, n := range names {
		copyAdvisory(t, dir, n)
	}
	db, err := advisory.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Import(ctx, []string{dir}, advisory.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
}

// portfolioState is every release's findings and the queued finding
// events, without times, in a stable order.
type portfolioState struct {
	Findings map[string][]store.Finding // by "product/version"
	Events   []string
}

func statePortfolio(t *testing.T, st *store.Store) portfolioState {
	t.Helper()
	ctx := context.Background()
	out := portfolioState{Findings: map[string][]store.Finding{}}
	ps, err := st.ListProducts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range ps {
		rels, err := st.ListReleases(ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rels {
			fs, err := st.ListReleaseFindings(ctx, r.ID)
			if err != nil {
				t.Fatal(err)
			}
			for i := range fs {
				fs[i].FirstSeen, fs[i].LastSeen = time.Time{}, time.Time{}
			}
			out.Findings[p.Name+"/"+r.Version] = fs
		}
	}
	for _, n := range findingEvents(t, st) {
		out.Events = append(out.Events, n.Kind+" "+n.Subject)
	}
	slices.Sort(out.Events)
	return out
}

// The portfolio re-match stores the same findings and queues the same
// events as re-matching release by release, through new findings, KEV
// listings, a severity-neutral re-run and a release that lost a component.
func TestRematchPortfolioSameAsPerRelease(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		other := storetest.SQLite(t)
		if st.Driver() == store.DriverPostgres {
			other = storetest.Postgres(t)
		}
		advDB := filepath.Join(t.TempDir(), "advisories.db")
		cfg := Config{Limits: RateLimits{Disabled: true}, AdvisoryDB: advDB}
		perRelease, portfolio := newEnv(t, st, cfg), newEnv(t, other, cfg)
		putPortfolio(t, st)
		putPortfolio(t, other)

		steps := []struct {
			name   string
			before func(t *testing.T, st *store.Store)
		}{
			{name: "first-advisory", before: func(t *testing.T, _ *store.Store) {
				importAdvisories(t, advDB, "GHSA-jpcq-cgw6-v4j6.json")
			}},
			{name: "second-advisory-and-kev", before: func(t *testing.T, _ *store.Store) {
				importAdvisories(t, advDB, "GHSA-qppj-fm5r-hxr3.json", "kev.json")
			}},
			{name: "unchanged"},
			{name: "component-removed", before: func(t *testing.T, st *store.Store) {
				p := productNamed(t, st, "router")
				putRelease(t, st, p.ID, "1.0", portfolioComponents(0, false))
			}},
		}
		for _, step := range steps {
			if step.before != nil {
				step.before(t, st)
				if step.name == "component-removed" {
					step.before(t, other)
				}
			}
			perRelease.clock.Advance(time.Hour)
			portfolio.clock.Advance(time.Hour)
			var a, b MonitorResult
			if err := perRelease.s.rematchAll(ctx, &a); err != nil {
				t.Fatal(err)
			}
			if err := portfolio.s.rematchPortfolio(ctx, &b); err != nil {
				t.Fatal(err)
			}
			if a.Releases != b.Releases || a.Findings != b.Findings || a.Events != b.Events || b.Unmatched != 0 {
				t.Errorf("%s: per release %+v, portfolio %+v", step.name, a, b)
			}
			if diff := cmp.Diff(statePortfolio(t, st), statePortfolio(t, other)); diff != "" {
				t.Errorf("%s: state (-per release +portfolio):\n%s", step.name, diff)
			}
		}
		// The steps must exercise something: x/net and jquery twice in
		// router 1.1, each event kind (a finding KEV-listed when first seen
		// raises finding.kev beside finding.new).
		if got := statePortfolio(t, other); len(got.Events) != 32 || len(got.Findings["router/1.1"]) != 3 {
			t.Errorf("the test portfolio found too little: %d events, %d findings in router 1.1",
				len(got.Events), len(got.Findings["router/1.1"]))
		}
	})
}

func productNamed(t *testing.T, st *store.Store, name string) store.Product {
	t.Helper()
	ps, err := st.ListProducts(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range ps {
		if p.Name == name {
			return p
		}
	}
	t.Fatalf("no product %q", name)
	return store.Product{}
}

// A release whose findings did not change gets no writes and no events:
// its rows keep their last_seen, and only a changed release is rewritten.
func TestRematchPortfolioSkipsUnchanged(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		advDB := filepath.Join(t.TempDir(), "advisories.db")
		e := newEnv(t, st, Config{Limits: RateLimits{Disabled: true}, AdvisoryDB: advDB})
		putPortfolio(t, st)
		importAdvisories(t, advDB, "GHSA-jpcq-cgw6-v4j6.json", "GHSA-qppj-fm5r-hxr3.json", "kev.json")
		var first MonitorResult
		if err := e.s.rematchPortfolio(ctx, &first); err != nil {
			t.Fatal(err)
		}
		if first.Rewritten != 6 || first.Rows != first.Findings || first.Events < first.Findings {
			t.Fatalf("first run = %+v", first)
		}
		before := rawFindings(t, st)
		events := len(findingEvents(t, st))

		tests := []struct {
			name          string
			change        func()
			wantRewritten int
			wantEvents    int
		}{
			{name: "nothing-changed", change: func() {}, wantRewritten: 0, wantEvents: 0},
			{name: "one-release-gains-a-finding", change: func() {
				p := productNamed(t, st, "camera")
				putRelease(t, st, p.ID, "1.2", portfolioComponents(2, true))
			}, wantRewritten: 1, wantEvents: 4}, // two findings, both KEV-listed: new + kev each
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				tc.change()
				e.clock.Advance(time.Hour)
				var res MonitorResult
				if err := e.s.rematchPortfolio(ctx, &res); err != nil {
					t.Fatal(err)
				}
				if res.Releases != 6 || res.Rewritten != tc.wantRewritten || res.Events != tc.wantEvents {
					t.Errorf("run = %+v, want %d rewritten, %d events", res, tc.wantRewritten, tc.wantEvents)
				}
				if n := len(findingEvents(t, st)) - events; n != tc.wantEvents {
					t.Errorf("notifications queued = %d, want %d", n, tc.wantEvents)
				}
				events += tc.wantEvents
				after := rawFindings(t, st)
				for rel, fs := range before {
					if rel == "camera/1.2" && tc.wantRewritten > 0 {
						continue
					}
					if diff := cmp.Diff(fs, after[rel]); diff != "" {
						t.Errorf("release %s was rewritten (-before +after):\n%s", rel, diff)
					}
				}
				before = after
			})
		}
	})
}

// rawFindings is every release's stored rows, times included.
func rawFindings(t *testing.T, st *store.Store) map[string][]store.Finding {
	t.Helper()
	ctx := context.Background()
	out := map[string][]store.Finding{}
	ps, err := st.ListProducts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range ps {
		rels, err := st.ListReleases(ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rels {
			fs, err := st.ListReleaseFindings(ctx, r.ID)
			if err != nil {
				t.Fatal(err)
			}
			out[p.Name+"/"+r.Version] = fs
		}
	}
	return out
}

// A release written by the per-release path (which clears its findings
// digest) is compared again by the portfolio re-match: nothing is
// rewritten or queued, its digest is stored again, and the next run
// skips it by digest with the same findings.
func TestRematchPortfolioDigestCleared(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		advDB := filepath.Join(t.TempDir(), "advisories.db")
		e := newEnv(t, st, Config{Limits: RateLimits{Disabled: true}, AdvisoryDB: advDB})
		putPortfolio(t, st)
		importAdvisories(t, advDB, "GHSA-jpcq-cgw6-v4j6.json", "GHSA-qppj-fm5r-hxr3.json", "kev.json")
		var first MonitorResult
		if err := e.s.rematchPortfolio(ctx, &first); err != nil {
			t.Fatal(err)
		}
		want := statePortfolio(t, st)
		p := productNamed(t, st, "router")
		rels, err := st.ListReleases(ctx, p.ID)
		if err != nil || len(rels) == 0 {
			t.Fatalf("releases = %v, %v", rels, err)
		}
		db, err := e.s.openAdvisories(ctx)
		if err != nil || db == nil {
			t.Fatalf("open advisories: %v", err)
		}
		defer db.Close()
		if _, _, err := e.s.rematchRelease(ctx, db, p.Name, rels[0]); err != nil {
			t.Fatal(err)
		}
		if d, err := st.FindingsDigests(ctx, []string{rels[0].ID}); err != nil || len(d) != 0 {
			t.Fatalf("digest after the per-release path = %v, %v", d, err)
		}
		for run := range 2 {
			e.clock.Advance(time.Hour)
			var res MonitorResult
			if err := e.s.rematchPortfolio(ctx, &res); err != nil {
				t.Fatal(err)
			}
			if res.Releases != 6 || res.Findings != first.Findings || res.Rewritten != 0 || res.Events != 0 || res.Rows != 0 {
				t.Errorf("run %d = %+v", run, res)
			}
			if d, err := st.FindingsDigests(ctx, []string{rels[0].ID}); err != nil || len(d) != 1 {
				t.Errorf("run %d: digest = %v, %v", run, d, err)
			}
			if diff := cmp.Diff(want, statePortfolio(t, st)); diff != "" {
				t.Errorf("run %d: state changed (-want +got):\n%s", run, diff)
			}
		}
	})
}

// The upload's re-match (batched writes) stores the same findings and
// queues the same events as the per-release path, on a first upload and
// on a re-upload that drops a component, and stores the findings digest.
func TestRematchUploadedSameAsPerRelease(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		other := storetest.SQLite(t)
		if st.Driver() == store.DriverPostgres {
			other = storetest.Postgres(t)
		}
		advDB := filepath.Join(t.TempDir(), "advisories.db")
		cfg := Config{Limits: RateLimits{Disabled: true}, AdvisoryDB: advDB}
		perRelease, uploaded := newEnv(t, st, cfg), newEnv(t, other, cfg)
		importAdvisories(t, advDB, "GHSA-jpcq-cgw6-v4j6.json", "GHSA-qppj-fm5r-hxr3.json", "kev.json")
		for _, st := range []*store.Store{st, other} {
			if _, err := st.CreateProduct(ctx, store.Product{Name: "router"}); err != nil {
				t.Fatal(err)
			}
		}
		db, err := perRelease.s.openAdvisories(ctx)
		if err != nil || db == nil {
			t.Fatalf("open advisories: %v", err)
		}
		defer db.Close()
		for step, withJQuery := range []bool{true, false} {
			perRelease.clock.Advance(time.Hour)
			uploaded.clock.Advance(time.Hour)
			for _, e := range []*env{perRelease, uploaded} {
				p := productNamed(t, e.st, "router")
				putRelease(t, e.st, p.ID, "1.0", portfolioComponents(0, withJQuery))
				rels, err := e.st.ListReleases(ctx, p.ID)
				if err != nil || len(rels) != 1 {
					t.Fatalf("releases = %v, %v", rels, err)
				}
				if e == perRelease {
					if _, _, err := e.s.rematchRelease(ctx, db, p.Name, rels[0]); err != nil {
						t.Fatal(err)
					}
					continue
				}
				prof, err := e.st.GetProductProfile(ctx, p.ID)
				if err != nil {
					t.Fatal(err)
				}
				e.s.rematchUploaded(ctx, prof, rels[0])
				if d, err := e.st.FindingsDigests(ctx, []string{rels[0].ID}); err != nil || len(d) != 1 {
					t.Errorf("step %d: digest = %v, %v", step, d, err)
				}
			}
			want, got := statePortfolio(t, st), statePortfolio(t, other)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("step %d: state (-per release +upload):\n%s", step, diff)
			}
			if len(got.Findings["router/1.0"]) == 0 {
				t.Errorf("step %d: no findings", step)
			}
		}
	})
}

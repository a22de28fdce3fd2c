package server

import (
	"context"
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

// The portfolio pass raises the end-of-life events the release-by-release
// check (checkEOL) raises, with the same subjects and references, once.
func TestChunkEOLEventsSameAsPerRelease(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		other := storetest.SQLite(t)
		if st.Driver() == store.DriverPostgres {
			other = storetest.Postgres(t)
		}
		imp := t.TempDir()
		b, err := os.ReadFile("testdata/notify/express.yaml")
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(imp, "express.yaml"), b, 0o644); err != nil {
			t.Fatal(err)
		}
		advDB := filepath.Join(t.TempDir(), "advisories.db")
		db, err := advisory.Open(ctx, advDB)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Import(ctx, []string{imp}, advisory.ImportOptions{}); err != nil {
			t.Fatal(err)
		}
		db.Close()
		cfg := Config{Limits: RateLimits{Disabled: true}, AdvisoryDB: advDB}
		perRelease, portfolio := newEnv(t, st, cfg), newEnv(t, other, cfg)
		comps := []store.ReleaseComponent{
			{ComponentID: "ex", Name: "express", Version: "3.21.2", Ecosystem: "npm", PURL: "pkg:npm/express@3.21.2"},
			{ComponentID: "ex-vendored", Name: "express", Version: "3.21.2", Ecosystem: "npm", PURL: "pkg:npm/express@3.21.2"},
			{ComponentID: "ex-new", Name: "express", Version: "5.1.0", Ecosystem: "npm", PURL: "pkg:npm/express@5.1.0"},
			{ComponentID: "no-purl", Name: "express", Version: "3.21.2", Ecosystem: "npm"},
		}
		for _, s := range []*store.Store{st, other} {
			for _, name := range []string{"router", "camera"} {
				p, err := s.CreateProduct(ctx, store.Product{Name: name})
				if err != nil {
					t.Fatal(err)
				}
				putRelease(t, s, p.ID, "1.0", comps)
				putRelease(t, s, p.ID, "2.0", comps[2:])
			}
		}
		events := func(s *store.Store) []string {
			ns, err := s.ListNotifications(ctx, store.NotificationFilter{All: true}, nil, 100)
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, n := range ns {
				if n.Kind == KindComponentEOL {
					out = append(out, n.Subject+" ref "+n.Reference)
				}
			}
			slices.Sort(out)
			return out
		}
		for run := range 2 {
			var a, b MonitorResult
			if err := perRelease.s.checkEOL(ctx, &a); err != nil {
				t.Fatal(err)
			}
			if err := portfolio.s.rematchPortfolio(ctx, &b); err != nil {
				t.Fatal(err)
			}
			want, got := events(st), events(other)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("run %d: eol events (-per release +portfolio):\n%s", run, diff)
			}
			if len(got) != 4 || a.Events != b.Events || (run == 1 && b.Events != 0) {
				t.Errorf("run %d: %d events, per release %+v, portfolio %+v", run, len(got), a, b)
			}
		}
		// Both paths keep the end-of-life date the dashboard lists.
		for _, s := range []*store.Store{st, other} {
			ps, err := s.ListProducts(ctx)
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, p := range ps {
				ids = append(ids, p.ID)
			}
			sum, err := s.DashboardEOL(ctx, ids, time.Now(), 10)
			if err != nil {
				t.Fatal(err)
			}
			if len(sum.Items) == 0 {
				t.Fatal("no end-of-life components on the dashboard")
			}
			for _, it := range sum.Items {
				if it.EOLDate == "" {
					t.Errorf("end-of-life component without its date: %+v", it)
				}
			}
		}
	})
}

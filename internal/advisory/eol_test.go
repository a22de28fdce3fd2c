package advisory

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/craft-cra/craft/internal/inventory"
)

func TestCycleFor(t *testing.T) {
	cycles := []EOLCycle{{Cycle: "3"}, {Cycle: "3.1"}, {Cycle: "3.10"}, {Cycle: "2.7"}, {Cycle: "2026.3"}}
	tests := []struct{ version, want string }{
		{"3.1", "3.1"},
		{"3.1.4", "3.1"},
		{"v3.1.4", "3.1"},
		{"3.1-rc1", "3.1"},
		{"3.10.2", "3.10"},
		{"3.2.0", "3"}, // falls back to the major cycle
		{"3", "3"},
		{"2.7.18", "2.7"},
		{"2.70", ""},
		{"2026.3.1", "2026.3"},
		{"4.0", ""},
		{"", ""},
	}
	for _, tc := range tests {
		got, ok := cycleFor(cycles, tc.version)
		if tc.want == "" {
			if ok {
				t.Errorf("%q: got cycle %s, want none", tc.version, got.Cycle)
			}
			continue
		}
		if !ok || got.Cycle != tc.want {
			t.Errorf("%q: got %q (%v), want %q", tc.version, got.Cycle, ok, tc.want)
		}
	}
}

func TestParseMilestone(t *testing.T) {
	tests := []struct {
		in   string
		want Milestone
		err  bool
	}{
		{`"2024-04-01"`, Milestone{Date: time.Date(2024, 4, 1, 0, 0, 0, 0, time.UTC)}, false},
		{`"2024-04-01T00:00:00Z"`, Milestone{Date: time.Date(2024, 4, 1, 0, 0, 0, 0, time.UTC)}, false},
		{`"true"`, Milestone{Reached: true}, false},
		{`true`, Milestone{Reached: true}, false},
		{`"false"`, Milestone{}, false},
		{``, Milestone{}, false},
		{`null`, Milestone{}, false},
		{`"next year"`, Milestone{}, true},
	}
	for _, tc := range tests {
		got, err := parseMilestone(json.RawMessage(tc.in))
		if (err != nil) != tc.err || got != tc.want {
			t.Errorf("%s: %+v, %v", tc.in, got, err)
		}
	}
}

// TestEndOfLife checks real endoflife.date products at a fixed date.
func TestEndOfLife(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	res := mustImport(t, s, "testdata/eol")
	if len(res.Rejected) != 0 {
		t.Fatalf("rejected %v", res.Rejected)
	}
	names, err := s.EOLProductNames(ctx)
	if err != nil || len(names) != res.EOLProducts {
		t.Fatalf("products %v, %v", names, err)
	}
	comps := []inventory.Component{
		{ID: "django", PURL: "pkg:pypi/Django@3.2.25", Version: "3.2.25"},
		{ID: "python2", PURL: "pkg:generic/python@2.7.18", Version: "2.7.18"},
		{ID: "node24", PURL: "pkg:generic/node@24.1.0", Version: "24.1.0"},
		{ID: "node26", PURL: "pkg:generic/node@26.0.0", Version: "26.0.0"},
		{ID: "express4", PURL: "pkg:npm/express@4.21.0", Version: "4.21.0"},
		{ID: "log4j1", PURL: "pkg:maven/log4j/log4j@1.2.17", Version: "1.2.17"},
		{ID: "angular", PURL: "pkg:npm/%40angular/core@9.1.0", Version: "9.1.0"},
		{ID: "nopurl", Name: "django", Version: "1.0"},
		{ID: "badpurl", PURL: "not a purl", Version: "1.0"},
		{ID: "unknown", PURL: "pkg:npm/left-pad@1.0.0", Version: "1.0.0"},
	}
	got, err := s.EndOfLife(ctx, comps, testNow)
	if err != nil {
		t.Fatal(err)
	}
	type row struct {
		id, product, cycle   string
		pastEOL, pastSupport bool
		eol                  string
	}
	var rows []row
	for _, f := range got {
		d := ""
		if !f.EOL.Date.IsZero() {
			d = f.EOL.Date.Format(time.DateOnly)
		}
		rows = append(rows, row{f.Component.ID, f.Product, f.Cycle, f.PastEOL, f.PastSupport, d})
	}
	want := []row{
		{"angular", "angular", "9", true, true, "2021-08-06"},
		{"django", "django", "3.2", true, true, "2024-04-01"},
		{"log4j1", "log4j", "1", true, true, "2015-10-15"},
		{"node24", "nodejs", "24", false, true, "2028-04-30"},
		{"python2", "python", "2.7", true, true, "2020-01-01"},
	}
	if len(rows) != len(want) {
		t.Fatalf("got %+v\nwant %+v", rows, want)
	}
	for i := range want {
		if rows[i] != want[i] {
			t.Errorf("finding %d = %+v, want %+v", i, rows[i], want[i])
		}
	}
}

// TestEOLFormats: product pages as .yaml and as .md with front matter;
// Markdown without front matter is ignored, a bad date rejected.
func TestEOLFormats(t *testing.T) {
	dir := t.TempDir()
	page, err := os.ReadFile("testdata/eol/django.yaml")
	if err != nil {
		t.Fatal(err)
	}
	// The same product as a Markdown page with front matter, as in the
	// endoflife.date repository, and a page without front matter.
	writeFile(t, filepath.Join(dir, "django.md"), []byte("---\n"+string(page)+"---\n\n> Django is a web framework.\n"))
	writeFile(t, filepath.Join(dir, "README.md"), []byte("# not a product\n"))
	writeFile(t, filepath.Join(dir, "broken.yaml"), []byte("title: Broken\nreleases:\n  - releaseCycle: \"1\"\n    eol: someday\n"))
	s, _ := newStore(t)
	res := mustImport(t, s, dir)
	if res.EOLProducts != 1 || res.Ignored != 1 || len(res.Rejected) != 1 || !strings.Contains(res.Rejected[0].Reason, "broken") ||
		!strings.Contains(res.Rejected[0].Reason, `"someday"`) {
		t.Errorf("result %+v", res)
	}
}

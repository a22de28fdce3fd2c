package advisory

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/craft-cra/craft/internal/osv"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata/golden")

var testNow = time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)

func newStore(t testing.TB) (*Store, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "advisories.db")
	s, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, path
}

func importOpts() ImportOptions { return ImportOptions{Now: func() time.Time { return testNow }} }

func mustImport(t testing.TB, s *Store, paths ...string) *ImportResult {
	t.Helper()
	res, err := s.Import(context.Background(), paths, importOpts())
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// record is a small valid OSV record for tests.
func record(id, modified, eco, name string) map[string]any {
	return map[string]any{
		"id":       id,
		"modified": modified,
		"summary":  "test " + id + " at " + modified,
		"affected": []any{map[string]any{
			"package": map[string]any{"ecosystem": eco, "name": name},
			"ranges": []any{map[string]any{"type": "ECOSYSTEM", "events": []any{
				map[string]any{"introduced": "0"}, map[string]any{"fixed": "2.0"},
			}}},
		}},
	}
}

func writeJSON(t testing.TB, path string, v any) string {
	t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, path, data)
	return path
}

func writeFile(t testing.TB, path string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func ids(vs []*osv.Vulnerability) []string {
	var out []string
	for _, v := range vs {
		out = append(out, v.ID)
	}
	slices.Sort(out)
	return out
}

// TestImportCorpus imports the real records of testdata and queries them
// after reopening the database read-only.
func TestImportCorpus(t *testing.T) {
	ctx := context.Background()
	s, path := newStore(t)
	res := mustImport(t, s, "testdata/osv", "testdata/kev", "testdata/eol")
	// The only record the corpus copy holds that craft must refuse is the
	// OSV linter's deliberately broken one.
	if len(res.Rejected) != 1 || res.Rejected[0].ID != "CVE-2023-41045" ||
		!strings.Contains(res.Rejected[0].Reason, "no introduced event") ||
		!strings.HasSuffix(res.Rejected[0].File, "nointroduced-CVE-2023-41045.json") {
		t.Errorf("rejected = %v, want only nointroduced-CVE-2023-41045.json", res.Rejected)
	}
	if len(res.Failed) != 0 {
		t.Errorf("failed = %v", res.Failed)
	}
	files := countFiles(t, "testdata/osv")
	// Some IDs occur twice (the offline DB keeps a record under two
	// ecosystems; the linter keeps variants): those count as updated or
	// unchanged, never lost.
	if got := res.Records() + len(res.Rejected); got != files {
		t.Errorf("records read = %d, files = %d", got, files)
	}
	if res.KEVEntries != 1404 || res.KEVCatalogVersion != "2025.08.25" {
		t.Errorf("KEV = %d entries, version %q; want 1404, 2025.08.25", res.KEVEntries, res.KEVCatalogVersion)
	}
	if res.EOLProducts != countFiles(t, "testdata/eol") {
		t.Errorf("EOL products = %d", res.EOLProducts)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	ro, err := OpenReadOnly(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	tests := []struct {
		eco   string
		names []string
		want  map[string][]string
	}{
		{"Go", []string{"github.com/gin-gonic/gin", "example.com/none"}, map[string][]string{
			"github.com/gin-gonic/gin": {"GO-2020-0001"}}},
		// PyPI names compare under PEP 503; the GIT folder of the offline
		// DB holds the same PYSEC record under a second path.
		{"PyPI", []string{"Flask", "URLLIB3", "requests"}, map[string][]string{
			"flask": {"PYSEC-2023-62"}, "urllib3": {"PYSEC-2020-148"}, "requests": {"PYSEC-2023-74"}}},
		// Withdrawn records are stored but never returned.
		{"PyPI", []string{"redis", "loguru"}, map[string][]string{}},
		{"CRAN", []string{"readxl"}, map[string][]string{"readxl": {"RSEC-2023-0"}}},
		// An ecosystem suffix finds records of every release.
		{"Alpine:v3.20", []string{"openssl"}, map[string][]string{"openssl": {"CVE-2018-5407"}}},
		{"npm", nil, map[string][]string{}},
	}
	for _, tc := range tests {
		got, err := ro.Vulnerabilities(ctx, tc.eco, tc.names)
		if err != nil {
			t.Fatal(err)
		}
		gotIDs := map[string][]string{}
		for k, v := range got {
			gotIDs[k] = ids(v)
		}
		for k, want := range tc.want {
			if !slices.Equal(gotIDs[k], want) {
				t.Errorf("%s %v: %s = %v, want %v", tc.eco, tc.names, k, gotIDs[k], want)
			}
		}
		if len(gotIDs) != len(tc.want) {
			t.Errorf("%s %v: got keys %v, want %v", tc.eco, tc.names, gotIDs, tc.want)
		}
	}
	// The stored record is the whole record, not a summary.
	got, err := ro.Vulnerabilities(ctx, "Go", []string{"github.com/gin-gonic/gin"})
	if err != nil {
		t.Fatal(err)
	}
	v := got["github.com/gin-gonic/gin"][0]
	if !slices.Contains(v.Aliases, "CVE-2020-36567") || v.Published.Year() != 2021 || len(v.Affected[0].Ranges[0].Events) != 2 {
		t.Errorf("GO-2020-0001 decoded as %+v", v)
	}

	kev, err := ro.KEV(ctx, []string{"cve-2021-44228", "CVE-1999-0001", "CVE-2021-44228"})
	if err != nil {
		t.Fatal(err)
	}
	e, ok := kev["CVE-2021-44228"]
	if len(kev) != 1 || !ok || e.VendorProject != "Apache" || e.KnownRansomwareCampaignUse != "Known" ||
		!e.DateAdded.Equal(time.Date(2021, 12, 10, 0, 0, 0, 0, time.UTC)) || !e.DueDate.Equal(time.Date(2021, 12, 24, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("KEV = %+v", kev)
	}

	st, err := ro.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.SchemaVersion != SchemaVersion || st.KEVEntries != 1404 || st.EOLProducts != res.EOLProducts ||
		st.Withdrawn != 3 || st.Ecosystems["Go"] == 0 || st.Ecosystems["PyPI"] == 0 || !st.LastUpdated.Equal(testNow) {
		t.Errorf("status = %+v", st)
	}
	if _, err := ro.Import(ctx, []string{"testdata/kev"}, importOpts()); err == nil {
		t.Error("import into a read-only store succeeded")
	}
	// The connection itself is read-only, not only the Go API.
	if _, err := ro.db.ExecContext(ctx, `DELETE FROM kev`); err == nil || !strings.Contains(err.Error(), "readonly") {
		t.Errorf("write through a read-only connection: %v", err)
	}
}

func countFiles(t *testing.T, root string) int {
	t.Helper()
	n := 0
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() && fileFormat(p) != "" {
			n++
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestIncremental: a record replaces the stored one only when its modified
// time is later; older or equal ones are counted as unchanged.
func TestIncremental(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	dir := t.TempDir()
	steps := []struct {
		modified  string
		withdrawn bool
		want      [3]int // imported, updated, unchanged
		summary   string // stored summary afterwards
		visible   bool
	}{
		{"2024-01-02T00:00:00Z", false, [3]int{1, 0, 0}, "test X-1 at 2024-01-02T00:00:00Z", true},
		{"2024-01-02T00:00:00Z", false, [3]int{0, 0, 1}, "test X-1 at 2024-01-02T00:00:00Z", true},
		{"2023-12-31T00:00:00Z", false, [3]int{0, 0, 1}, "test X-1 at 2024-01-02T00:00:00Z", true},
		{"2024-03-01T10:00:00.5Z", false, [3]int{0, 1, 0}, "test X-1 at 2024-03-01T10:00:00.5Z", true},
		// A later withdrawal replaces the record and hides it.
		{"2024-04-01T00:00:00Z", true, [3]int{0, 1, 0}, "", false},
		// And a later un-withdrawal brings it back.
		{"2024-05-01T00:00:00Z", false, [3]int{0, 1, 0}, "test X-1 at 2024-05-01T00:00:00Z", true},
	}
	for i, st := range steps {
		r := record("X-1", st.modified, "npm", "left-pad")
		if st.withdrawn {
			r["withdrawn"] = st.modified
		}
		f := writeJSON(t, filepath.Join(dir, fmt.Sprintf("step%d.json", i)), r)
		res := mustImport(t, s, f)
		if got := [3]int{res.Imported, res.Updated, res.Unchanged}; got != st.want {
			t.Errorf("step %d: imported/updated/unchanged = %v, want %v", i, got, st.want)
		}
		got, err := s.Vulnerabilities(ctx, "npm", []string{"left-pad"})
		if err != nil {
			t.Fatal(err)
		}
		if st.visible != (len(got["left-pad"]) == 1) {
			t.Fatalf("step %d: visible = %v, want %v", i, !st.visible, st.visible)
		}
		if st.visible && got["left-pad"][0].Summary != st.summary {
			t.Errorf("step %d: stored %q, want %q", i, got["left-pad"][0].Summary, st.summary)
		}
	}
	st, err := s.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.Records != 1 || st.Withdrawn != 0 {
		t.Errorf("status records=%d withdrawn=%d, want 1, 0", st.Records, st.Withdrawn)
	}
}

// TestRecordMovesPackage: an update that names another package leaves no
// stale index row behind.
func TestRecordMovesPackage(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	dir := t.TempDir()
	mustImport(t, s, writeJSON(t, filepath.Join(dir, "a.json"), record("X-2", "2024-01-01T00:00:00Z", "PyPI", "old_name")))
	mustImport(t, s, writeJSON(t, filepath.Join(dir, "b.json"), record("X-2", "2024-02-01T00:00:00Z", "PyPI", "new-name")))
	got, err := s.Vulnerabilities(ctx, "PyPI", []string{"old-name", "New_Name"})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || len(got["new-name"]) != 1 {
		t.Errorf("got %v, want only new-name", got)
	}
}

// TestLookupManyNames crosses the chunk size of one query.
func TestLookupManyNames(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	dir := t.TempDir()
	var recs []any
	for i := range 3 * lookupChunk {
		recs = append(recs, record(fmt.Sprintf("X-%d", i), "2024-01-01T00:00:00Z", "npm", fmt.Sprintf("pkg-%d", i)))
	}
	res := mustImport(t, s, writeJSON(t, filepath.Join(dir, "all.json"), recs))
	if res.Imported != len(recs) {
		t.Fatalf("imported %d of %d", res.Imported, len(recs))
	}
	var names []string
	for i := 0; i < 3*lookupChunk+50; i += 2 {
		names = append(names, fmt.Sprintf("pkg-%d", i))
	}
	got, err := s.Vulnerabilities(ctx, "npm", names)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3*lookupChunk/2 {
		t.Errorf("found %d names, want %d", len(got), 3*lookupChunk/2)
	}
	if v := got["pkg-1000"]; len(v) != 1 || v[0].ID != "X-1000" {
		t.Errorf("pkg-1000 = %v", ids(v))
	}
}

func TestSchemaVersion(t *testing.T) {
	ctx := context.Background()
	s, path := newStore(t)
	if _, err := s.db.ExecContext(ctx, `UPDATE meta SET value = '99' WHERE key = 'schema_version'`); err != nil {
		t.Fatal(err)
	}
	s.Close()
	for name, open := range map[string]func(context.Context, string) (*Store, error){"Open": Open, "OpenReadOnly": OpenReadOnly} {
		_, err := open(ctx, path)
		if !errors.Is(err, ErrNewerSchema) || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "99") {
			t.Errorf("%s: err = %v, want ErrNewerSchema naming the file and version", name, err)
		}
	}
	missing := filepath.Join(t.TempDir(), "none.db")
	if _, err := OpenReadOnly(ctx, missing); !errors.Is(err, ErrNotFound) {
		t.Errorf("OpenReadOnly(missing) = %v, want ErrNotFound", err)
	}
	if _, err := os.Stat(missing); !errors.Is(err, os.ErrNotExist) {
		t.Error("OpenReadOnly created the file")
	}
	// A database whose records use another encoding.
	s2, path2 := newStore(t)
	if _, err := s2.db.ExecContext(ctx, `UPDATE meta SET value = 'zstd' WHERE key = 'record_codec'`); err != nil {
		t.Fatal(err)
	}
	s2.Close()
	if _, err := OpenReadOnly(ctx, path2); err == nil || !strings.Contains(err.Error(), `encoded as "zstd"`) {
		t.Errorf("OpenReadOnly(zstd database) = %v", err)
	}
	// A file that is not SQLite at all.
	junk := filepath.Join(t.TempDir(), "junk.db")
	writeFile(t, junk, bytes.Repeat([]byte("not a database "), 100))
	if _, err := Open(ctx, junk); err == nil || !strings.Contains(err.Error(), junk) {
		t.Errorf("Open(junk) = %v, want an error naming the file", err)
	}
}

func TestDefaultPath(t *testing.T) {
	env := map[string]string{"CRAFT_DB": "/x/y.db"}
	p, err := DefaultPath(func(k string) string { return env[k] })
	if err != nil || p != "/x/y.db" {
		t.Errorf("with CRAFT_DB: %q, %v", p, err)
	}
	p, err = DefaultPath(func(string) string { return "" })
	if err == nil && !strings.HasSuffix(p, filepath.Join("craft", "advisories.db")) {
		t.Errorf("default = %q", p)
	}
}

// TestYAMLToJSON covers the conversions that a plain YAML decoder gets wrong.
func TestYAMLToJSON(t *testing.T) {
	tests := []struct {
		name, in, want, wantErr string
	}{
		{"timestamp", "modified: 2023-11-07T20:24:23.946863Z\n", `{"modified":"2023-11-07T20:24:23.946863Z"}`, ""},
		{"date_only_timestamp", "published: 2020-08-05\n", `{"published":"2020-08-05T00:00:00Z"}`, ""},
		{"quoted_timestamp", "modified: '2023-06-27T18:49:56.911238Z'\n", `{"modified":"2023-06-27T18:49:56.911238Z"}`, ""},
		{"version_keeps_text", "versions:\n- 1.10\n- 1.0\n- 2\n", `{"versions":["1.10","1.0","2"]}`, ""},
		{"bool_outside_free_form_is_text", "id: yes\n", `{"id":"yes"}`, ""},
		{"free_form_keeps_types", "database_specific:\n  n: 3\n  ok: true\n  f: 1.5\n", `{"database_specific":{"n":3,"ok":true,"f":1.5}}`, ""},
		{"null", "withdrawn: null\n", `{"withdrawn":null}`, ""},
		{"alias", "a: &x [1]\nb: *x\n", `{"a":["1"],"b":["1"]}`, ""},
		{"duplicate_key", "id: a\nid: b\n", "", "duplicate key"},
		{"not_yaml", "id: [unclosed\n", "", "yaml"},
		{"empty", "", "", "empty document"},
		{"billion_laughs", billionLaughs(), "", "nodes"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := yamlToJSON([]byte(tc.in))
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tc.want {
				t.Errorf("got %s, want %s", got, tc.want)
			}
		})
	}
}

func billionLaughs() string {
	var b strings.Builder
	b.WriteString("a: &a [x, x, x, x, x, x, x, x, x, x]\n")
	prev := "a"
	for i := range 8 {
		name := fmt.Sprintf("l%d", i)
		fmt.Fprintf(&b, "%s: &%s [*%s, *%s, *%s, *%s, *%s, *%s, *%s, *%s, *%s, *%s]\n", name, name, prev, prev, prev, prev, prev, prev, prev, prev, prev, prev)
		prev = name
	}
	return b.String()
}

// TestPYSECYAML checks a real PyPA record converted through YAML: the
// timestamps and versions arrive intact.
func TestPYSECYAML(t *testing.T) {
	data, err := os.ReadFile("testdata/osv/pypa/aiohttp/PYSEC-2024-24.yaml")
	if err != nil {
		t.Fatal(err)
	}
	j, err := yamlToJSON(data)
	if err != nil {
		t.Fatal(err)
	}
	var v osv.Vulnerability
	if err := json.Unmarshal(j, &v); err != nil {
		t.Fatal(err)
	}
	if v.ID != "PYSEC-2024-24" || v.Modified.IsZero() || v.Published.IsZero() || len(v.Affected) == 0 || len(v.Affected[0].Versions) == 0 {
		t.Errorf("decoded %+v", v)
	}
	if err := validateRecord(&v); err != nil {
		t.Error(err)
	}
}

func zipOf(t testing.TB, entries map[string][]byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	names := make([]string, 0, len(entries))
	for n := range entries {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		w, err := zw.Create(n)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(entries[n]); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func mustJSON(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestZipArchive imports an archive laid out like osv.dev's all.zip.
func TestZipArchive(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	entries := map[string][]byte{}
	for i := range 20 {
		id := fmt.Sprintf("GHSA-%04d", i)
		entries[id+".json"] = mustJSON(t, record(id, "2024-01-01T00:00:00Z", "npm", fmt.Sprintf("p%d", i%5)))
	}
	p := filepath.Join(t.TempDir(), "npm", "all.zip")
	writeFile(t, p, zipOf(t, entries))
	res := mustImport(t, s, p)
	if res.Imported != 20 || len(res.Rejected) != 0 || len(res.Failed) != 0 {
		t.Fatalf("result %+v", res)
	}
	got, err := s.Vulnerabilities(ctx, "npm", []string{"p0", "p4"})
	if err != nil {
		t.Fatal(err)
	}
	if len(got["p0"]) != 4 || len(got["p4"]) != 4 {
		t.Errorf("p0=%v p4=%v", ids(got["p0"]), ids(got["p4"]))
	}
}

// TestListsPackage: the guard against name-key collisions accepts only
// records that name the package in the ecosystem.
func TestListsPackage(t *testing.T) {
	v := &osv.Vulnerability{ID: "X", Affected: []osv.Affected{{Package: osv.Package{Ecosystem: "PyPI", Name: "Foo_Bar"}}}}
	tests := []struct {
		base, name string
		want       bool
	}{
		{"PyPI", "foo-bar", true},
		{"PyPI", "foo-baz", false},
		{"npm", "foo-bar", false},
	}
	for _, tc := range tests {
		if got := listsPackage(v, tc.base, tc.name); got != tc.want {
			t.Errorf("listsPackage(%s, %s) = %v", tc.base, tc.name, got)
		}
	}
	if nameKey("PyPI", "a") == nameKey("PyPI", "b") || nameKey("PyPI", "a") == nameKey("npm", "a") {
		t.Error("nameKey does not separate names or ecosystems")
	}
}

// TestImportCanceled: a canceled import is rolled back and reports the
// cancellation; the stored data stays.
func TestImportCanceled(t *testing.T) {
	s := withPriorState(t)
	dir := t.TempDir()
	var recs []any
	for i := range 2000 {
		recs = append(recs, record(fmt.Sprintf("C-%d", i), "2024-01-01T00:00:00Z", "npm", "left-pad"))
	}
	entries := map[string][]byte{}
	for i, r := range recs {
		entries[fmt.Sprintf("C-%d.json", i)] = mustJSON(t, r)
	}
	p := filepath.Join(dir, "all.zip")
	writeFile(t, p, zipOf(t, entries))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := s.Import(ctx, []string{p}, importOpts())
	if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "all.zip") {
		t.Errorf("err = %v, want context.Canceled naming the input", err)
	}
	checkPriorState(t, s)
	if storedID(t, s, "C-1") {
		t.Error("records of a canceled import were stored")
	}
}

// TestZeroModifiedComparesContent: records without a modified time (copies
// from golang/vulndb's repository carry 0001-01-01T00:00:00Z) cannot say
// they are newer; a re-import with other content replaces them, the same
// content stays unchanged.
func TestZeroModifiedComparesContent(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	dir := t.TempDir()
	for i, st := range []struct {
		summary string
		want    [3]int // imported, updated, unchanged
	}{
		{"first", [3]int{1, 0, 0}},
		{"first", [3]int{0, 0, 1}},
		{"corrected", [3]int{0, 1, 0}},
	} {
		r := record("GO-2020-0001", "0001-01-01T00:00:00Z", "Go", "example.com/m")
		r["summary"] = st.summary
		res := mustImport(t, s, writeJSON(t, filepath.Join(dir, fmt.Sprintf("z%d.json", i)), r))
		if got := [3]int{res.Imported, res.Updated, res.Unchanged}; got != st.want {
			t.Errorf("step %d: imported/updated/unchanged = %v, want %v", i, got, st.want)
		}
		got, err := s.Vulnerabilities(ctx, "Go", []string{"example.com/m"})
		if err != nil {
			t.Fatal(err)
		}
		if len(got["example.com/m"]) != 1 || got["example.com/m"][0].Summary != st.summary {
			t.Errorf("step %d: stored %+v, want summary %q", i, got, st.summary)
		}
	}
}

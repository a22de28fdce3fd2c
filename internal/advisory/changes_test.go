package advisory

import (
	"path/filepath"
	"slices"
	"testing"
)

func keysOf[K comparable](m map[K]struct{}) []K {
	var out []K
	for k := range m {
		out = append(out, k)
	}
	return out
}

// TestChangesReportPackages: an import reports the keys of new records,
// an update both the old and the new version's keys, a withdrawal the
// keys it had, and an unchanged record nothing.
func TestChangesReportPackages(t *testing.T) {
	s, _ := newStore(t)
	dir := t.TempDir()
	oldKey, newKey := PackageKey("PyPI", "Old_Name"), PackageKey("PyPI", "new.name")
	res := mustImport(t, s, writeJSON(t, filepath.Join(dir, "a.json"), record("X-2", "2024-01-01T00:00:00Z", "PyPI", "old_name")))
	if got := keysOf(res.Changes.Packages); !slices.Equal(got, []int64{oldKey}) {
		t.Errorf("import: %v, want %v", got, oldKey)
	}
	res = mustImport(t, s, filepath.Join(dir, "a.json"))
	if len(res.Changes.Packages) != 0 || res.Changes.EOL || len(res.Changes.KEV) != 0 {
		t.Errorf("unchanged: %+v", res.Changes)
	}
	res = mustImport(t, s, writeJSON(t, filepath.Join(dir, "b.json"), record("X-2", "2024-02-01T00:00:00Z", "PyPI", "new-name")))
	got := keysOf(res.Changes.Packages)
	slices.Sort(got)
	want := []int64{oldKey, newKey}
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("update moving the package: %v, want %v", got, want)
	}
	w := record("X-2", "2024-03-01T00:00:00Z", "PyPI", "new-name")
	w["withdrawn"] = "2024-03-01T00:00:00Z"
	res = mustImport(t, s, writeJSON(t, filepath.Join(dir, "c.json"), w))
	if got := keysOf(res.Changes.Packages); !slices.Equal(got, []int64{newKey}) {
		t.Errorf("withdrawn: %v, want %v", got, newKey)
	}
}

// TestChangesReportKEVAndEOL: a KEV catalog reports every CVE it adds
// (all of them into an empty database) and nothing when imported again;
// endoflife.date data reports a change once.
func TestChangesReportKEVAndEOL(t *testing.T) {
	s, _ := newStore(t)
	res := mustImport(t, s, "testdata/kev")
	if len(res.Changes.KEV) != res.KEVEntries || res.KEVEntries == 0 {
		t.Errorf("first KEV import: %d changed, %d entries", len(res.Changes.KEV), res.KEVEntries)
	}
	if res = mustImport(t, s, "testdata/kev"); len(res.Changes.KEV) != 0 {
		t.Errorf("same catalog again: %d changed", len(res.Changes.KEV))
	}
	if res = mustImport(t, s, "testdata/eol"); !res.Changes.EOL {
		t.Error("first EOL import: no change reported")
	}
	if res = mustImport(t, s, "testdata/eol"); res.Changes.EOL {
		t.Error("same EOL data again: change reported")
	}
}

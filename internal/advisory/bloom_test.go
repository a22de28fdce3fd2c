package advisory

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
)

func TestBloom(t *testing.T) {
	b := newBloom(10000)
	for i := range 10000 {
		b.add(nameKey("npm", fmt.Sprint("in-", i)))
	}
	for i := range 10000 {
		if !b.mayContain(nameKey("npm", fmt.Sprint("in-", i))) {
			t.Fatalf("false negative for in-%d", i)
		}
	}
	fp := 0
	for i := range 10000 {
		if b.mayContain(nameKey("npm", fmt.Sprint("out-", i))) {
			fp++
		}
	}
	if fp > 300 {
		t.Errorf("%d false positives in 10,000, want about 1%%", fp)
	}
	round, err := unmarshalBloom(b.marshal())
	if err != nil || round.m != b.m || !round.mayContain(nameKey("npm", "in-7")) {
		t.Errorf("round trip: %v", err)
	}
	for _, bad := range [][]byte{nil, {1, 2, 3}, make([]byte, 16), append(newBloom(1).marshal(), 0)} {
		if _, err := unmarshalBloom(bad); err == nil {
			t.Errorf("unmarshalBloom(%d bytes) accepted", len(bad))
		}
	}
}

// TestFilterFollowsWrites: a store that stays open (a server) sees records
// that another store (another process) imports later; the cached name
// filter must not hide them.
func TestFilterFollowsWrites(t *testing.T) {
	ctx := context.Background()
	w, path := newStore(t)
	dir := t.TempDir()
	mustImport(t, w, writeJSON(t, filepath.Join(dir, "a.json"), record("F-1", "2024-01-01T00:00:00Z", "npm", "first")))
	ro, err := OpenReadOnly(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	for i, name := range []string{"first", "second", "third"} {
		if i > 0 {
			mustImport(t, w, writeJSON(t, filepath.Join(dir, name+".json"), record(fmt.Sprint("F-", i+1), "2024-01-01T00:00:00Z", "npm", name)))
		}
		for _, s := range []*Store{w, ro} {
			got, err := s.Vulnerabilities(ctx, "npm", []string{"first", "second", "third"})
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != i+1 {
				t.Errorf("after import %d: found %d names, want %d", i+1, len(got), i+1)
			}
		}
	}
}

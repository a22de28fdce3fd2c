package advisory

import (
	"context"
	"encoding/json"
	goldenfile "github.com/craft-cra/craft/internal/golden"
	"path/filepath"
	"sort"
	"testing"
)

// TestImportGolden records what importing the whole testdata corpus does
// (counts, rejections) and what the store then answers for every package
// it holds: the IDs per (ecosystem, name). Run with -update after a
// deliberate change.
func TestImportGolden(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	res := mustImport(t, s, "testdata/osv", "testdata/kev", "testdata/eol")
	// Every package named by an accepted record, looked up by its name.
	type pkg struct{ eco, name string }
	var pkgs []pkg
	rows, err := s.db.QueryContext(ctx, `SELECT DISTINCT ecosystem, rid FROM affected`)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[pkg]bool{}
	var rids []int64
	ecoOf := map[int64]string{}
	for rows.Next() {
		var eco string
		var rid int64
		if err := rows.Scan(&eco, &rid); err != nil {
			t.Fatal(err)
		}
		rids = append(rids, rid)
		ecoOf[rid] = eco
	}
	rows.Close()
	for _, rid := range rids {
		var blob []byte
		if err := s.db.QueryRowContext(ctx, `SELECT data FROM records WHERE rid = ?`, rid).Scan(&blob); err != nil {
			t.Fatal(err)
		}
		v, err := decodeRecord(blob)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range v.Affected {
			p := pkg{a.Package.Ecosystem, a.Package.Name}
			if p.name != "" && !seen[p] {
				seen[p] = true
				pkgs = append(pkgs, p)
			}
		}
	}
	sort.Slice(pkgs, func(i, j int) bool {
		if pkgs[i].eco != pkgs[j].eco {
			return pkgs[i].eco < pkgs[j].eco
		}
		return pkgs[i].name < pkgs[j].name
	})
	lookups := map[string][]string{}
	for _, p := range pkgs {
		got, err := s.Vulnerabilities(ctx, p.eco, []string{p.name})
		if err != nil {
			t.Fatal(err)
		}
		for _, vs := range got {
			lookups[p.eco+" "+p.name] = ids(vs)
		}
		if len(got) == 0 {
			t.Errorf("%s %s: named by a stored record but not found", p.eco, p.name)
		}
	}
	out, err := json.MarshalIndent(map[string]any{"import": res, "lookups": lookups}, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	out = append(out, '\n')
	golden := filepath.Join("testdata", "golden", "import-corpus.json")
	goldenfile.Check(t, golden, out, *update)
}

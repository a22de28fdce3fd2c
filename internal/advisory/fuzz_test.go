package advisory

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// seedFiles adds every testdata file with one of exts to the corpus.
func seedFiles(f *testing.F, add func(name string, data []byte), exts ...string) {
	f.Helper()
	err := filepath.WalkDir("testdata", func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		for _, e := range exts {
			if filepath.Ext(p) == e {
				data, err := os.ReadFile(p)
				if err != nil {
					return err
				}
				if len(data) < 64<<10 {
					add(p, data)
				}
			}
		}
		return nil
	})
	if err != nil {
		f.Fatal(err)
	}
}

// FuzzParseDoc feeds arbitrary bytes to the document parser as JSON, YAML
// and Markdown. It must never panic, and an accepted record must decode
// back from its stored form with the same ID.
func FuzzParseDoc(f *testing.F) {
	seedFiles(f, func(name string, data []byte) {
		kind := byte(0)
		if filepath.Ext(name) == ".yaml" {
			kind = 1
		}
		f.Add(kind, data)
	}, ".json", ".yaml")
	f.Add(byte(2), []byte("---\ntitle: X\nreleases:\n- releaseCycle: 1\n  eol: true\n---\n"))
	f.Add(byte(0), []byte(`[{"id":"A"},{"id":5}]`))
	f.Add(byte(0), []byte(`{"vulns":[{"id":"A","affected":[{"package":{"ecosystem":"npm","name":"x"}}]}]}`))
	s, _ := newStore(f)
	f.Fuzz(func(t *testing.T, kind byte, data []byte) {
		name := []string{"x.json", "x.yaml", "x.md"}[int(kind)%3]
		doc := s.parseDoc(name, data)
		for _, r := range doc.records {
			if r.err != nil {
				continue
			}
			v, err := decodeRecord(r.rec.blob)
			if err != nil {
				t.Fatalf("accepted record does not decode: %v", err)
			}
			if v.ID != r.rec.id {
				t.Fatalf("stored ID %q, prepared %q", v.ID, r.rec.id)
			}
		}
	})
}

// FuzzYAMLToJSON: whatever YAML converts must be valid JSON.
func FuzzYAMLToJSON(f *testing.F) {
	seedFiles(f, func(_ string, data []byte) { f.Add(data) }, ".yaml")
	f.Add([]byte("a: &x [1]\nb: *x\n"))
	f.Add([]byte("t: 2001-12-14 21:59:43.10 -5\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		out, err := yamlToJSON(data)
		if err != nil {
			return
		}
		if !json.Valid(out) {
			t.Fatalf("invalid JSON %q from %q", out, data)
		}
	})
}

// FuzzParseKEV: the KEV parser either rejects or yields a catalog whose
// entries all have CVE IDs and dates.
func FuzzParseKEV(f *testing.F) {
	data, err := os.ReadFile("testdata/kev/known_exploited_vulnerabilities.json")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(data[:4096])
	f.Add([]byte(`{"catalogVersion":"1","count":1,"vulnerabilities":[{"cveID":"CVE-2020-0001","dateAdded":"2020-01-01"}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := parseKEV(data)
		if err != nil {
			return
		}
		for _, e := range c.Vulnerabilities {
			if !cveIDPattern.MatchString(e.CVEID) || e.DateAdded == "" {
				t.Fatalf("accepted entry %+v", e)
			}
		}
	})
}

// FuzzImportZip imports arbitrary bytes as a zip archive with tight
// limits: never a panic, never an error of the database itself.
func FuzzImportZip(f *testing.F) {
	f.Add(zipOf(f, map[string][]byte{"A.json": []byte(`{"id":"A","modified":"2024-01-01T00:00:00Z"}`)}))
	f.Add(zipOf(f, map[string][]byte{"B.yaml": []byte("id: B\nmodified: 2024-01-01T00:00:00Z\n"), "README": []byte("x")}))
	s, _ := newStore(f)
	opts := ImportOptions{MaxFileBytes: 1 << 20, MaxArchiveBytes: 4 << 20}
	f.Fuzz(func(t *testing.T, data []byte) {
		res, err := s.ImportZip(context.Background(), "fuzz.zip", bytes.NewReader(data), int64(len(data)), opts)
		if err != nil {
			t.Fatalf("database error: %v", err)
		}
		if res == nil {
			t.Fatal("nil result")
		}
	})
}

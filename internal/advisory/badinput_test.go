package advisory

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"context"
	"hash/crc32"
	"path/filepath"
	"strings"
	"testing"
)

// withPriorState returns a store that already holds one record and the
// real KEV catalog, the state that bad input must not damage.
func withPriorState(t *testing.T) *Store {
	t.Helper()
	s, _ := newStore(t)
	dir := t.TempDir()
	res := mustImport(t, s, writeJSON(t, filepath.Join(dir, "prior.json"), record("PRIOR-1", "2024-01-01T00:00:00Z", "npm", "left-pad")), "testdata/kev")
	if res.Imported != 1 || res.KEVEntries != 1404 {
		t.Fatalf("prior state: %+v", res)
	}
	return s
}

func checkPriorState(t *testing.T, s *Store) {
	t.Helper()
	ctx := context.Background()
	got, err := s.Vulnerabilities(ctx, "npm", []string{"left-pad"})
	if err != nil {
		t.Fatal(err)
	}
	if len(got["left-pad"]) != 1 || got["left-pad"][0].ID != "PRIOR-1" || got["left-pad"][0].Summary != "test PRIOR-1 at 2024-01-01T00:00:00Z" {
		t.Errorf("prior record lost: %v", got)
	}
	st, err := s.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.KEVEntries != 1404 || st.KEVCatalog != "2025.08.25" {
		t.Errorf("prior KEV catalog lost: %d entries, version %q", st.KEVEntries, st.KEVCatalog)
	}
}

// deflateRaw compresses data for a hand-made zip entry.
func deflateRaw(t *testing.T, data []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	fw, err := flate.NewWriter(&buf, flate.BestCompression)
	if err != nil {
		t.Fatal(err)
	}
	fw.Write(data)
	fw.Close()
	return buf.Bytes()
}

// lyingZip holds one entry whose header declares declared bytes while its
// deflate stream inflates to len(data) bytes: the classic zip bomb.
func lyingZip(t *testing.T, name string, data []byte, declared uint64, extra map[string][]byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	comp := deflateRaw(t, data)
	w, err := zw.CreateRaw(&zip.FileHeader{
		Name: name, Method: zip.Deflate,
		CRC32:              crc32.ChecksumIEEE(data[:declared]),
		CompressedSize64:   uint64(len(comp)),
		UncompressedSize64: declared,
	})
	if err != nil {
		t.Fatal(err)
	}
	w.Write(comp)
	for n, d := range extra {
		w, err := zw.Create(n)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(d)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestBadInput imports hostile and broken inputs next to a good record:
// each bad one is reported with its file, zip entry and record ID, the
// good record is stored, and nothing stored before is lost.
func TestBadInput(t *testing.T) {
	good := func(t *testing.T, id string) []byte {
		return mustJSON(t, record(id, "2024-06-01T00:00:00Z", "PyPI", "good-"+id))
	}
	bigZeros := bytes.Repeat([]byte{' '}, 8<<20) // inflates from ~8 KB
	tests := []struct {
		name string
		// files to write, relative to the import folder
		files func(t *testing.T) map[string][]byte
		opts  ImportOptions
		// want: a rejection (or, with failed, a rolled-back unit) whose
		// text contains each of these
		want   []string
		failed bool
		// goodStored lists IDs that must be stored afterwards; goodLost
		// those that must not (rolled back with their archive)
		goodStored, goodLost []string
	}{
		{
			name: "invalid_json_record",
			files: func(t *testing.T) map[string][]byte {
				return map[string][]byte{"a/bad.json": []byte(`{"id": "BAD-1", "modified": "2024-01-01T00:00:00Z", "affected": [`), "a/good.json": good(t, "G-1")}
			},
			want: []string{"bad.json", "BAD-1", "invalid JSON"}, goodStored: []string{"G-1"},
		},
		{
			name: "wrong_types",
			files: func(t *testing.T) map[string][]byte {
				return map[string][]byte{"bad.json": []byte(`{"id": "BAD-2", "affected": "everything"}`), "good.json": good(t, "G-2")}
			},
			want: []string{"bad.json", "BAD-2", "invalid JSON"}, goodStored: []string{"G-2"},
		},
		{
			name: "unknown_ecosystem",
			files: func(t *testing.T) map[string][]byte {
				return map[string][]byte{"bad.json": mustJSON(t, record("BAD-3", "2024-01-01T00:00:00Z", "Nonsense", "x")), "good.json": good(t, "G-3")}
			},
			want: []string{"bad.json", "BAD-3", `unknown ecosystem "Nonsense"`}, goodStored: []string{"G-3"},
		},
		{
			name: "range_without_events",
			files: func(t *testing.T) map[string][]byte {
				r := record("BAD-4", "2024-01-01T00:00:00Z", "npm", "x")
				r["affected"].([]any)[0].(map[string]any)["ranges"] = []any{map[string]any{"type": "SEMVER", "events": []any{}}}
				return map[string][]byte{"bad.json": mustJSON(t, r), "good.json": good(t, "G-4")}
			},
			want: []string{"bad.json", "BAD-4", "SEMVER range has no events"}, goodStored: []string{"G-4"},
		},
		{
			name: "event_with_two_fields",
			files: func(t *testing.T) map[string][]byte {
				r := record("BAD-5", "2024-01-01T00:00:00Z", "npm", "x")
				r["affected"].([]any)[0].(map[string]any)["ranges"] = []any{map[string]any{"type": "ECOSYSTEM", "events": []any{map[string]any{"introduced": "0", "fixed": "1"}}}}
				return map[string][]byte{"bad.json": mustJSON(t, r), "good.json": good(t, "G-5")}
			},
			want: []string{"BAD-5", "want exactly 1"}, goodStored: []string{"G-5"},
		},
		{
			name: "kev_wrong_shape",
			files: func(t *testing.T) map[string][]byte {
				return map[string][]byte{"kev.json": []byte(`{"catalogVersion": "2099.01.01", "vulnerabilities": {"cveID": "CVE-2021-44228"}}`), "good.json": good(t, "G-6")}
			},
			want: []string{"kev.json", "KEV catalog of the wrong shape"}, goodStored: []string{"G-6"},
		},
		{
			name: "kev_entry_without_cve",
			files: func(t *testing.T) map[string][]byte {
				return map[string][]byte{"kev.json": []byte(`{"catalogVersion": "2099.01.01", "dateReleased": "2099-01-01T00:00:00Z", "count": 1, "vulnerabilities": [{"vendorProject": "x", "dateAdded": "2099-01-01"}]}`)}
			},
			want: []string{"kev.json", "is not a CVE ID"},
		},
		{
			name: "kev_truncated_count",
			files: func(t *testing.T) map[string][]byte {
				return map[string][]byte{"kev.json": []byte(`{"catalogVersion": "2099.01.01", "dateReleased": "2099-01-01T00:00:00Z", "count": 1404, "vulnerabilities": [{"cveID": "CVE-2021-44228", "dateAdded": "2021-12-10"}]}`)}
			},
			want: []string{"kev.json", "count says 1404"},
		},
		{
			name: "yaml_alias_bomb",
			files: func(t *testing.T) map[string][]byte {
				return map[string][]byte{"bomb.yaml": []byte("id: BOMB-1\n" + billionLaughs()), "good.json": good(t, "G-7")}
			},
			want: []string{"bomb.yaml", "nodes"}, goodStored: []string{"G-7"},
		},
		{
			name: "empty_file",
			files: func(t *testing.T) map[string][]byte {
				return map[string][]byte{"empty.json": nil, "good.json": good(t, "G-8")}
			},
			want: []string{"empty.json", "empty file"}, goodStored: []string{"G-8"},
		},
		{
			name: "file_over_limit",
			files: func(t *testing.T) map[string][]byte {
				return map[string][]byte{"huge.json": bytes.Repeat([]byte(" "), 2<<20), "good.json": good(t, "G-9")}
			},
			opts: ImportOptions{MaxFileBytes: 1 << 20},
			want: []string{"huge.json", "larger than the limit"}, goodStored: []string{"G-9"},
		},
		{
			name: "truncated_zip",
			files: func(t *testing.T) map[string][]byte {
				z := zipOf(t, map[string][]byte{"T-1.json": good(t, "T-1"), "T-2.json": good(t, "T-2")})
				return map[string][]byte{"all.zip": z[:len(z)/2], "good.json": good(t, "G-10")}
			},
			want: []string{"all.zip", "not a readable zip archive"}, failed: true,
			goodStored: []string{"G-10"}, goodLost: []string{"T-1", "T-2"},
		},
		{
			name: "not_a_zip",
			files: func(t *testing.T) map[string][]byte {
				return map[string][]byte{"all.zip": []byte("<html>503 Service Unavailable</html>")}
			},
			want: []string{"all.zip", "not a readable zip archive"}, failed: true,
		},
		{
			name: "zip_entry_invalid_json",
			files: func(t *testing.T) map[string][]byte {
				z := zipOf(t, map[string][]byte{"Z-1.json": []byte(`{"id": "Z-1", "modified": 12`), "Z-2.json": good(t, "Z-2")})
				return map[string][]byte{"all.zip": z}
			},
			want: []string{"all.zip!Z-1.json", "Z-1", "invalid JSON"}, goodStored: []string{"Z-2"},
		},
		{
			name: "zip_bomb_declared",
			files: func(t *testing.T) map[string][]byte {
				z := zipOf(t, map[string][]byte{"bomb.json": bigZeros, "B-1.json": good(t, "B-1")})
				return map[string][]byte{"all.zip": z}
			},
			opts: ImportOptions{MaxFileBytes: 1 << 20},
			want: []string{"all.zip!bomb.json", "declares 8388608 bytes"}, goodStored: []string{"B-1"},
		},
		{
			name: "zip_bomb_lying_header",
			files: func(t *testing.T) map[string][]byte {
				z := lyingZip(t, "bomb.json", bigZeros, 100, map[string][]byte{"B-2.json": good(t, "B-2")})
				return map[string][]byte{"all.zip": z}
			},
			opts: ImportOptions{MaxFileBytes: 1 << 20},
			want: []string{"all.zip!bomb.json", "does not match the entry's header"}, goodStored: []string{"B-2"},
		},
		{
			name: "zip_bomb_total",
			files: func(t *testing.T) map[string][]byte {
				entries := map[string][]byte{}
				for i := range 10 {
					entries[string(rune('a'+i))+".json"] = append(good(t, "Q-"+string(rune('a'+i))), bytes.Repeat([]byte(" "), 200<<10)...)
				}
				return map[string][]byte{"all.zip": zipOf(t, entries), "good.json": good(t, "G-11")}
			},
			opts: ImportOptions{MaxArchiveBytes: 1 << 20},
			want: []string{"all.zip", "decompresses to more than 1048576 bytes"}, failed: true,
			goodStored: []string{"G-11"}, goodLost: []string{"Q-a"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			s := withPriorState(t)
			dir := t.TempDir()
			var paths []string
			for name, data := range tc.files(t) {
				writeFile(t, filepath.Join(dir, name), data)
			}
			// Zips are imported as their own path (their own transaction),
			// the rest as the folder.
			paths = append(paths, dir)
			opts := importOpts()
			opts.MaxFileBytes, opts.MaxArchiveBytes = tc.opts.MaxFileBytes, tc.opts.MaxArchiveBytes
			res, err := s.Import(ctx, paths, opts)
			if err != nil {
				t.Fatal(err)
			}
			list := res.Rejected
			if tc.failed {
				list = res.Failed
			}
			found := false
			for _, r := range list {
				text := r.String()
				ok := true
				for _, w := range tc.want {
					ok = ok && strings.Contains(text, w)
				}
				found = found || ok
			}
			if testing.Verbose() {
				t.Logf("rejected %v failed %v", res.Rejected, res.Failed)
			}
			if !found {
				if testing.Verbose() {
					t.Logf("rejected %v failed %v", res.Rejected, res.Failed)
				}
				t.Errorf("no %s entry containing %q; rejected %v, failed %v", map[bool]string{true: "failed", false: "rejected"}[tc.failed], tc.want, res.Rejected, res.Failed)
			}
			checkPriorState(t, s)
			for _, id := range tc.goodStored {
				if !storedID(t, s, id) {
					t.Errorf("good record %s was not stored", id)
				}
			}
			for _, id := range tc.goodLost {
				if storedID(t, s, id) {
					t.Errorf("record %s of a rolled-back archive was stored", id)
				}
			}
		})
	}
}

func storedID(t *testing.T, s *Store, id string) bool {
	t.Helper()
	var n int
	if err := s.db.QueryRow(`SELECT count(*) FROM records WHERE id = ?`, id).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n == 1
}

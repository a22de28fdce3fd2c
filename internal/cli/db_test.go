package cli

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDBUpdate runs `craft db update` against a local server standing in
// for osv.dev and CISA: a good first fetch, a 304, then a failing source
// that keeps its data and exits 3 naming the source.
func TestDBUpdate(t *testing.T) {
	var zbuf bytes.Buffer
	zw := zip.NewWriter(&zbuf)
	w, err := zw.Create("GO-2020-0001.json")
	if err != nil {
		t.Fatal(err)
	}
	rec, err := os.ReadFile(filepath.Join("testdata", "db", "osv", "GO-2020-0001.json"))
	if err != nil {
		t.Fatal(err)
	}
	w.Write(rec)
	zw.Close()
	kev, err := os.ReadFile(filepath.Join("testdata", "db", "kev.json"))
	if err != nil {
		t.Fatal(err)
	}
	failGo := false
	mux := http.NewServeMux()
	mux.HandleFunc("/Go/all.zip", func(w http.ResponseWriter, r *http.Request) {
		if failGo {
			http.Error(w, "down", http.StatusBadGateway)
			return
		}
		if r.Header.Get("If-None-Match") == `"go-1"` {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("ETag", `"go-1"`)
		w.Write(zbuf.Bytes())
	})
	mux.HandleFunc("/kev.json", func(w http.ResponseWriter, r *http.Request) {
		w.Write(kev)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()

	env := map[string]string{
		"CRAFT_DB":         filepath.Join(t.TempDir(), "a.db"),
		"CRAFT_DB_SOURCES": "osv-Go=" + srv.URL + "/Go/all.zip, kev=" + srv.URL + "/kev.json",
	}
	out, errOut, code := runCLI(t, env, "db", "update")
	if code != 0 || !strings.Contains(out, "osv-Go: 1 imported") || !strings.Contains(out, "kev: 0 imported, 0 updated, 0 unchanged, 0 rejected; kev catalog 2025.08.25, 3 entries") {
		t.Fatalf("first update: exit %d\n%s%s", code, out, errOut)
	}
	out, errOut, code = runCLI(t, env, "db", "update")
	if code != 0 || !strings.Contains(out, "osv-Go: not modified") {
		t.Fatalf("second update: exit %d\n%s%s", code, out, errOut)
	}
	failGo = true
	out, errOut, code = runCLI(t, env, "db", "update", "-o", "json")
	if code != ExitIncomplete || !strings.Contains(errOut, "source(s) osv-Go failed; their previous data stays in use") {
		t.Fatalf("failing update: exit %d\n%s%s", code, out, errOut)
	}
	var results []struct {
		Name, Error string
	}
	if err := json.Unmarshal([]byte(out), &results); err != nil || len(results) != 2 || !strings.Contains(results[0].Error, "HTTP 502") {
		t.Fatalf("json output %s: %v", out, err)
	}
	out, _, code = runCLI(t, env, "db", "status")
	if code != 0 || !strings.Contains(out, "Go                   1") || !strings.Contains(out, `osv-Go`) || !strings.Contains(out, `failed: source osv-Go`) || !strings.Contains(out, `"go-1"`) {
		t.Errorf("status after failure: exit %d\n%s", code, out)
	}
}

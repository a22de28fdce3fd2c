package advisory

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeFeed serves one URL path with a body, an ETag and a mode.
type fakeFeed struct {
	body         []byte
	etag         string
	lastModified string
	mode         string // "", "500", "truncate"
	requests     int
	conditional  int // requests that carried a validator
}

type fakeServer struct {
	mu    sync.Mutex
	feeds map[string]*fakeFeed
}

func (f *fakeServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	feed, ok := f.feeds[r.URL.Path]
	if !ok {
		http.NotFound(w, r)
		return
	}
	feed.requests++
	inm, ims := r.Header.Get("If-None-Match"), r.Header.Get("If-Modified-Since")
	if inm != "" || ims != "" {
		feed.conditional++
	}
	switch feed.mode {
	case "500":
		http.Error(w, "backend down", http.StatusInternalServerError)
		return
	case "truncate":
		w.Header().Set("Content-Length", fmt.Sprint(len(feed.body)))
		w.WriteHeader(http.StatusOK)
		w.Write(feed.body[:len(feed.body)/2])
		return // the server closes the connection short
	}
	if (feed.etag != "" && inm == feed.etag) || (feed.etag == "" && feed.lastModified != "" && ims == feed.lastModified) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	if feed.etag != "" {
		w.Header().Set("ETag", feed.etag)
	}
	if feed.lastModified != "" {
		w.Header().Set("Last-Modified", feed.lastModified)
	}
	w.Write(feed.body)
}

func (f *fakeServer) set(path string, fn func(*fakeFeed)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	fn(f.feeds[path])
}

func TestUpdate(t *testing.T) {
	ctx := context.Background()
	kevBody, err := os.ReadFile("testdata/kev/known_exploited_vulnerabilities.json")
	if err != nil {
		t.Fatal(err)
	}
	zipV1 := zipOf(t, map[string][]byte{
		"U-1.json": mustJSON(t, record("U-1", "2024-01-01T00:00:00Z", "npm", "alpha")),
		"U-2.json": mustJSON(t, record("U-2", "2024-01-01T00:00:00Z", "npm", "beta")),
	})
	zipV2 := zipOf(t, map[string][]byte{
		"U-1.json": mustJSON(t, record("U-1", "2024-02-01T00:00:00Z", "npm", "alpha")),
		"U-2.json": mustJSON(t, record("U-2", "2024-01-01T00:00:00Z", "npm", "beta")),
		"U-3.json": mustJSON(t, record("U-3", "2024-02-01T00:00:00Z", "npm", "gamma")),
	})
	fs := &fakeServer{feeds: map[string]*fakeFeed{
		"/npm/all.zip": {body: zipV1, etag: `"v1"`},
		"/kev.json":    {body: kevBody, lastModified: "Mon, 25 Aug 2025 12:00:00 GMT"},
	}}
	srv := httptest.NewServer(fs)
	defer srv.Close()
	sources := []Source{
		{Name: "osv-npm", URL: srv.URL + "/npm/all.zip", Kind: KindOSVArchive},
		{Name: "kev", URL: srv.URL + "/kev.json", Kind: KindKEV},
	}
	s, _ := newStore(t)
	clock := testNow
	opts := UpdateOptions{Client: srv.Client(), Import: ImportOptions{Now: func() time.Time { return clock }}}

	type want struct {
		notModified bool
		imported    int
		updated     int
		errText     string
	}
	steps := []struct {
		name   string
		before func()
		want   map[string]want
		// names that must be found afterwards, with their summary's date
		check map[string]string
	}{
		{
			name:  "first_fetch",
			want:  map[string]want{"osv-npm": {imported: 2}, "kev": {}},
			check: map[string]string{"alpha": "2024-01-01", "beta": "2024-01-01"},
		},
		{
			name:  "not_modified",
			want:  map[string]want{"osv-npm": {notModified: true}, "kev": {notModified: true}},
			check: map[string]string{"alpha": "2024-01-01"},
		},
		{
			name:   "server_error_keeps_data",
			before: func() { fs.set("/npm/all.zip", func(f *fakeFeed) { f.mode = "500"; f.body = zipV2; f.etag = `"v2"` }) },
			want:   map[string]want{"osv-npm": {errText: "HTTP 500"}, "kev": {notModified: true}},
			check:  map[string]string{"alpha": "2024-01-01", "gamma": ""},
		},
		{
			name:   "truncated_body_keeps_data",
			before: func() { fs.set("/npm/all.zip", func(f *fakeFeed) { f.mode = "truncate" }) },
			want:   map[string]want{"osv-npm": {errText: "truncated download"}, "kev": {notModified: true}},
			check:  map[string]string{"alpha": "2024-01-01", "gamma": ""},
		},
		{
			name: "wrong_content_keeps_data",
			before: func() {
				fs.set("/npm/all.zip", func(f *fakeFeed) { f.mode = ""; f.body = []byte("<html>maintenance</html>"); f.etag = `"html"` })
				fs.set("/kev.json", func(f *fakeFeed) {
					f.body = mustJSON(t, record("NOT-KEV", "2024-01-01T00:00:00Z", "npm", "x"))
					f.lastModified = "Tue, 26 Aug 2025 12:00:00 GMT"
				})
			},
			want:  map[string]want{"osv-npm": {errText: "not a readable zip archive"}, "kev": {errText: "not a KEV catalog"}},
			check: map[string]string{"alpha": "2024-01-01", "gamma": "", "x": ""},
		},
		{
			name: "new_version",
			before: func() {
				fs.set("/npm/all.zip", func(f *fakeFeed) { f.body = zipV2; f.etag = `"v2"` })
				fs.set("/kev.json", func(f *fakeFeed) { f.body = kevBody })
			},
			want:  map[string]want{"osv-npm": {imported: 1, updated: 1}, "kev": {}},
			check: map[string]string{"alpha": "2024-02-01", "beta": "2024-01-01", "gamma": "2024-02-01"},
		},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			clock = clock.Add(time.Hour)
			if st.before != nil {
				st.before()
			}
			results, err := s.Update(ctx, sources, opts)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range results {
				if r.Err != nil {
					t.Logf("%s: %v", r.Source.Name, r.Err)
				}
				w := st.want[r.Source.Name]
				if w.errText != "" {
					if r.Err == nil || !strings.Contains(r.Err.Error(), w.errText) || !strings.Contains(r.Err.Error(), r.Source.Name) {
						t.Errorf("%s: err = %v, want one naming the source and containing %q", r.Source.Name, r.Err, w.errText)
					}
					continue
				}
				if r.Err != nil {
					t.Errorf("%s: %v", r.Source.Name, r.Err)
					continue
				}
				if r.NotModified != w.notModified {
					t.Errorf("%s: notModified = %v, want %v", r.Source.Name, r.NotModified, w.notModified)
				}
				if r.Import != nil && (r.Import.Imported != w.imported || r.Import.Updated != w.updated) {
					t.Errorf("%s: imported %d updated %d, want %d, %d", r.Source.Name, r.Import.Imported, r.Import.Updated, w.imported, w.updated)
				}
			}
			for name, date := range st.check {
				got, err := s.Vulnerabilities(ctx, "npm", []string{name})
				if err != nil {
					t.Fatal(err)
				}
				if date == "" {
					if len(got[name]) != 0 {
						t.Errorf("%s found, want absent", name)
					}
					continue
				}
				if len(got[name]) != 1 || !strings.Contains(got[name][0].Summary, date) {
					t.Errorf("%s = %v, want the version of %s", name, got[name], date)
				}
			}
			kev, err := s.KEV(ctx, []string{"CVE-2021-44228"})
			if err != nil || len(kev) != 1 {
				t.Errorf("KEV lost: %v, %v", kev, err)
			}
		})
	}
	// Conditional requests were made after the first fetch.
	if fs.feeds["/npm/all.zip"].conditional == 0 || fs.feeds["/kev.json"].conditional == 0 {
		t.Error("no conditional requests were sent")
	}
	st, err := s.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Sources) != 2 || st.Sources[1].Name != "osv-npm" || st.Sources[1].ETag != `"v2"` || st.Sources[1].LastError != "" ||
		st.Sources[0].LastModified != "Tue, 26 Aug 2025 12:00:00 GMT" || !st.LastUpdated.Equal(clock) {
		t.Errorf("status sources = %+v, last updated %v", st.Sources, st.LastUpdated)
	}
}

func TestParseSource(t *testing.T) {
	tests := []struct {
		in, kind, err string
	}{
		{"osv-npm=https://mirror.example/npm/all.zip", KindOSVArchive, ""},
		{"kev=https://mirror.example/kev.json", KindKEV, ""},
		{"kev-mirror=http://10.0.0.1/feed", KindKEV, ""},
		{"eol-python=https://mirror.example/python.yaml", KindFile, ""},
		{"nourl", "", "want NAME=URL"},
		{"=https://x", "", "want NAME=URL"},
		{"x=file:///etc/passwd", "", "not an http(s) URL"},
		{"x=/tmp/all.zip", "", "not an http(s) URL"},
	}
	for _, tc := range tests {
		src, err := ParseSource(tc.in)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%s: err = %v, want %q", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil || src.Kind != tc.kind {
			t.Errorf("%s: %+v, %v; want kind %s", tc.in, src, err, tc.kind)
		}
	}
	def := DefaultSources(nil)
	if len(def) != len(DefaultEcosystems())+1 || def[len(def)-1].URL != KEVURL ||
		def[0].URL != "https://osv-vulnerabilities.storage.googleapis.com/Go/all.zip" {
		t.Errorf("default sources = %+v", def)
	}
}

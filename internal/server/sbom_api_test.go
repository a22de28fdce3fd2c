package server

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/craft-cra/craft/internal/auth"
	"github.com/craft-cra/craft/internal/store"
	"github.com/craft-cra/craft/internal/store/storetest"
)

func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/sbom/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func gzipped(t testing.TB, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// sbomEnv is a product with a contributor, a viewer and a contributor of
// another product.
type sbomEnv struct {
	*env
	p, other               store.Product
	admin, contrib, viewer string
	otherContrib           string
}

func newSBOMEnv(t *testing.T, st *store.Store) *sbomEnv {
	e := newEnv(t, st, Config{Limits: RateLimits{Disabled: true}})
	se := &sbomEnv{env: e, p: e.product("router"), other: e.product("camera")}
	se.admin = e.session(e.user("root@example.eu", auth.RoleAdministrator))
	for _, m := range []struct {
		email string
		role  auth.Role
		p     store.Product
		tok   *string
	}{
		{"carol@example.eu", auth.RoleContributor, se.p, &se.contrib},
		{"victor@example.eu", auth.RoleViewer, se.p, &se.viewer},
		{"olga@example.eu", auth.RoleContributor, se.other, &se.otherContrib},
	} {
		u := e.user(m.email, m.role)
		e.member(u, m.p, store.Role(m.role))
		*m.tok = e.session(u)
	}
	return se
}

func (se *sbomEnv) upload(product, version, ct string, body []byte, tok string) *httpResult {
	w := se.do("POST", "/api/v1/products/"+product+"/releases/"+version+"/sbom", body,
		withCookie(tok), withHeader("Content-Type", ct))
	return &httpResult{code: w.Code, body: w.Body.String(), header: w.Header()}
}

type httpResult struct {
	code   int
	body   string
	header http.Header
}

// TestSBOMIngest: real CycloneDX JSON, CycloneDX XML, SPDX 2.3 JSON and a
// gzipped document are stored with their components and come back byte for
// byte with the content type they were sent with.
func TestSBOMIngest(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		se := newSBOMEnv(t, st)
		expectStatus(t, se.do("PATCH", "/api/v1/products/"+se.p.ID, map[string]any{
			"support_period": map[string]string{"start": "2026-01", "end": "2031-12"}}, withCookie(se.contrib)), http.StatusOK)
		spdx := readFixture(t, "SPDXJSONExample-v2.3.spdx.json")
		for _, c := range []struct {
			version, ct, file string
			gzip              bool
			format, spec      string
			wantCT            string
		}{
			{"1.0.0", "application/vnd.cyclonedx+json", "laravel-7.12.0.cdx-1.4.json", false, "cyclonedx-json", "1.4", ""},
			{"1.1.0", "application/vnd.cyclonedx+xml", "laravel-7.12.0.cdx-1.4.xml", false, "cyclonedx-xml", "1.4", ""},
			{"2.0.0", "application/spdx+json", "SPDXJSONExample-v2.3.spdx.json", false, "spdx-json", "SPDX-2.3", ""},
			{"2.0.1+build.7", "application/gzip", "SPDXJSONExample-v2.3.spdx.json", true, "spdx-json", "SPDX-2.3", ""},
			{"2.0.2", "application/json", "valid-dependency.cdx-1.6.json", true, "cyclonedx-json", "1.6", "application/gzip"},
		} {
			body := readFixture(t, c.file)
			if c.gzip {
				body = gzipped(t, body)
			}
			w := se.do("POST", "/api/v1/products/"+se.p.ID+"/releases/"+c.version+"/sbom?released_on=2026-11-30", body,
				withBearer(se.token(se.userByEmail("carol@example.eu"), auth.RoleContributor, []string{se.p.ID})),
				withHeader("Content-Type", c.ct))
			expectStatus(t, w, http.StatusCreated)
			rel := decode[releaseJSON](t, w)
			if rel.SBOM == nil || rel.SBOM.Format != c.format || rel.SBOM.SpecVersion != c.spec || rel.SBOM.Components == 0 ||
				rel.SupportStatus != "supported" || rel.ReleasedOn != "2026-11-30" || !strings.HasPrefix(rel.SBOM.UploadedBy, "token:") {
				t.Errorf("%s: %+v %+v", c.file, rel, rel.SBOM)
				continue
			}
			d := se.do("GET", "/api/v1/products/"+se.p.ID+"/releases/"+c.version+"/sbom", nil, withCookie(se.viewer))
			expectStatus(t, d, http.StatusOK)
			wantCT := c.ct
			if c.wantCT != "" {
				wantCT = c.wantCT
			}
			if !bytes.Equal(d.Body.Bytes(), body) || d.Header().Get("Content-Type") != wantCT ||
				!strings.HasPrefix(d.Header().Get("Content-Disposition"), "attachment") {
				t.Errorf("%s: download %d bytes as %q (%q)", c.file, d.Body.Len(), d.Header().Get("Content-Type"), d.Header().Get("Content-Disposition"))
			}
			comps := decode[Page[componentJSON]](t, se.do("GET", "/api/v1/products/"+se.p.ID+"/releases/"+c.version+"/components", nil, withCookie(se.viewer))).Items
			if int64(len(comps)) != rel.SBOM.Components {
				t.Errorf("%s: %d components listed, %d counted", c.file, len(comps), rel.SBOM.Components)
			}
		}
		// The CycloneDX components carry purls for matching.
		comps := decode[Page[componentJSON]](t, se.do("GET", "/api/v1/products/"+se.p.ID+"/releases/1.0.0/components", nil, withCookie(se.viewer))).Items
		found := false
		for _, c := range comps {
			if strings.HasPrefix(c.PURL, "pkg:composer/") && c.Ecosystem != "" {
				found = true
			}
		}
		if !found {
			t.Errorf("no composer purl among %d components", len(comps))
		}
		_ = spdx

		// Uploading again replaces the SBOM of the existing release (200).
		r := se.upload(se.p.ID, "1.0.0", "application/vnd.cyclonedx+json", readFixture(t, "valid-dependency.cdx-1.6.json"), se.contrib)
		if r.code != http.StatusOK || !strings.Contains(r.body, `"components":3`) {
			t.Errorf("replace: %d %s", r.code, r.body)
		}
		list := decode[Page[releaseJSON]](t, se.do("GET", "/api/v1/products/"+se.p.ID+"/releases", nil, withCookie(se.viewer))).Items
		if len(list) != 5 {
			t.Errorf("%d releases", len(list))
		}
		events, err := st.ListAudit(t.Context(), store.AuditFilter{Action: ActSBOMUpload, Limit: 100})
		if err != nil || len(events) != 6 || events[0].Detail["sha256"] == "" || events[0].Target != "product:"+se.p.ID {
			t.Errorf("audit: %d events (%v)", len(events), err)
		}
	})
}

// TestSBOMRejected: bad uploads get a problem detail that says what is
// wrong, and nothing is stored: no release, no SBOM, no components, no
// audit event; an existing release keeps having no SBOM.
func TestSBOMRejected(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		se := newSBOMEnv(t, st)
		expectStatus(t, se.do("POST", "/api/v1/products/"+se.p.ID+"/releases", map[string]string{"version": "0.9"}, withCookie(se.contrib)), http.StatusCreated)
		laravel := readFixture(t, "laravel-7.12.0.cdx-1.4.json")
		small := readFixture(t, "valid-dependency.cdx-1.6.json")
		cases := []struct {
			name    string
			ct      string
			body    []byte
			status  int
			contain string
		}{
			{"empty", "application/json", nil, 400, "empty"},
			{"malformed", "application/json", []byte(`{"bomFormat": "CycloneDX", "specVersion": "1.6",`), 400, "cannot be read"},
			{"truncated", "application/vnd.cyclonedx+json", laravel[:len(laravel)/2], 400, "cannot be read"},
			{"truncated gzip", "application/gzip", gzipped(t, laravel)[:2000], 400, "cannot be read"},
			{"not an SBOM", "application/json", []byte(`{"hello": "world"}`), 400, "cannot be read"},
			{"CycloneDX 1.2", "application/json", bytes.Replace(small, []byte(`"1.6"`), []byte(`"1.2"`), 1), 422, "CycloneDX 1.2"},
			{"schema", "application/json", bytes.Replace(small, []byte(`"type": "library"`), []byte(`"type": "spaceship"`), 1), 422, "schema"},
			{"SPDX tag-value", "application/octet-stream", []byte("SPDXVersion: SPDX-2.3\nDataLicense: CC0-1.0\nSPDXID: SPDXRef-DOCUMENT\nDocumentName: x\nDocumentNamespace: https://example.org/x\nCreator: Tool: x\nCreated: 2026-01-01T00:00:00Z\n"), 422, "SPDX 2.3 JSON"},
			{"deep nesting", "application/json", []byte(strings.Repeat("[", 100000) + strings.Repeat("]", 100000)), 400, ""},
			{"billion laughs", "application/xml", []byte(`<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]><bom xmlns="http://cyclonedx.org/schema/bom/1.6" version="1"><components><component type="library"><name>&lol2;</name></component></components></bom>`), 400, ""},
			{"NUL in a name", "application/json", bytes.Replace(small, []byte(`"name": "library-b"`), []byte(`"name": "library\u0000b"`), 1), 422, "NUL"},
			{"huge name", "application/json", bytes.Replace(small, []byte(`"name": "library-b"`), []byte(`"name": "`+strings.Repeat("b", 9000)+`"`), 1), 422, "longer than"},
			{"wrong content type", "text/plain", small, 415, "application/vnd.cyclonedx+json"},
			{"no content type", "", small, 415, ""},
		}
		for _, c := range cases {
			for _, version := range []string{"1.0", "0.9"} {
				r := se.upload(se.p.ID, version, c.ct, c.body, se.contrib)
				if r.code != c.status || r.header.Get("Content-Type") != "application/problem+json" || !strings.Contains(r.body, c.contain) {
					t.Errorf("%s (%s): %d %s", c.name, version, r.code, r.body)
				}
			}
		}
		// Content-Encoding is refused rather than guessed at.
		w := se.do("POST", "/api/v1/products/"+se.p.ID+"/releases/1.0/sbom", gzipped(t, small), withCookie(se.contrib),
			withHeader("Content-Type", "application/json"), withHeader("Content-Encoding", "gzip"))
		expectStatus(t, w, http.StatusUnsupportedMediaType)
		// A body declared larger than the route's limit is refused before it
		// is read.
		w = se.do("POST", "/api/v1/products/"+se.p.ID+"/releases/1.0/sbom", small, withCookie(se.contrib),
			withHeader("Content-Type", "application/json"), func(r *http.Request) { r.ContentLength = SBOMMaxBody + 1 })
		expectStatus(t, w, http.StatusRequestEntityTooLarge)
		// Bad versions and dates.
		for _, path := range []string{"/releases/a%2Fb/sbom", "/releases/%20/sbom", "/releases/1.0/sbom?released_on=yesterday"} {
			w := se.do("POST", "/api/v1/products/"+se.p.ID+path, small, withCookie(se.contrib), withHeader("Content-Type", "application/json"))
			expectStatus(t, w, http.StatusBadRequest)
		}
		// An unknown product is 404 for an administrator (403 for others,
		// who may not learn whether it exists).
		expectStatus(t, se.do("POST", "/api/v1/products/nope/releases/1.0/sbom", small, withCookie(se.admin), withHeader("Content-Type", "application/json")), http.StatusNotFound)

		list := decode[Page[releaseJSON]](t, se.do("GET", "/api/v1/products/"+se.p.ID+"/releases", nil, withCookie(se.viewer))).Items
		if len(list) != 1 || list[0].Version != "0.9" || list[0].SBOM != nil {
			t.Errorf("after rejected uploads: %+v", list)
		}
		expectStatus(t, se.do("GET", "/api/v1/products/"+se.p.ID+"/releases/0.9/sbom", nil, withCookie(se.viewer)), http.StatusNotFound)
		expectStatus(t, se.do("GET", "/api/v1/products/"+se.p.ID+"/releases/1.0", nil, withCookie(se.viewer)), http.StatusNotFound)
		if events, err := st.ListAudit(t.Context(), store.AuditFilter{Action: ActSBOMUpload}); err != nil || len(events) != 0 {
			t.Errorf("audit: %d upload events (%v)", len(events), err)
		}
		var n int
		if err := st.InTx(t.Context(), func(tx *store.Store) error {
			rels, err := tx.ListReleases(t.Context(), se.p.ID)
			for _, r := range rels {
				cs, _ := tx.ListReleaseComponents(t.Context(), r.ID)
				n += len(cs)
			}
			return err
		}); err != nil || n != 0 {
			t.Errorf("%d components stored (%v)", n, err)
		}
	})
}

// TestSBOMGzipBomb: a small gzip that unpacks past 256 MiB is refused.
func TestSBOMGzipBomb(t *testing.T) {
	if testing.Short() {
		t.Skip("unpacks 256 MiB")
	}
	se := newSBOMEnv(t, storetest.SQLite(t))
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.CopyN(zw, zeros{}, SBOMMaxBody+1024); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	r := se.upload(se.p.ID, "1.0", "application/gzip", buf.Bytes(), se.contrib)
	if r.code != http.StatusBadRequest || !strings.Contains(r.body, "larger than") {
		t.Fatalf("bomb (%d bytes): %d %s", buf.Len(), r.code, r.body)
	}
	expectStatus(t, se.do("GET", "/api/v1/products/"+se.p.ID+"/releases/1.0", nil, withCookie(se.viewer)), http.StatusNotFound)
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

// TestSBOMPermissions: a viewer reads but cannot upload; a contributor of
// another product can do neither; an administrator alone deletes a
// release.
func TestSBOMPermissions(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		se := newSBOMEnv(t, st)
		small := readFixture(t, "valid-dependency.cdx-1.6.json")
		if r := se.upload(se.p.ID, "1.0", "application/json", small, se.viewer); r.code != http.StatusForbidden {
			t.Errorf("viewer upload: %d", r.code)
		}
		if r := se.upload(se.p.ID, "1.0", "application/json", small, se.otherContrib); r.code != http.StatusForbidden {
			t.Errorf("other product's contributor upload: %d", r.code)
		}
		if r := se.upload(se.p.ID, "1.0", "application/json", small, se.contrib); r.code != http.StatusCreated {
			t.Fatalf("contributor upload: %d %s", r.code, r.body)
		}
		base := "/api/v1/products/" + se.p.ID + "/releases"
		for _, path := range []string{base, base + "/1.0", base + "/1.0/sbom", base + "/1.0/components"} {
			expectStatus(t, se.do("GET", path, nil, withCookie(se.viewer)), http.StatusOK)
			expectStatus(t, se.do("GET", path, nil, withCookie(se.otherContrib)), http.StatusForbidden)
		}
		expectStatus(t, se.do("POST", base, map[string]string{"version": "2.0"}, withCookie(se.viewer)), http.StatusForbidden)
		expectStatus(t, se.do("POST", base, map[string]string{"version": "2.0"}, withCookie(se.otherContrib)), http.StatusForbidden)
		expectStatus(t, se.do("DELETE", base+"/1.0", nil, withCookie(se.contrib)), http.StatusForbidden)
		// The other product's lists show nothing of this one.
		other := decode[Page[releaseJSON]](t, se.do("GET", "/api/v1/products/"+se.other.ID+"/releases", nil, withCookie(se.otherContrib))).Items
		if len(other) != 0 {
			t.Errorf("other product lists %+v", other)
		}
		// A token scoped to the other product cannot upload here.
		admin := se.userByEmail("root@example.eu")
		scoped := se.token(admin, auth.RoleAdministrator, []string{se.other.ID})
		w := se.do("POST", base+"/1.1/sbom", small, withBearer(scoped), withHeader("Content-Type", "application/json"))
		expectStatus(t, w, http.StatusForbidden)
		expectStatus(t, se.do("DELETE", base+"/1.0", nil, withCookie(se.admin)), http.StatusNoContent)
		expectStatus(t, se.do("GET", base+"/1.0/sbom", nil, withCookie(se.viewer)), http.StatusNotFound)
	})
}

// userByEmail finds a test user.
func (e *env) userByEmail(email string) auth.User {
	e.t.Helper()
	u, err := e.s.auth.Users.GetUserByEmail(e.t.(*testing.T).Context(), email)
	if err != nil {
		e.t.Fatal(err)
	}
	return u
}

// TestProductSBOM: the product-level SBOM combines the components of the
// releases' SBOMs once each, in the format asked for, and decodes again.
func TestProductSBOM(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		se := newSBOMEnv(t, st)
		base := "/api/v1/products/" + se.p.ID
		expectStatus(t, se.do("GET", base+"/sbom", nil, withCookie(se.viewer)), http.StatusNotFound)
		small := readFixture(t, "valid-dependency.cdx-1.6.json")
		for _, v := range []string{"1.0", "1.1"} {
			if r := se.upload(se.p.ID, v, "application/json", small, se.contrib); r.code != http.StatusCreated {
				t.Fatalf("upload %s: %d %s", v, r.code, r.body)
			}
		}
		if r := se.upload(se.p.ID, "2.0", "application/vnd.cyclonedx+json", readFixture(t, "laravel-7.12.0.cdx-1.4.json"), se.contrib); r.code != http.StatusCreated {
			t.Fatalf("upload 2.0: %d %s", r.code, r.body)
		}
		lar := decode[releaseJSON](t, se.do("GET", base+"/releases/2.0", nil, withCookie(se.viewer)))
		for _, c := range []struct {
			query, ct string
			want      int64
		}{
			{"", "application/vnd.cyclonedx+json", 3 + lar.SBOM.Components},
			{"?format=spdx-json&release=1.0&release=1.1", "application/spdx+json", 3},
			{"?format=cyclonedx-xml&release=2.0", "application/vnd.cyclonedx+xml", lar.SBOM.Components},
		} {
			w := se.do("GET", base+"/sbom"+c.query, nil, withCookie(se.viewer))
			expectStatus(t, w, http.StatusOK)
			if w.Header().Get("Content-Type") != c.ct {
				t.Errorf("%s: content type %q", c.query, w.Header().Get("Content-Type"))
			}
			_, comps, err := decodeUpload(w.Body.Bytes())
			if err != nil || int64(len(comps)) != c.want {
				t.Errorf("%s: %d components, want %d (%v)", c.query, len(comps), c.want, err)
			}
		}
		expectStatus(t, se.do("GET", base+"/sbom?format=pdf", nil, withCookie(se.viewer)), http.StatusBadRequest)
		expectStatus(t, se.do("GET", base+"/sbom?release=9.9", nil, withCookie(se.viewer)), http.StatusNotFound)
		expectStatus(t, se.do("GET", base+"/sbom", nil, withCookie(se.otherContrib)), http.StatusForbidden)
	})
}

package server

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	govex "github.com/openvex/go-vex/pkg/vex"
	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/craft-cra/craft/internal/auth"
	"github.com/craft-cra/craft/internal/sbom"
	"github.com/craft-cra/craft/internal/store"
	"github.com/craft-cra/craft/internal/store/storetest"
)

// triageSBOM ships two components with purls and one without.
const triageSBOM = `{"bomFormat": "CycloneDX", "specVersion": "1.5", "version": 1,
 "components": [
  {"type": "library", "bom-ref": "jq", "name": "jquery", "version": "3.4.1", "purl": "pkg:npm/jquery@3.4.1"},
  {"type": "library", "bom-ref": "xnet", "name": "golang.org/x/net", "version": "v0.7.0",
   "purl": "pkg:golang/golang.org/x/net@v0.7.0"},
  {"type": "library", "bom-ref": "lp", "name": "leftpad", "version": "1.0"}
 ]}`

const (
	jqKey   = "pkg:npm/jquery@3.4.1"
	xnetKey = "pkg:golang/golang.org/x/net@v0.7.0"
	lpKey   = "/leftpad@1.0"
)

// triageFindings are the findings a re-match would store for triageSBOM.
func triageFindings() []store.Finding {
	return []store.Finding{
		{VulnID: "CVE-2020-11023", ComponentID: "jq", Aliases: []string{"CVE-2020-11023", "GHSA-jpcq-cgw6-v4j6"},
			ComponentPURL: jqKey, ComponentName: "jquery", ComponentVersion: "3.4.1", Ecosystem: "npm",
			SeverityLevel: "medium", SeverityScore: 61, KEVDateAdded: "2025-01-23", MinimumFix: "3.5.0"},
		{VulnID: "CVE-2023-44487", ComponentID: "xnet", Aliases: []string{"CVE-2023-44487", "GHSA-qppj-fm5r-hxr3"},
			ComponentPURL: xnetKey, ComponentName: "golang.org/x/net", ComponentVersion: "v0.7.0", Ecosystem: "Go",
			SeverityLevel: "high", SeverityScore: 75},
		{VulnID: "CVE-2024-9999", ComponentID: "lp", ComponentName: "leftpad", ComponentVersion: "1.0",
			SeverityLevel: "low", SeverityScore: 20},
	}
}

// triageEnv is a product with releases 1.0 and 2.0 of triageSBOM, their
// findings stored, an officer, a viewer and an outsider.
type triageEnv struct {
	*env
	p                           store.Product
	admin, officer, viewer, out string
}

func newTriageEnv(t *testing.T, st *store.Store) triageEnv {
	t.Helper()
	e := newEnv(t, st, Config{Limits: RateLimits{Disabled: true}})
	te := triageEnv{env: e, p: e.product("router")}
	other := e.product("camera")
	te.admin = e.session(e.user("root@example.eu", auth.RoleAdministrator))
	off := e.user("olivia@example.eu", auth.RoleSecurityOfficer)
	e.member(off, te.p, store.Role(auth.RoleSecurityOfficer))
	te.officer = e.session(off)
	v := e.user("victor@example.eu", auth.RoleViewer)
	e.member(v, te.p, store.Role(auth.RoleViewer))
	te.viewer = e.session(v)
	o := e.user("oscar@example.eu", auth.RoleSecurityOfficer)
	e.member(o, other, store.Role(auth.RoleSecurityOfficer))
	te.out = e.session(o)
	for _, version := range []string{"1.0", "2.0"} {
		expectStatus(t, e.do("POST", "/api/v1/products/"+te.p.ID+"/releases/"+version+"/sbom", []byte(triageSBOM),
			withCookie(te.admin), withHeader("Content-Type", "application/vnd.cyclonedx+json")), http.StatusCreated)
		te.rematch(t, version, triageFindings())
	}
	return te
}

// rematch stores findings as the monitoring job would.
func (te triageEnv) rematch(t *testing.T, version string, fs []store.Finding) {
	t.Helper()
	ctx := context.Background()
	rel, err := te.st.GetRelease(ctx, te.p.ID, version)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := te.st.ReplaceReleaseFindings(ctx, store.FindingsUpdate{ReleaseID: rel.ID, ProductID: te.p.ID,
		ProductName: te.p.Name, Version: version, Findings: fs}); err != nil {
		t.Fatal(err)
	}
}

func (te triageEnv) url(version, rest string) string {
	return "/api/v1/products/" + te.p.ID + "/releases/" + version + rest
}

func (te triageEnv) statuses(t *testing.T, version string) map[string]string {
	t.Helper()
	got := decode[findingsJSON](t, te.do("GET", te.url(version, "/findings"), nil, withCookie(te.admin)))
	out := map[string]string{}
	for _, f := range got.Items {
		out[f.ID] = f.Status
	}
	return out
}

func TestTriageScenario(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		te := newTriageEnv(t, st)
		off := withCookie(te.officer)

		// Bulk: one status for two findings.
		w := te.do("POST", te.url("1.0", "/triage"), map[string]any{
			"findings": []map[string]string{{"vuln_id": "CVE-2023-44487", "component": xnetKey},
				{"vuln_id": "GHSA-jpcq-cgw6-v4j6", "component": jqKey}},
			"status": "not_affected", "justification": "vulnerable_code_not_in_execute_path",
			"comment": "HTTP/2 server <script>alert(1)</script> not used"}, off)
		expectStatus(t, w, http.StatusOK)
		res := decode[triageResponseJSON](t, w)
		if len(res.Results) != 2 || res.Results[1].VulnID != "CVE-2020-11023" || res.Results[1].From != "under_investigation" {
			t.Fatalf("results = %+v", res)
		}
		// affected with an action statement, for every release.
		expectStatus(t, te.do("POST", te.url("1.0", "/triage"), map[string]any{
			"findings": []map[string]string{{"vuln_id": "CVE-2024-9999", "component": lpKey}},
			"status":   "affected", "action_statement": "upgrade leftpad to 1.1", "comment": "reachable", "scope": "all_releases"},
			off), http.StatusOK)
		if got := te.statuses(t, "2.0"); got["CVE-2024-9999"] != "affected" || got["CVE-2023-44487"] != "under_investigation" {
			t.Fatalf("2.0 after all_releases = %v", got)
		}

		// The audit log holds who and what, not the comment.
		evs, err := st.ListAudit(context.Background(), store.AuditFilter{Action: ActFindingTriage})
		if err != nil || len(evs) != 4 {
			t.Fatalf("audit = %d events, %v", len(evs), err)
		}
		for _, ev := range evs {
			if strings.Contains(strings.Join(mapValues(ev.Detail), " "), "script") || ev.Detail["to"] == "" {
				t.Errorf("audit detail = %v", ev.Detail)
			}
		}

		// Filters and pages.
		for _, tc := range []struct {
			query string
			want  []string
		}{
			{"", []string{"CVE-2020-11023", "CVE-2023-44487", "CVE-2024-9999"}},
			{"?status=not_affected", []string{"CVE-2020-11023", "CVE-2023-44487"}},
			{"?severity=critical,high", []string{"CVE-2023-44487"}},
			{"?kev=true", []string{"CVE-2020-11023"}},
			{"?kev=false&status=affected", []string{"CVE-2024-9999"}},
			{"?q=LEFTPAD", []string{"CVE-2024-9999"}},
			{"?q=qppj", []string{"CVE-2023-44487"}},
		} {
			got := decode[findingsJSON](t, te.do("GET", te.url("1.0", "/findings"+tc.query), nil, withCookie(te.viewer)))
			var ids []string
			for _, f := range got.Items {
				ids = append(ids, f.ID)
			}
			if strings.Join(ids, " ") != strings.Join(tc.want, " ") {
				t.Errorf("%s: %v, want %v", tc.query, ids, tc.want)
			}
		}
		var paged []string
		cursor := ""
		for range 5 {
			got := decode[findingsJSON](t, te.do("GET", te.url("1.0", "/findings?limit=1&cursor="+url.QueryEscape(cursor)), nil, withCookie(te.viewer)))
			for _, f := range got.Items {
				paged = append(paged, f.ID)
			}
			if cursor = got.NextCursor; cursor == "" {
				break
			}
		}
		if strings.Join(paged, " ") != "CVE-2020-11023 CVE-2023-44487 CVE-2024-9999" {
			t.Errorf("paged = %v", paged)
		}
		for _, q := range []string{"?severity=urgent", "?status=open", "?kev=yes", "?limit=0", "?cursor=not-a-cursor!", "?q=" + strings.Repeat("x", 201)} {
			expectStatus(t, te.do("GET", te.url("1.0", "/findings"+q), nil, withCookie(te.viewer)), http.StatusBadRequest)
		}
		first := decode[findingsJSON](t, te.do("GET", te.url("1.0", "/findings?kev=true"), nil, withCookie(te.viewer))).Items[0]
		// Decided not_affected: still KEV-listed (actively_exploited), but
		// no Article 14 note, which would mislead the officer.
		if !first.ActivelyExploited || first.Note != "" || first.Case != "" || first.Triage == nil || first.Triage.Justification != "vulnerable_code_not_in_execute_path" {
			t.Errorf("KEV finding = %+v", first)
		}

		// History: oldest first.
		expectStatus(t, te.do("POST", te.url("1.0", "/triage"), map[string]any{
			"findings": []map[string]string{{"vuln_id": "CVE-2023-44487", "component": xnetKey}},
			"status":   "fixed", "comment": "upgraded in 1.0.1"}, off), http.StatusOK)
		h := decode[struct{ History []triageHistoryJSON }](t, te.do("GET",
			te.url("1.0", "/findings/CVE-2023-44487/history?component="+url.QueryEscape(xnetKey)), nil, withCookie(te.viewer)))
		if len(h.History) != 2 || h.History[0].To != "not_affected" || h.History[1].From != "not_affected" ||
			h.History[1].To != "fixed" || !strings.HasPrefix(h.History[0].Actor, "user:") {
			t.Fatalf("history = %+v", h)
		}

		// VEX out, both formats, valid.
		ov := te.do("GET", te.url("1.0", "/vex?format=openvex"), nil, withCookie(te.viewer))
		expectStatus(t, ov, http.StatusOK)
		doc, err := govex.Parse(ov.Body.Bytes())
		if err != nil || len(doc.Statements) != 3 {
			t.Fatalf("OpenVEX = %v, %v\n%s", doc, err, ov.Body)
		}
		validateOpenVEX(t, ov.Body.Bytes())
		cdx := te.do("GET", te.url("1.0", "/vex?format=cyclonedx"), nil, withCookie(te.viewer))
		expectStatus(t, cdx, http.StatusOK)
		if probs, err := sbom.Validate("vex.cdx.json", cdx.Body.Bytes()); err != nil || len(probs) != 0 {
			t.Fatalf("CycloneDX VEX: %v, %v", probs, err)
		}
		expectStatus(t, te.do("GET", te.url("1.0", "/vex?format=csaf"), nil, withCookie(te.viewer)), http.StatusBadRequest)

		// VEX in: the export of 1.0 gives 2.0 the same statuses.
		rel3 := "3.0"
		expectStatus(t, te.do("POST", te.url(rel3, "/sbom"), []byte(triageSBOM), withCookie(te.admin),
			withHeader("Content-Type", "application/vnd.cyclonedx+json")), http.StatusCreated)
		te.rematch(t, rel3, triageFindings())
		for _, body := range [][]byte{ov.Body.Bytes(), cdx.Body.Bytes()} {
			w := te.do("POST", te.url(rel3, "/vex"), body, off, withHeader("Content-Type", "application/json"))
			expectStatus(t, w, http.StatusOK)
			imp := decode[vexImportJSON](t, w)
			if len(imp.Unmatched) != 0 || len(imp.Skipped) != 0 {
				t.Fatalf("import = %+v", imp)
			}
		}
		want, got := te.statuses(t, "1.0"), te.statuses(t, rel3)
		if len(got) != 3 || got["CVE-2023-44487"] != "fixed" || got["CVE-2020-11023"] != want["CVE-2020-11023"] ||
			got["CVE-2024-9999"] != "affected" {
			t.Fatalf("imported statuses = %v, want %v", got, want)
		}
		h = decode[struct{ History []triageHistoryJSON }](t, te.do("GET",
			te.url(rel3, "/findings/CVE-2023-44487/history?component="+url.QueryEscape(xnetKey)), nil, withCookie(te.viewer)))
		if len(h.History) != 1 || !strings.HasPrefix(h.History[0].Comment, "imported from VEX https://openvex.dev/docs/public/vex-") {
			t.Fatalf("imported history = %+v", h)
		}
	})
}

// expectHidden checks that a member of another product learns nothing:
// the router answers 404 or 403 (as for every product route) without data.
func expectHidden(t *testing.T, w *httptest.ResponseRecorder) {
	t.Helper()
	if w.Code != http.StatusNotFound && w.Code != http.StatusForbidden {
		t.Errorf("outsider: status %d", w.Code)
	}
	if b := w.Body.String(); strings.Contains(b, `"items"`) || strings.Contains(b, `"history":`) || strings.Contains(b, "leftpad") || strings.Contains(b, "statements") {
		t.Errorf("outsider sees data: %s", b)
	}
}

func mapValues(m map[string]string) []string {
	var out []string
	for _, v := range m {
		out = append(out, v)
	}
	return out
}

func validateOpenVEX(t *testing.T, data []byte) {
	t.Helper()
	const id = "https://github.com/openvex/spec/openvex_json_schema_0.2.0.json"
	f, err := os.Open(filepath.Join("testdata", "openvex", "openvex_json_schema.json"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	schemaDoc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource(id, schemaDoc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile(id)
	if err != nil {
		t.Fatal(err)
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Validate(v); err != nil {
		t.Errorf("OpenVEX output is not schema-valid: %v\n%s", err, data)
	}
}

func TestTriageRefusals(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		te := newTriageEnv(t, st)
		off := withCookie(te.officer)
		one := func(status, extra string) map[string]any {
			m := map[string]any{"findings": []map[string]string{{"vuln_id": "CVE-2023-44487", "component": xnetKey},
				{"vuln_id": "CVE-2024-9999", "component": lpKey}}, "status": status, "comment": "c"}
			if extra != "" {
				k, v, _ := strings.Cut(extra, "=")
				m[k] = v
			}
			return m
		}
		for _, tc := range []struct {
			name   string
			body   any
			status int
			detail string
		}{
			{"no-justification", one("not_affected", ""), 422, "findings[0]: not_affected needs a justification"},
			{"bad-status", one("wontfix", ""), 422, `findings[0]: status \"wontfix\" is not one of`},
			{"no-comment", one("fixed", "comment="), 422, "findings[0]: a comment is required"},
			{"bad-scope", one("fixed", "scope=portfolio"), 422, `scope: \"portfolio\"`},
			{"unknown-finding", map[string]any{"findings": []map[string]string{{"vuln_id": "CVE-2023-44487", "component": xnetKey},
				{"vuln_id": "CVE-1999-1", "component": lpKey}}, "status": "fixed", "comment": "c"}, 422, "findings[1]: release 1.0 has no finding CVE-1999-1"},
			{"no-findings", map[string]any{"status": "fixed", "comment": "c"}, 422, "findings: name at least one"},
			{"unknown-field", map[string]any{"findings": []any{}, "sttus": "fixed"}, 400, `unknown field \"sttus\"`},
			{"truncated", `{"findings": [`, 400, "ends too early"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				opts := []reqOpt{off}
				if _, ok := tc.body.(string); ok {
					opts = append(opts, withHeader("Content-Type", "application/json"))
				}
				w := te.do("POST", te.url("1.0", "/triage"), tc.body, opts...)
				expectStatus(t, w, tc.status)
				if !strings.Contains(w.Body.String(), tc.detail) {
					t.Errorf("body = %s, want %q", w.Body, tc.detail)
				}
				if got := te.statuses(t, "1.0"); got["CVE-2023-44487"] != "under_investigation" {
					t.Errorf("stored despite the error: %v", got)
				}
			})
		}
		body := one("fixed", "")
		// A viewer may read but not triage; another product's officer sees nothing.
		expectStatus(t, te.do("POST", te.url("1.0", "/triage"), body, withCookie(te.viewer)), http.StatusForbidden)
		expectHidden(t, te.do("POST", te.url("1.0", "/triage"), body, withCookie(te.out)))
		expectHidden(t, te.do("GET", te.url("1.0", "/vex"), nil, withCookie(te.out)))
		expectHidden(t, te.do("GET", te.url("1.0", "/findings/CVE-2023-44487/history?component=x"), nil, withCookie(te.out)))
		expectStatus(t, te.do("GET", te.url("9.9", "/vex"), nil, withCookie(te.viewer)), http.StatusNotFound)
		expectStatus(t, te.do("GET", te.url("1.0", "/findings/CVE-2023-44487/history"), nil, withCookie(te.viewer)), http.StatusBadRequest)
	})
}

func TestVEXUploadHostile(t *testing.T) {
	te := newTriageEnv(t, storetest.SQLite(t))
	off := withCookie(te.officer)
	ct := withHeader("Content-Type", "application/json")
	valid := `{"@context": "https://openvex.dev/ns/v0.2.0", "@id": "https://example.eu/vex-1", "author": "<script>alert(1)</script>",
	 "timestamp": "2026-01-01T00:00:00Z", "version": 1,
	 "statements": [
	  {"vulnerability": {"name": "CVE-2023-44487"}, "products": [{"@id": "pkg:golang/golang.org/x/net@v0.7.0"}],
	   "status": "not_affected", "justification": "component_not_present"},
	  {"vulnerability": {"name": "CVE-2023-44487"}, "products": [{"@id": "pkg:npm/other@1.0.0"}],
	   "status": "fixed"},
	  {"vulnerability": {"name": "GHSA-jpcq-cgw6-v4j6"}, "products": [{"@id": "pkg:npm/jquery@3.4.1"}],
	   "status": "not_affected", "impact_statement": "only used in the admin UI"}
	 ]}`
	for _, tc := range []struct {
		name   string
		body   []byte
		status int
		detail string
	}{
		{"malformed", []byte(`{"@context": "https://openvex.dev/ns/v0.2.0", "statements": [}`), 422, "upload"},
		{"truncated", []byte(valid[:len(valid)/2]), 422, "upload"},
		{"not-vex", []byte(`{"hello": "world"}`), 422, "upload"},
		{"nul-and-controls", []byte("{\"@context\": \"https://openvex.dev/ns/v0.2.0\x00\x1b[2J\"}"), 422, "upload"},
		{"empty", nil, 400, "empty"},
		{"bad-status", []byte(strings.Replace(valid, `"status": "fixed"`, `"status": "pwned"`, 1)), 422, "upload"},
		{"huge", bytes.Repeat([]byte(" "), int(vexUploadMaxBody)+1), 413, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := te.do("POST", te.url("1.0", "/vex"), tc.body, off, ct)
			expectStatus(t, w, tc.status)
			if !strings.Contains(w.Body.String(), tc.detail) {
				t.Errorf("body = %s, want %q", w.Body, tc.detail)
			}
			if got := te.statuses(t, "1.0"); got["CVE-2023-44487"] != "under_investigation" {
				t.Errorf("stored despite the error: %v", got)
			}
		})
	}
	// Another product's officer cannot upload; a viewer cannot either.
	expectHidden(t, te.do("POST", te.url("1.0", "/vex"), []byte(valid), withCookie(te.out), ct))
	expectStatus(t, te.do("POST", te.url("1.0", "/vex"), []byte(valid), withCookie(te.viewer), ct), http.StatusForbidden)

	// A valid document: one statement applies, one names another product's
	// component, one cannot be stored (no justification). Script in text
	// stays text.
	w := te.do("POST", te.url("1.0", "/vex"), []byte(valid), off, ct)
	expectStatus(t, w, http.StatusOK)
	imp := decode[vexImportJSON](t, w)
	if len(imp.Applied) != 1 || len(imp.Unmatched) != 1 || imp.Unmatched[0].Location != "statements[1]" ||
		len(imp.Skipped) != 1 || !strings.Contains(imp.Skipped[0].Reason, "justification") || imp.Statements != 3 {
		t.Fatalf("import = %+v", imp)
	}
	if strings.Contains(w.Body.String(), "<script>") {
		t.Errorf("the answer carries raw markup: %s", w.Body)
	}
	// An older statement never overrides the newer decision.
	older := `{"@context": "https://openvex.dev/ns/v0.2.0", "@id": "https://example.eu/vex-0", "author": "Ann",
	 "timestamp": "2020-01-01T00:00:00Z", "version": 1,
	 "statements": [{"vulnerability": {"name": "CVE-2023-44487"}, "products": [{"@id": "pkg:golang/golang.org/x/net@v0.7.0"}],
	   "status": "affected", "action_statement": "upgrade"}]}`
	w = te.do("POST", te.url("1.0", "/vex"), []byte(older), off, ct)
	expectStatus(t, w, http.StatusOK)
	if imp := decode[vexImportJSON](t, w); len(imp.Applied) != 0 || len(imp.Skipped) != 1 || !strings.Contains(imp.Skipped[0].Reason, "older") {
		t.Fatalf("older import = %+v", imp)
	}
	if got := te.statuses(t, "1.0"); got["CVE-2023-44487"] != "not_affected" {
		t.Fatalf("older statement applied: %v", got)
	}
	page := te.do("GET", "/products/"+te.p.ID+"/releases/1.0/findings/CVE-2023-44487?component="+url.QueryEscape(xnetKey), nil, off)
	body := expectHTML(t, page, http.StatusOK, "imported from VEX https://example.eu/vex-1 by &lt;script&gt;")
	if strings.Contains(body, "<script>alert") {
		t.Error("the finding page shows raw markup")
	}
}

func TestTriageWebForm(t *testing.T) {
	te := newTriageEnv(t, storetest.SQLite(t))
	path := "/products/" + te.p.ID + "/releases/1.0/triage"
	form := url.Values{"finding": {"CVE-2023-44487|" + xnetKey, "CVE-2024-9999|" + lpKey}, "status": {"fixed"},
		"comment": {"upgraded"}, "scope": {"release"}}

	// A viewer gets refused; a cross-site post too.
	expectHTML(t, te.post(path, form, withCookie(te.viewer)), http.StatusForbidden)
	expectStatus(t, te.post(path, form, withCookie(te.officer), withHeader("Sec-Fetch-Site", "cross-site"),
		withHeader("Origin", "https://evil.example")), http.StatusForbidden)
	if got := te.statuses(t, "1.0"); got["CVE-2023-44487"] != "under_investigation" {
		t.Fatalf("refused posts stored: %v", got)
	}
	// Invalid input: the error page names the finding and the problem.
	bad := url.Values{"finding": {"CVE-2023-44487|" + xnetKey}, "status": {"affected"}, "comment": {"x"}}
	expectHTML(t, te.post(path, bad, withCookie(te.officer)), http.StatusBadRequest,
		"finding CVE-2023-44487 in pkg:golang/golang.org/x/net@v0.7.0: affected needs an action_statement")
	expectHTML(t, te.post(path, url.Values{"finding": {"no-separator"}, "status": {"fixed"}, "comment": {"x"}},
		withCookie(te.officer)), http.StatusBadRequest, "VULNERABILITY|COMPONENT")

	w := te.post(path, form, withCookie(te.officer))
	expectStatus(t, w, http.StatusSeeOther)
	if loc := w.Header().Get("Location"); loc != "/products/"+te.p.ID+"/releases/1.0?triaged=2" {
		t.Fatalf("Location = %q", loc)
	}
	if got := te.statuses(t, "1.0"); got["CVE-2023-44487"] != "fixed" || got["CVE-2024-9999"] != "fixed" {
		t.Fatalf("statuses = %v", got)
	}
	// The finding page: history and, for an officer, the form; a viewer
	// sees no form.
	fp := "/products/" + te.p.ID + "/releases/1.0/findings/CVE-2024-9999?component=" + url.QueryEscape(lpKey)
	expectHTML(t, te.do("GET", fp, nil, withCookie(te.officer)), http.StatusOK, "upgraded", `name="finding" value="CVE-2024-9999|/leftpad@1.0"`)
	if body := expectHTML(t, te.do("GET", fp, nil, withCookie(te.viewer)), http.StatusOK, "upgraded"); strings.Contains(body, "<form class=\"stack\"") {
		t.Error("a viewer gets the triage form")
	}
	expectHTML(t, te.do("GET", "/products/"+te.p.ID+"/releases/1.0/findings/CVE-2024-9999?component=nope", nil, withCookie(te.viewer)), http.StatusNotFound)
	expectHidden(t, te.do("GET", fp, nil, withCookie(te.out)))
}

// FuzzVEXDocumentMeta: the ID and author of any uploaded bytes are short,
// single-line and never empty.
func FuzzVEXDocumentMeta(f *testing.F) {
	f.Add([]byte(`{"@id": "https://example.eu/vex-1", "author": "Ann"}`))
	f.Add([]byte(`{"predicate": {"@id": "x", "author": "y"}}`))
	f.Add([]byte(`{"serialNumber": "urn:uuid:1", "metadata": {"authors": [{"name": "a\nb"}]}}`))
	f.Add([]byte(`{"metadata": {"manufacturer": null}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		id, author := vexDocumentMeta(data)
		for _, s := range []string{id, author} {
			if s == "" || strings.ContainsAny(s, "\r\n") || len([]rune(s)) > 201 {
				t.Fatalf("meta %q", s)
			}
		}
	})
}

// FuzzFindingsFilter: any query string gives a filter or a 400, never a
// panic.
func FuzzFindingsFilter(f *testing.F) {
	for _, q := range []string{"severity=critical,high&status=fixed&kev=true&q=jq", "severity=,", "kev=TRUE", "q=%00", "status=fixed,,fixed"} {
		f.Add(q)
	}
	f.Fuzz(func(t *testing.T, q string) {
		r := httptest.NewRequest("GET", "/x", nil)
		r.URL.RawQuery = q
		filter, err := parseFindingsFilter(r)
		if err != nil {
			return
		}
		filter.match(findingJSON{ID: "CVE-1", Severity: findingSeverityJSON{Level: "weird"}})
	})
}

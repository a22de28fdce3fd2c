package server

import (
	"bytes"
	"context"
	"encoding/json"
	"mime"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/craft-cra/craft/internal/auth"
	"github.com/craft-cra/craft/internal/store"
	"github.com/craft-cra/craft/internal/store/storetest"
)

// oaValidator checks responses against the schemas of openapi.json.
type oaValidator struct {
	doc map[string]any
	c   *jsonschema.Compiler
}

func newOAValidator(t *testing.T) *oaValidator {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal(openAPIDocument, &doc); err != nil {
		t.Fatal(err)
	}
	c, err := openAPICompiler()
	if err != nil {
		t.Fatal(err)
	}
	c.AssertFormat()
	return &oaValidator{doc: doc, c: c}
}

// escapePointer escapes one JSON pointer token.
func escapePointer(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}

// check validates w, the answer of the route "METHOD pattern", against the
// response the document gives for its status.
func (v *oaValidator) check(t *testing.T, method, pattern string, w *httptest.ResponseRecorder) {
	t.Helper()
	path := openAPIPath(pattern)
	where := method + " " + pattern + " (" + strconv.Itoa(w.Code) + ")"
	op := asMap(asMap(asMap(v.doc["paths"])[path])[strings.ToLower(method)])
	if op == nil {
		t.Errorf("%s: not in openapi.json", where)
		return
	}
	code := strconv.Itoa(w.Code)
	responses := asMap(op["responses"])
	ptr := "/paths/" + escapePointer(path) + "/" + strings.ToLower(method) + "/responses/" + code
	resp := asMap(responses[code])
	if resp == nil {
		resp, ptr = asMap(responses["default"]), "/paths/"+escapePointer(path)+"/"+strings.ToLower(method)+"/responses/default"
		if w.Code < 400 || resp == nil {
			t.Errorf("%s: openapi.json does not document status %s for this operation: add it to responses", where, code)
			return
		}
	}
	if ref, ok := resp["$ref"].(string); ok {
		ptr = strings.TrimPrefix(ref, "#")
		resp = asMap(asMap(asMap(v.doc["components"])["responses"])[strings.TrimPrefix(ref, "#/components/responses/")])
	}
	content := asMap(resp["content"])
	if w.Body.Len() == 0 {
		if len(content) != 0 {
			t.Errorf("%s: empty body, but openapi.json documents content", where)
		}
		return
	}
	mt, _, _ := mime.ParseMediaType(w.Header().Get("Content-Type"))
	if _, ok := content[mt]; !ok && content["*/*"] == nil {
		t.Errorf("%s: content type %q is not documented for this response", where, mt)
		return
	}
	if mt != "application/json" && mt != "application/problem+json" {
		return
	}
	sch, err := v.c.Compile(openAPIURL + "#" + ptr + "/content/" + escapePointer(mt) + "/schema")
	if err != nil {
		t.Errorf("%s: %v", where, err)
		return
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(w.Body.Bytes()))
	if err != nil {
		t.Errorf("%s: body is not JSON: %v", where, err)
		return
	}
	if err := sch.Validate(inst); err != nil {
		t.Errorf("%s: the answer does not match openapi.json: %v\nbody: %.600s", where, err, w.Body.String())
	}
}

// TestOpenAPIResponses runs the API through a typical session and checks
// every answer against the schema the document gives for its status: the
// schemas were written from the Go structs, and this keeps them honest.
func TestOpenAPIResponses(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		v := newOAValidator(t)
		// notifyConfig: a sealing key for webhook secrets and the SMTP
		// password, and webhook receivers on loopback.
		e := newEnv(t, st, notifyConfig())
		admin := withCookie(e.session(e.user("root@example.eu", auth.RoleAdministrator)))
		e.user("ann@example.eu", auth.RoleViewer)
		sbomDoc, err := os.ReadFile("testdata/sbom/valid-dependency.cdx-1.6.json")
		if err != nil {
			t.Fatal(err)
		}
		var pid, uid, ref, statusToken, formToken, hookID, caseRef, advID string
		var vexDoc []byte
		// findings stores what a re-match would for release 2.0 (triageSBOM).
		findings := func(map[string]any) {
			rel, err := st.GetRelease(context.Background(), pid, "2.0")
			if err != nil {
				t.Fatal(err)
			}
			if _, err := st.ReplaceReleaseFindings(context.Background(), store.FindingsUpdate{ReleaseID: rel.ID, ProductID: pid,
				ProductName: "Edge Router", Version: "2.0", Findings: triageFindings()}); err != nil {
				t.Fatal(err)
			}
		}
		rel2 := func(rest string) func() string {
			return func() string { return "/api/v1/products/" + pid + "/releases/2.0" + rest }
		}
		caseURL := func(rest string) func() string { return func() string { return "/api/v1/cases/" + caseRef + rest } }
		hookURL := func(rest string) func() string { return func() string { return "/api/v1/webhooks/" + hookID + rest } }
		advURL := func(rest string) func() string { return func() string { return "/api/v1/advisories/" + advID + rest } }
		now := func() string { return e.clock.Now().UTC().Format(time.RFC3339) }
		for _, s := range []struct {
			method, pattern string
			path            func() string
			body            any
			opts            []reqOpt
			want            int
			after           func(m map[string]any)
		}{
			{"GET", "/api/v1/setup", nil, nil, nil, 200, nil},
			{"POST", "/api/v1/auth/login", nil, map[string]string{"email": "ann@example.eu", "password": "wrong password here"}, nil, 401, nil},
			{"POST", "/api/v1/auth/login", nil, map[string]string{"email": "ann@example.eu", "password": testPassword}, nil, 200, nil},
			{"GET", "/api/v1/me", nil, nil, nil, 401, nil},
			{"GET", "/api/v1/me", nil, nil, []reqOpt{admin}, 200, nil},
			{"GET", "/api/v1/me/sessions", nil, nil, []reqOpt{admin}, 200, nil},
			{"POST", "/api/v1/me/tokens", nil, map[string]any{"name": "ci", "expires_in_days": 30}, []reqOpt{admin}, 201, nil},
			{"GET", "/api/v1/me/tokens", nil, nil, []reqOpt{admin}, 200, nil},
			{"POST", "/api/v1/users", nil, map[string]string{"email": "vic@example.eu", "password": "another long phrase 77"}, []reqOpt{admin}, 201,
				func(m map[string]any) { uid, _ = m["id"].(string) }},
			{"PATCH", "/api/v1/users/{id}", func() string { return "/api/v1/users/" + uid }, map[string]string{"role": "contributor"}, []reqOpt{admin}, 200, nil},
			{"GET", "/api/v1/users", nil, nil, []reqOpt{admin}, 200, nil},
			{"GET", "/api/v1/users", func() string { return "/api/v1/users?limit=0" }, nil, []reqOpt{admin}, 400, nil},
			{"POST", "/api/v1/products", nil, map[string]any{"name": "Edge Router", "manufacturer": "ACME", "cra_class": "important-i",
				"support_period": map[string]string{"start": "2026-01", "end": "2031-01"}, "member_states": []string{"de", "FR"},
				"security_contact": "security@example.eu"}, []reqOpt{admin}, 201,
				func(m map[string]any) { pid, _ = m["id"].(string) }},
			{"GET", "/api/v1/products", nil, nil, []reqOpt{admin}, 200, nil},
			{"GET", "/api/v1/products/{id}", func() string { return "/api/v1/products/" + pid }, nil, []reqOpt{admin}, 200, nil},
			{"GET", "/api/v1/products/{id}", func() string { return "/api/v1/products/nope" }, nil, []reqOpt{admin}, 404, nil},
			{"PATCH", "/api/v1/products/{id}", func() string { return "/api/v1/products/" + pid }, map[string]string{"description": "a router"}, []reqOpt{admin}, 200, nil},
			{"PUT", "/api/v1/products/{id}/members/{user}", func() string { return "/api/v1/products/" + pid + "/members/" + uid },
				map[string]string{"role": "security_officer"}, []reqOpt{admin}, 204, nil},
			{"GET", "/api/v1/products/{id}/members", func() string { return "/api/v1/products/" + pid + "/members" }, nil, []reqOpt{admin}, 200, nil},
			{"POST", "/api/v1/products/{product}/releases", func() string { return "/api/v1/products/" + pid + "/releases" },
				map[string]string{"version": "0.9"}, []reqOpt{admin}, 201, nil},
			{"POST", "/api/v1/products/{product}/releases/{version}/sbom", func() string { return "/api/v1/products/" + pid + "/releases/1.0/sbom" },
				sbomDoc, []reqOpt{admin, withHeader("Content-Type", "application/vnd.cyclonedx+json")}, 201, nil},
			{"GET", "/api/v1/products/{product}/releases", func() string { return "/api/v1/products/" + pid + "/releases" }, nil, []reqOpt{admin}, 200, nil},
			{"GET", "/api/v1/products/{product}/releases/{version}", func() string { return "/api/v1/products/" + pid + "/releases/1.0" }, nil, []reqOpt{admin}, 200, nil},
			{"GET", "/api/v1/products/{product}/releases/{version}/components", func() string { return "/api/v1/products/" + pid + "/releases/1.0/components?limit=1" }, nil, []reqOpt{admin}, 200, nil},
			{"GET", "/api/v1/products/{product}/releases/{version}/findings", func() string { return "/api/v1/products/" + pid + "/releases/1.0/findings" }, nil, []reqOpt{admin}, 200, nil},
			{"GET", "/api/v1/products/{product}/releases/{version}/sbom", func() string { return "/api/v1/products/" + pid + "/releases/1.0/sbom" }, nil, []reqOpt{admin}, 200, nil},
			{"GET", "/api/v1/products/{product}/sbom", func() string { return "/api/v1/products/" + pid + "/sbom" }, nil, []reqOpt{admin}, 200, nil},
			// Triage, VEX and component search on release 2.0 with stored findings.
			{"POST", "/api/v1/products/{product}/releases/{version}/sbom", rel2("/sbom"),
				[]byte(triageSBOM), []reqOpt{admin, withHeader("Content-Type", "application/vnd.cyclonedx+json")}, 201, findings},
			{"GET", "/api/v1/products/{product}/releases/{version}/findings", rel2("/findings?limit=2"), nil, []reqOpt{admin}, 200, nil},
			{"GET", "/api/v1/products/{product}/releases/{version}/findings", rel2("/findings?severity=severe"), nil, []reqOpt{admin}, 400, nil},
			{"POST", "/api/v1/products/{product}/releases/{version}/triage", rel2("/triage"), map[string]any{
				"findings": []map[string]string{{"vuln_id": "CVE-2023-44487", "component": xnetKey}}, "status": "not_affected",
				"justification": "vulnerable_code_not_in_execute_path", "comment": "HTTP/2 is off"}, []reqOpt{admin}, 200, nil},
			{"POST", "/api/v1/products/{product}/releases/{version}/triage", rel2("/triage"), map[string]any{
				"findings": []map[string]string{{"vuln_id": "CVE-2023-44487", "component": xnetKey}}, "status": "not_affected"},
				[]reqOpt{admin}, 422, nil},
			{"GET", "/api/v1/products/{product}/releases/{version}/findings/{vuln}/history",
				rel2("/findings/CVE-2023-44487/history?component=" + url.QueryEscape(xnetKey)), nil, []reqOpt{admin}, 200, nil},
			{"GET", "/api/v1/products/{product}/releases/{version}/vex", rel2("/vex"), nil, []reqOpt{admin}, 200,
				func(m map[string]any) { vexDoc, _ = json.Marshal(m) }},
			{"GET", "/api/v1/products/{product}/releases/{version}/vex", rel2("/vex?format=cyclonedx"), nil, []reqOpt{admin}, 200, nil},
			{"GET", "/api/v1/products/{product}/releases/{version}/vex", rel2("/vex?format=csaf"), nil, []reqOpt{admin}, 400, nil},
			{"POST", "/api/v1/products/{product}/releases/{version}/vex", rel2("/vex"), func() any { return vexDoc },
				[]reqOpt{admin, withHeader("Content-Type", "application/json")}, 200, nil},
			{"POST", "/api/v1/products/{product}/releases/{version}/vex", rel2("/vex"), []byte(`{"hello": "world"}`),
				[]reqOpt{admin, withHeader("Content-Type", "application/json")}, 422, nil},
			{"GET", "/api/v1/components", func() string { return "/api/v1/components?name=jquery&limit=1" }, nil, []reqOpt{admin}, 200, nil},
			{"GET", "/api/v1/components", func() string { return "/api/v1/components?name=net&match=contains" }, nil, []reqOpt{admin}, 200, nil},
			{"GET", "/api/v1/components", nil, nil, []reqOpt{admin}, 400, nil},
			// Notifications.
			{"POST", "/api/v1/webhooks", nil, map[string]any{"name": "ops", "url": "http://127.0.0.1:9/hook", "kinds": []string{"finding.new", "finding.kev"}},
				[]reqOpt{admin}, 201, func(m map[string]any) { hookID, _ = m["id"].(string) }},
			{"POST", "/api/v1/webhooks", nil, map[string]any{"name": "no url"}, []reqOpt{admin}, 400, nil},
			{"GET", "/api/v1/webhooks", nil, nil, []reqOpt{admin}, 200, nil},
			{"GET", "/api/v1/webhooks/{id}", hookURL(""), nil, []reqOpt{admin}, 200, nil},
			{"PATCH", "/api/v1/webhooks/{id}", hookURL(""), map[string]any{"products": []string{}, "enabled": false}, []reqOpt{admin}, 200,
				nil},
			{"POST", "/api/v1/webhooks/{id}/test", hookURL("/test"), nil, []reqOpt{admin}, 200, nil},
			{"GET", "/api/v1/webhooks/{id}/deliveries", hookURL("/deliveries"), nil, []reqOpt{admin}, 200, nil},
			{"GET", "/api/v1/webhooks/{id}", func() string { return "/api/v1/webhooks/nope" }, nil, []reqOpt{admin}, 404, nil},
			{"PUT", "/api/v1/me/notification-preferences", nil, func() any {
				return map[string]any{"preferences": []map[string]string{{"group": "kev", "mode": "immediate"},
					{"product_id": pid, "group": "findings", "mode": "digest"}}}
			}, []reqOpt{admin}, 200, nil},
			{"GET", "/api/v1/me/notification-preferences", nil, nil, []reqOpt{admin}, 200, nil},
			{"PUT", "/api/v1/me/notification-preferences", nil, map[string]any{"preferences": []map[string]string{{"group": "kev", "mode": "loud"}}},
				[]reqOpt{admin}, 400, nil},
			{"GET", "/api/v1/notifications", func() string { return "/api/v1/notifications?limit=5" }, nil, []reqOpt{admin}, 200, nil},
			{"PUT", "/api/v1/settings/smtp", nil, map[string]any{"host": "smtp.example.eu", "port": 587, "username": "craft",
				"password": "mail secret", "from": "craft@example.eu", "digest_hour_utc": 6, "base_url": "https://craft.example.eu"},
				[]reqOpt{admin}, 200, nil},
			{"GET", "/api/v1/settings/smtp", nil, nil, []reqOpt{admin}, 200, nil},
			{"DELETE", "/api/v1/webhooks/{id}", hookURL(""), nil, []reqOpt{admin}, 204, nil},
			{"GET", "/api/v1/audit", func() string { return "/api/v1/audit?limit=2" }, nil, []reqOpt{admin}, 200, nil},
			{"GET", "/api/v1/audit/verify", nil, nil, []reqOpt{admin}, 200, nil},
			{"PATCH", "/api/v1/settings", nil, map[string]bool{"activity_log": true}, []reqOpt{admin}, 200, nil},
			{"GET", "/api/v1/settings", nil, nil, []reqOpt{admin}, 200, nil},
			{"PUT", "/api/v1/settings/security-txt", nil, map[string]any{"contact": []string{"mailto:security@example.eu"},
				"preferred_languages": []string{"en"}, "base_url": "https://craft.example.eu"}, []reqOpt{admin}, 200, nil},
			{"GET", "/api/v1/settings/security-txt", nil, nil, []reqOpt{admin}, 200, nil},
			{"GET", "/api/v1/reports/form-token", nil, nil, nil, 200, func(m map[string]any) {
				formToken, _ = m["form_token"].(string)
				e.clock.Advance(5 * time.Second)
			}},
			{"POST", "/api/v1/reports", nil, nil, nil, 201, func(m map[string]any) {
				ref, _ = m["reference"].(string)
				statusToken, _ = m["status_token"].(string)
			}},
			{"GET", "/api/v1/reports", nil, nil, []reqOpt{admin}, 200, nil},
			{"POST", "/api/v1/reports/{ref}/messages", func() string { return "/api/v1/reports/" + ref + "/messages" },
				map[string]string{"body": "thank you"}, []reqOpt{admin}, 200, nil},
			{"GET", "/api/v1/reports/{ref}", func() string { return "/api/v1/reports/" + ref }, nil, []reqOpt{admin}, 200, nil},
			{"POST", "/api/v1/reports/status/{token}/messages", func() string { return "/api/v1/reports/status/" + statusToken + "/messages" },
				map[string]string{"body": "any news?"}, nil, 200, nil},
			{"GET", "/api/v1/reports/status/{token}", func() string { return "/api/v1/reports/status/" + statusToken }, nil, nil, 200, nil},
			// Cases: from the report above, and from a finding.
			{"POST", "/api/v1/cases", nil, func() any {
				return map[string]any{"from_report": ref, "cvss_v3_1": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}
			},
				[]reqOpt{admin}, 201, func(m map[string]any) { caseRef, _ = m["reference"].(string) }},
			{"POST", "/api/v1/cases", nil, func() any {
				return map[string]any{"from_finding": map[string]string{"product": pid, "version": "2.0", "vuln_id": "CVE-2020-11023", "component": "jq"}}
			}, []reqOpt{admin}, 201, nil},
			{"POST", "/api/v1/cases", nil, map[string]any{"title": "no source"}, []reqOpt{admin}, 400, nil},
			// Now with a triage decision and a case.
			{"GET", "/api/v1/products/{product}/releases/{version}/findings", rel2("/findings?kev=true"), nil, []reqOpt{admin}, 200,
				func(m map[string]any) {
					items, _ := m["items"].([]any)
					if len(items) != 1 || asMap(items[0])["case"] == "" || asMap(items[0])["note"] == nil {
						t.Errorf("findings?kev=true: want the KEV finding with its case and note: %v", m)
					}
				}},
			{"GET", "/api/v1/products/{product}/releases/{version}/findings", rel2("/findings?status=not_affected"), nil, []reqOpt{admin}, 200,
				func(m map[string]any) {
					items, _ := m["items"].([]any)
					if len(items) != 1 || asMap(items[0])["triage"] == nil {
						t.Errorf("findings?status=not_affected: want the triaged finding with its decision: %v", m)
					}
				}},
			{"GET", "/api/v1/cases", func() string { return "/api/v1/cases?limit=1" }, nil, []reqOpt{admin}, 200, nil},
			{"GET", "/api/v1/cases/{ref}", caseURL(""), nil, []reqOpt{admin}, 200, nil},
			{"GET", "/api/v1/cases/{ref}", func() string { return "/api/v1/cases/CASE-1999-0001" }, nil, []reqOpt{admin}, 404, nil},
			{"PATCH", "/api/v1/cases/{ref}", caseURL(""), map[string]any{"cve": "CVE-2026-12345", "other_ids": []string{"GHSA-aaaa-bbbb-cccc"}}, []reqOpt{admin}, 200, nil},
			{"POST", "/api/v1/cases/{ref}/transitions", caseURL("/transitions"), map[string]string{"to": "triage", "comment": "looking"}, []reqOpt{admin}, 200, nil},
			{"POST", "/api/v1/cases/{ref}/transitions", caseURL("/transitions"), map[string]string{"to": "disclosed"}, []reqOpt{admin}, 409, nil},
			{"POST", "/api/v1/cases/{ref}/exploited", caseURL("/exploited"), map[string]string{"note": "seen in the wild"}, []reqOpt{admin}, 200, nil},
			{"POST", "/api/v1/cases/{ref}/incident", caseURL("/incident"), map[string]string{"suspected_malicious": "no"}, []reqOpt{admin}, 200, nil},
			{"GET", "/api/v1/cases/{ref}/deadlines", caseURL("/deadlines"), nil, []reqOpt{admin}, 200, nil},
			{"GET", "/api/v1/cases/{ref}/drafts/{stage}", caseURL("/drafts/vulnerability-early-warning?format=json"), nil, []reqOpt{admin}, 200, nil},
			{"GET", "/api/v1/cases/{ref}/drafts/{stage}", caseURL("/drafts/vulnerability-early-warning?format=markdown"), nil, []reqOpt{admin}, 200, nil},
			{"GET", "/api/v1/cases/{ref}/drafts/{stage}", caseURL("/drafts/vulnerability-early-warning?format=pdf"), nil, []reqOpt{admin}, 400, nil},
			{"POST", "/api/v1/cases/{ref}/submissions", caseURL("/submissions"), func() any {
				return map[string]string{"stage": "vulnerability-early-warning", "submitted_at": now(), "channel": "ENISA single reporting platform", "reference": "SRP-1"}
			}, []reqOpt{admin}, 201, nil},
			{"POST", "/api/v1/cases/{ref}/measure", caseURL("/measure"), func() any {
				return map[string]any{"available_at": now(), "fixed_in_release": "2.0"}
			}, []reqOpt{admin}, 200, nil},
			{"POST", "/api/v1/cases/{ref}/messages", caseURL("/messages"), map[string]string{"body": "we are on it"}, []reqOpt{admin}, 201, nil},
			{"GET", "/api/v1/cases/{ref}/messages", caseURL("/messages"), nil, []reqOpt{admin}, 200, nil},
			// Advisories (the security.txt base URL above is their namespace).
			{"POST", "/api/v1/products/{product}/releases/{version}/advisories", rel2("/advisories"), nil, []reqOpt{admin}, 201,
				func(m map[string]any) { advID, _ = m["id"].(string) }},
			{"POST", "/api/v1/products/{product}/releases/{version}/advisories", rel2("/advisories"), map[string]string{"category": "csaf_other"},
				[]reqOpt{admin}, 400, nil},
			{"POST", "/api/v1/products/{product}/releases/{version}/advisories", rel2("/advisories"), map[string]string{"tlp": "CLEAR"},
				[]reqOpt{admin}, 400, nil},
			{"GET", "/api/v1/advisories", nil, nil, []reqOpt{admin}, 200, nil},
			{"GET", "/api/v1/advisories/{id}", advURL(""), nil, []reqOpt{admin}, 200, nil},
			{"PATCH", "/api/v1/advisories/{id}", advURL(""), map[string]any{"summary": "Update to 2.1.",
				"notes": []map[string]string{{"category": "general", "title": "Thanks", "text": "Reported by a researcher."}}}, []reqOpt{admin}, 200, nil},
			{"POST", "/api/v1/advisories/{id}/publish", advURL("/publish"), nil, []reqOpt{admin}, 200, nil},
			{"GET", "/api/v1/advisories/{id}/versions/{version}", advURL("/versions/1"), nil, []reqOpt{admin}, 200, nil},
			{"GET", "/api/v1/advisories/{id}/openvex", advURL("/openvex"), nil, []reqOpt{admin}, 200, nil},
			{"GET", "/api/v1/advisories/{id}", func() string { return "/api/v1/advisories/nope" }, nil, []reqOpt{admin}, 404, nil},
			{"DELETE", "/api/v1/products/{product}/releases/{version}", func() string { return "/api/v1/products/" + pid + "/releases/0.9" }, nil, []reqOpt{admin}, 204, nil},
		} {
			path := s.pattern
			if s.path != nil {
				path = s.path()
			}
			body := s.body
			if f, ok := body.(func() any); ok {
				body = f()
			}
			if s.method == "POST" && s.pattern == "/api/v1/reports" {
				body = map[string]string{"form_token": formToken, "product_id": pid, "description": "overflow in the parser", "contact": "r@example.org"}
			}
			w := e.do(s.method, path, body, s.opts...)
			if w.Code != s.want {
				t.Errorf("%s %s: %d, want %d: %.300s", s.method, path, w.Code, s.want, w.Body.String())
				continue
			}
			v.check(t, s.method, s.pattern, w)
			if s.after != nil && w.Code < 300 {
				var m map[string]any
				if err := json.Unmarshal(w.Body.Bytes(), &m); err != nil {
					t.Fatalf("%s %s: %v", s.method, path, err)
				}
				s.after(m)
			}
		}
		if w := e.do("GET", "/api/v1/me", nil, admin); w.Code != http.StatusOK {
			t.Fatal(w.Code)
		}
	})
}

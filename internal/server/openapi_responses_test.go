package server

import (
	"bytes"
	"encoding/json"
	"mime"
	"net/http"
	"net/http/httptest"
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
		e := newEnv(t, st, Config{Limits: RateLimits{Disabled: true}})
		admin := withCookie(e.session(e.user("root@example.eu", auth.RoleAdministrator)))
		e.user("ann@example.eu", auth.RoleViewer)
		sbomDoc, err := os.ReadFile("testdata/sbom/valid-dependency.cdx-1.6.json")
		if err != nil {
			t.Fatal(err)
		}
		var pid, uid, ref, statusToken, formToken string
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
			{"DELETE", "/api/v1/products/{product}/releases/{version}", func() string { return "/api/v1/products/" + pid + "/releases/0.9" }, nil, []reqOpt{admin}, 204, nil},
		} {
			path := s.pattern
			if s.path != nil {
				path = s.path()
			}
			body := s.body
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

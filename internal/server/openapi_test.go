package server

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"testing"
)

// openAPIOps is the operations of openapi.json: path → method (lower case)
// → operation.
func openAPIOps(t *testing.T) (ops map[string]map[string]map[string]any, params map[string]any) {
	t.Helper()
	var doc struct {
		Paths      map[string]map[string]json.RawMessage `json:"paths"`
		Components struct {
			Parameters map[string]any `json:"parameters"`
		} `json:"components"`
	}
	if err := json.Unmarshal(openAPIDocument, &doc); err != nil {
		t.Fatalf("openapi.json: %v", err)
	}
	ops = map[string]map[string]map[string]any{}
	for path, item := range doc.Paths {
		ops[path] = map[string]map[string]any{}
		for method, raw := range item {
			if !httpMethods[method] {
				continue
			}
			var op map[string]any
			if err := json.Unmarshal(raw, &op); err != nil {
				t.Fatalf("openapi.json: %s %s: %v", method, path, err)
			}
			ops[path][method] = op
		}
	}
	return ops, doc.Components.Parameters
}

// httpMethods are the operation keys of an OpenAPI path item.
var httpMethods = map[string]bool{"get": true, "put": true, "post": true, "delete": true, "options": true,
	"head": true, "patch": true, "trace": true}

// isAPIRoute reports whether rt belongs in openapi.json.
func isAPIRoute(rt Route) bool {
	return rt.Kind == KindAPI && strings.HasPrefix(rt.Pattern, "/api/v1/")
}

// TestOpenAPIMatchesRouteTable: every KindAPI route under /api/v1 is in
// openapi.json with the same method, path, permission, product parameter
// and public-ness, and the document has no operation the route table lacks.
// For a missing route it prints the skeleton to paste (docs/api.md).
func TestOpenAPIMatchesRouteTable(t *testing.T) {
	e := sqliteEnv(t)
	ops, params := openAPIOps(t)
	inTable := map[string]bool{}
	missing := map[string][]Route{}
	for _, rt := range e.s.Routes() {
		if !isAPIRoute(rt) {
			continue
		}
		path, method := openAPIPath(rt.Pattern), strings.ToLower(rt.Method)
		inTable[method+" "+path] = true
		op, ok := ops[path][method]
		if !ok {
			missing[path] = append(missing[path], rt)
			continue
		}
		where := fmt.Sprintf("openapi.json paths[%q].%s (route %s)", path, method, rt.pattern())
		sec, hasSec := op["security"].([]any)
		perm, _ := op["x-craft-permission"].(string)
		pp, _ := op["x-craft-product-param"].(string)
		switch {
		case rt.Public:
			if !hasSec || len(sec) != 0 {
				t.Errorf("%s: the route is public: add \"security\": [] to the operation", where)
			}
			if _, ok := op["x-craft-permission"]; ok {
				t.Errorf("%s: the route is public: remove \"x-craft-permission\"", where)
			}
		default:
			if hasSec && len(sec) == 0 {
				t.Errorf("%s: the route needs %s: remove \"security\": [] (the document's default is the session cookie or a bearer token)", where, rt.Perm)
			}
			if perm != string(rt.Perm) {
				t.Errorf("%s: \"x-craft-permission\" is %q; set it to %q as in the route table", where, perm, rt.Perm)
			}
		}
		if pp != rt.ProductParam {
			if rt.ProductParam == "" {
				t.Errorf("%s: the route has no ProductParam: remove \"x-craft-product-param\"", where)
			} else {
				t.Errorf("%s: \"x-craft-product-param\" is %q; set it to %q as in the route table", where, pp, rt.ProductParam)
			}
		}
	}
	if len(missing) > 0 {
		paths := make([]string, 0, len(missing))
		for p := range missing {
			paths = append(paths, p)
		}
		sort.Strings(paths)
		var b strings.Builder
		for _, p := range paths {
			var names []string
			for _, rt := range missing[p] {
				names = append(names, rt.pattern())
				if _, ok := ops[p]; ok {
					fmt.Fprintf(&b, "    (paths[%q] exists: add only the %q operation below to it)\n", p, strings.ToLower(rt.Method))
				}
			}
			t.Errorf("route %s is not in openapi.json: add the operation to \"paths\" (skeleton below; see docs/api.md)", strings.Join(names, ", "))
			b.WriteString(openAPISkeleton(p, missing[p], params))
			b.WriteString("\n")
		}
		t.Logf("skeletons to paste into \"paths\" of internal/server/openapi.json, then fill in the TODOs:\n%s", b.String())
	}
	var extra []string
	for path, item := range ops {
		for method := range item {
			if !inTable[method+" "+path] {
				extra = append(extra, strings.ToUpper(method)+" "+path)
			}
		}
	}
	sort.Strings(extra)
	for _, x := range extra {
		t.Errorf("openapi.json documents %s, which the route table lacks: remove it from openapi.json, or add the route (Kind API, under /api/v1)", x)
	}
}

// TestOpenAPIServed: GET /api/v1/openapi.json answers the embedded document
// without authentication.
func TestOpenAPIServed(t *testing.T) {
	e := sqliteEnv(t)
	w := e.do("GET", "/api/v1/openapi.json", nil)
	expectStatus(t, w, http.StatusOK)
	if ct := w.Header().Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type %q", ct)
	}
	if !bytes.Equal(w.Body.Bytes(), openAPIDocument) {
		t.Error("the served document differs from openapi.json")
	}
}

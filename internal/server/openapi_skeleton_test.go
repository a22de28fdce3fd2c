package server

import (
	"encoding/json"
	"reflect"
	"runtime"
	"strings"
)

// The skeleton of a route missing from openapi.json, printed by
// TestOpenAPIMatchesRouteTable so that whoever adds a route can paste it
// into "paths" and then fill in summary, tags and schemas (docs/api.md).

// openAPIPath turns a ServeMux pattern into an OpenAPI path: "{name}" stays,
// "{name...}" becomes "{name}" and "{$}" goes.
func openAPIPath(pattern string) string {
	return strings.ReplaceAll(strings.ReplaceAll(pattern, "...}", "}"), "{$}", "")
}

// pathParams lists the "{name}" wildcards of an OpenAPI path.
func pathParams(path string) []string {
	var out []string
	for {
		i := strings.IndexByte(path, '{')
		if i < 0 {
			return out
		}
		j := strings.IndexByte(path[i:], '}')
		if j < 0 {
			return out
		}
		out = append(out, path[i+1:i+j])
		path = path[i+j+1:]
	}
}

// handlerName is the method name of a route's handler ("listProducts"),
// a fair first operationId.
func handlerName(h HandlerFunc) string {
	name := runtime.FuncForPC(reflect.ValueOf(h).Pointer()).Name()
	name = strings.TrimSuffix(name, "-fm")
	if i := strings.LastIndexByte(name, '.'); i >= 0 {
		name = name[i+1:]
	}
	return name
}

// skeletonOp is an operation of a skeleton, its fields in the order the
// document writes them.
type skeletonOp struct {
	OperationID  string         `json:"operationId"`
	Summary      string         `json:"summary"`
	Tags         []string       `json:"tags"`
	Security     *[]any         `json:"security,omitempty"`
	Permission   string         `json:"x-craft-permission,omitempty"`
	ProductParam string         `json:"x-craft-product-param,omitempty"`
	Parameters   []any          `json:"parameters,omitempty"`
	RequestBody  any            `json:"requestBody,omitempty"`
	Responses    map[string]any `json:"responses"`
}

// openAPISkeleton is the operations of routes (all under one path) as a
// "paths" member to paste into openapi.json. params are the document's
// components/parameters, to reuse a path parameter of the same name.
func openAPISkeleton(path string, routes []Route, params map[string]any) string {
	type kv = map[string]any
	ops := map[string]skeletonOp{}
	for _, rt := range routes {
		op := skeletonOp{OperationID: handlerName(rt.Handler), Summary: "TODO: what it does, in one line", Tags: []string{"TODO"}}
		errs := []string{"429"}
		if rt.Public {
			op.Security = &[]any{}
		} else {
			op.Permission, op.ProductParam = string(rt.Perm), rt.ProductParam
			errs = append(errs, "401", "403")
		}
		for _, name := range pathParams(path) {
			if p, ok := params[name].(map[string]any); ok && p["name"] == name && p["in"] == "path" {
				op.Parameters = append(op.Parameters, kv{"$ref": "#/components/parameters/" + name})
				continue
			}
			op.Parameters = append(op.Parameters, kv{"name": name, "in": "path", "required": true, "description": "TODO", "schema": kv{"type": "string"}})
		}
		if len(op.Parameters) > 0 {
			errs = append(errs, "404")
		}
		ok := "200"
		switch rt.Method {
		case "POST", "PUT", "PATCH":
			op.RequestBody = kv{"required": true, "content": kv{"application/json": kv{
				"schema": kv{"type": "object", "description": "TODO: the request body; add it under components/schemas and $ref it"}}}}
			errs = append(errs, "400", "413", "415")
			if rt.Method == "POST" {
				ok = "201"
			}
		case "DELETE":
			ok = "204"
		}
		op.Responses = kv{ok: kv{"description": "TODO", "content": kv{"application/json": kv{
			"schema": kv{"type": "object", "description": "TODO: the response; add it under components/schemas and $ref it"}}}}}
		if ok == "204" {
			op.Responses[ok] = kv{"$ref": "#/components/responses/NoContent"}
		}
		names := map[string]string{"400": "BadRequest", "401": "Unauthorized", "403": "Forbidden", "404": "NotFound",
			"413": "PayloadTooLarge", "415": "UnsupportedMediaType", "429": "TooManyRequests"}
		for _, e := range errs {
			op.Responses[e] = kv{"$ref": "#/components/responses/" + names[e]}
		}
		op.Responses["default"] = kv{"$ref": "#/components/responses/Error"}
		ops[strings.ToLower(rt.Method)] = op
	}
	b, err := json.MarshalIndent(kv{path: ops}, "  ", "  ")
	if err != nil {
		return err.Error()
	}
	// Without the outer braces: a "paths" member to paste, with a comma to
	// put it before another member.
	s := strings.TrimSpace(string(b))
	s = strings.TrimSuffix(strings.TrimPrefix(s, "{"), "}")
	return "    " + strings.TrimSpace(s) + ","
}

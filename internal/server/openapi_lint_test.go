package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// The structural checks of openapi.json: against the official OpenAPI 3.1
// schema (kept offline in testdata/openapi), and the checks that schema
// cannot express (duplicate members, unique operationIds, declared path
// parameters, resolvable $refs, problem+json errors, every schema valid
// JSON Schema 2020-12), with messages that say what to change.

// openAPIURL is the base URI the schemas of the document are compiled
// under; it is never fetched.
const openAPIURL = "https://craft.invalid/api/v1/openapi.json"

// Allowed members of the OpenAPI objects the document uses ("x-" members
// are always allowed).
var (
	oaOperationKeys = keySet("tags", "summary", "description", "externalDocs", "operationId", "parameters",
		"requestBody", "responses", "callbacks", "deprecated", "security", "servers")
	oaPathItemKeys  = keySet("summary", "description", "servers", "parameters", "get", "put", "post", "delete", "options", "head", "patch", "trace")
	oaParameterKeys = keySet("name", "in", "description", "required", "deprecated", "allowEmptyValue", "style", "explode",
		"allowReserved", "schema", "example", "examples", "content")
	oaResponseKeys    = keySet("description", "headers", "content", "links")
	oaRequestBodyKeys = keySet("description", "content", "required")
	oaMediaTypeKeys   = keySet("schema", "example", "examples", "encoding")
	oaReferenceKeys   = keySet("$ref", "summary", "description")
	oaResponseCode    = regexp.MustCompile(`^([1-5](?:[0-9][0-9]|XX)|default)$`)
	oaComponentName   = regexp.MustCompile(`^[a-zA-Z0-9._-]+$`)
)

func keySet(keys ...string) map[string]bool {
	m := make(map[string]bool, len(keys))
	for _, k := range keys {
		m[k] = true
	}
	return m
}

// TestOpenAPIDocumentStructure checks openapi.json as OpenAPI 3.1.0: no
// duplicate member names, only the members each object may have, required
// members present, unique operationIds, declared path parameters, response
// codes, problem+json errors, resolvable $refs and valid JSON Schemas.
func TestOpenAPIDocumentStructure(t *testing.T) {
	if err := checkNoDuplicateKeys(openAPIDocument); err != nil {
		t.Fatalf("openapi.json: %v", err)
	}
	var doc map[string]any
	if err := json.Unmarshal(openAPIDocument, &doc); err != nil {
		t.Fatalf("openapi.json: %v", err)
	}
	lint := &oaLint{t: t, doc: doc, opIDs: map[string]string{}}
	if doc["openapi"] != "3.1.0" {
		t.Errorf("openapi is %v, want \"3.1.0\"", doc["openapi"])
	}
	info, _ := doc["info"].(map[string]any)
	if s, _ := info["title"].(string); s == "" {
		t.Error("info.title is missing")
	}
	if s, _ := info["version"].(string); s == "" {
		t.Error("info.version is missing")
	}
	lint.security("the document", doc["security"])
	paths, _ := doc["paths"].(map[string]any)
	if len(paths) == 0 {
		t.Fatal("paths is empty")
	}
	for _, path := range sortedKeys(paths) {
		lint.pathItem(path, paths[path])
	}
	comps, _ := doc["components"].(map[string]any)
	for _, kind := range sortedKeys(comps) {
		for _, name := range sortedKeys(asMap(comps[kind])) {
			if !oaComponentName.MatchString(name) {
				t.Errorf("components.%s: the name %q may hold only letters, digits, '.', '_' and '-'", kind, name)
			}
		}
	}
	for _, name := range sortedKeys(asMap(comps["parameters"])) {
		lint.parameter("components.parameters."+name, comps["parameters"].(map[string]any)[name])
	}
	for _, name := range sortedKeys(asMap(comps["responses"])) {
		lint.response("components.responses."+name, "", comps["responses"].(map[string]any)[name])
	}
	lint.refs("", doc)
	lint.schemas()
}

type oaLint struct {
	t     *testing.T
	doc   map[string]any
	opIDs map[string]string
}

func (l *oaLint) members(where string, v any, allowed map[string]bool, required ...string) map[string]any {
	m, ok := v.(map[string]any)
	if !ok {
		l.t.Errorf("%s: want an object", where)
		return nil
	}
	if _, ok := m["$ref"]; ok {
		allowed = oaReferenceKeys
	}
	for _, k := range sortedKeys(m) {
		if !allowed[k] && !strings.HasPrefix(k, "x-") {
			l.t.Errorf("%s: %q is not a member of this OpenAPI object (misspelt, or misplaced?)", where, k)
		}
	}
	if _, ok := m["$ref"]; ok {
		return m
	}
	for _, k := range required {
		if _, ok := m[k]; !ok {
			l.t.Errorf("%s: %q is required", where, k)
		}
	}
	return m
}

func (l *oaLint) pathItem(path string, v any) {
	where := fmt.Sprintf("paths[%q]", path)
	if !strings.HasPrefix(path, "/") {
		l.t.Errorf("%s: a path starts with /", where)
	}
	item := l.members(where, v, oaPathItemKeys)
	for _, method := range sortedKeys(item) {
		if httpMethods[method] {
			l.operation(where+"."+method, path, item[method])
		}
	}
}

func (l *oaLint) operation(where, path string, v any) {
	op := l.members(where, v, oaOperationKeys, "operationId", "summary", "responses")
	if op == nil {
		return
	}
	if id, _ := op["operationId"].(string); id != "" {
		if prev, dup := l.opIDs[id]; dup {
			l.t.Errorf("%s: operationId %q is also used by %s; make it unique", where, id, prev)
		}
		l.opIDs[id] = where
	}
	if sec, ok := op["security"]; ok {
		l.security(where, sec)
	}
	declared := map[string]bool{}
	params, _ := op["parameters"].([]any)
	for i, p := range params {
		pw := fmt.Sprintf("%s.parameters[%d]", where, i)
		pm := l.parameter(pw, p)
		if pm["in"] == "path" {
			name, _ := pm["name"].(string)
			declared[name] = true
		}
	}
	for _, name := range pathParams(path) {
		if !declared[name] {
			l.t.Errorf("%s: the path parameter {%s} is not declared: add {\"$ref\": \"#/components/parameters/%s\"} (or an inline parameter with \"in\": \"path\", \"required\": true) to parameters", where, name, name)
		}
		delete(declared, name)
	}
	for name := range declared {
		l.t.Errorf("%s: declares the path parameter %q, which the path lacks", where, name)
	}
	if rb, ok := op["requestBody"]; ok {
		l.content(where+".requestBody", l.resolve(l.members(where+".requestBody", rb, oaRequestBodyKeys, "content")), true)
	}
	resps, _ := op["responses"].(map[string]any)
	if len(resps) == 0 {
		l.t.Errorf("%s: responses is empty", where)
	}
	for _, code := range sortedKeys(resps) {
		if !oaResponseCode.MatchString(code) {
			l.t.Errorf("%s.responses: %q is not a status code, nXX or default", where, code)
		}
		l.response(where+".responses."+code, code, resps[code])
	}
}

// parameter checks a parameter (or a reference to one) and returns it
// resolved.
func (l *oaLint) parameter(where string, v any) map[string]any {
	p := l.resolve(l.members(where, v, oaParameterKeys, "name", "in"))
	if p == nil {
		return nil
	}
	switch p["in"] {
	case "query", "header", "cookie":
	case "path":
		if p["required"] != true {
			l.t.Errorf("%s: a path parameter needs \"required\": true", where)
		}
	default:
		l.t.Errorf("%s: \"in\" must be query, header, path or cookie", where)
	}
	_, hasSchema := p["schema"]
	_, hasContent := p["content"]
	if hasSchema == hasContent {
		l.t.Errorf("%s: give exactly one of schema and content", where)
	}
	return p
}

func (l *oaLint) response(where, code string, v any) {
	r := l.resolve(l.members(where, v, oaResponseKeys, "description"))
	if r == nil {
		return
	}
	if _, ok := r["description"]; !ok {
		l.t.Errorf("%s: description is required", where)
	}
	if c, ok := r["content"]; ok {
		l.content(where, map[string]any{"content": c}, false)
	}
	if code == "default" || code >= "4" {
		c, _ := r["content"].(map[string]any)
		if _, ok := c["application/problem+json"]; !ok || len(c) != 1 {
			l.t.Errorf("%s: errors are application/problem+json only: use {\"$ref\": \"#/components/responses/BadRequest\"} or another response of components/responses", where)
		}
	}
}

func (l *oaLint) content(where string, holder map[string]any, required bool) {
	c, ok := holder["content"].(map[string]any)
	if !ok || (required && len(c) == 0) {
		l.t.Errorf("%s: content needs at least one media type", where)
		return
	}
	for _, mt := range sortedKeys(c) {
		if !strings.Contains(mt, "/") {
			l.t.Errorf("%s.content: %q is not a media type", where, mt)
		}
		l.members(fmt.Sprintf("%s.content[%q]", where, mt), c[mt], oaMediaTypeKeys)
	}
}

func (l *oaLint) security(where string, v any) {
	if v == nil {
		return
	}
	reqs, ok := v.([]any)
	if !ok {
		l.t.Errorf("%s: security must be an array", where)
		return
	}
	schemes := asMap(asMap(l.doc["components"])["securitySchemes"])
	for _, r := range reqs {
		for name := range asMap(r) {
			if _, ok := schemes[name]; !ok {
				l.t.Errorf("%s: security names %q, which components.securitySchemes lacks", where, name)
			}
		}
	}
}

// resolve follows a local $ref; nil when it does not resolve.
func (l *oaLint) resolve(m map[string]any) map[string]any {
	ref, ok := m["$ref"].(string)
	if !ok {
		return m
	}
	target, err := l.pointer(ref)
	if err != nil {
		return nil // reported by refs
	}
	return asMap(target)
}

func (l *oaLint) pointer(ref string) (any, error) {
	if !strings.HasPrefix(ref, "#/") {
		return nil, errors.New("only local references (#/...) are used in this document")
	}
	var cur any = l.doc
	for _, tok := range strings.Split(ref[2:], "/") {
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, errors.New("does not resolve")
		}
		if cur, ok = m[tok]; !ok {
			return nil, errors.New("does not resolve")
		}
	}
	return cur, nil
}

// refs checks that every $ref of the document resolves.
func (l *oaLint) refs(where string, v any) {
	switch x := v.(type) {
	case map[string]any:
		if ref, ok := x["$ref"].(string); ok {
			if _, err := l.pointer(ref); err != nil {
				l.t.Errorf("%s: $ref %q: %v", where, ref, err)
			}
		}
		for _, k := range sortedKeys(x) {
			l.refs(where+"/"+k, x[k])
		}
	case []any:
		for i, e := range x {
			l.refs(fmt.Sprintf("%s/%d", where, i), e)
		}
	}
}

// schemas compiles every schema of components/schemas, and every inline
// schema of a parameter or media type, as JSON Schema 2020-12.
func (l *oaLint) schemas() {
	c, err := openAPICompiler()
	if err != nil {
		l.t.Fatal(err)
	}
	var ptrs []string
	for _, name := range sortedKeys(asMap(asMap(l.doc["components"])["schemas"])) {
		ptrs = append(ptrs, "/components/schemas/"+name)
	}
	var walk func(ptr string, v any)
	walk = func(ptr string, v any) {
		switch x := v.(type) {
		case map[string]any:
			for _, k := range sortedKeys(x) {
				p := ptr + "/" + strings.ReplaceAll(strings.ReplaceAll(k, "~", "~0"), "/", "~1")
				if k == "schema" {
					ptrs = append(ptrs, p)
					continue
				}
				walk(p, x[k])
			}
		case []any:
			for i, e := range x {
				walk(fmt.Sprintf("%s/%d", ptr, i), e)
			}
		}
	}
	walk("/paths", l.doc["paths"])
	walk("/components/parameters", asMap(l.doc["components"])["parameters"])
	walk("/components/responses", asMap(l.doc["components"])["responses"])
	// One broken schema breaks every schema that refers to it: the first
	// error names it, the rest would only repeat it.
	for _, p := range ptrs {
		if _, err := c.Compile(openAPIURL + "#" + p); err != nil {
			l.t.Errorf("openapi.json#%s is not a valid JSON Schema 2020-12 (later schemas not checked): %v", p, err)
			return
		}
	}
}

// openAPICompiler is a JSON Schema compiler that holds openapi.json.
func openAPICompiler() (*jsonschema.Compiler, error) {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(openAPIDocument))
	if err != nil {
		return nil, fmt.Errorf("openapi.json: %w", err)
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	if err := c.AddResource(openAPIURL, doc); err != nil {
		return nil, fmt.Errorf("openapi.json: %w", err)
	}
	return c, nil
}

// checkNoDuplicateKeys reports the first object member name that occurs
// twice in one object (encoding/json would silently keep the last).
func checkNoDuplicateKeys(data []byte) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	type frame struct {
		obj    bool
		keys   map[string]bool
		expect bool // the next string token is a key
		path   string
		last   string
	}
	var stack []*frame
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		var top *frame
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		if top != nil && top.obj && top.expect {
			if d, ok := tok.(json.Delim); ok && d == '}' {
				stack = stack[:len(stack)-1]
				if len(stack) > 0 && stack[len(stack)-1].obj {
					stack[len(stack)-1].expect = true
				}
				continue
			}
			k := tok.(string)
			if top.keys[k] {
				return fmt.Errorf("%s: the member %q occurs twice; merge the two", top.path, k)
			}
			top.keys[k], top.expect, top.last = true, false, k
			continue
		}
		childPath := ""
		if top != nil {
			childPath = top.path + "/" + top.last
		}
		switch tok {
		case json.Delim('{'):
			stack = append(stack, &frame{obj: true, keys: map[string]bool{}, expect: true, path: childPath})
			continue
		case json.Delim('['):
			stack = append(stack, &frame{path: childPath})
			continue
		case json.Delim(']'):
			stack = stack[:len(stack)-1]
		}
		if len(stack) > 0 && stack[len(stack)-1].obj {
			stack[len(stack)-1].expect = true
		}
	}
}

func asMap(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// oasSchemaFile is the official OpenAPI 3.1 schema (testdata/openapi/SOURCE.md).
const oasSchemaFile = "testdata/openapi/oas-3.1-schema-2022-10-07.json"

// TestOpenAPIOfficialSchema validates openapi.json against the official
// OpenAPI 3.1 schema, kept offline in testdata.
func TestOpenAPIOfficialSchema(t *testing.T) {
	f, err := os.Open(oasSchemaFile)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	schemaDoc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatalf("%s: %v", oasSchemaFile, err)
	}
	const id = "https://spec.openapis.org/oas/3.1/schema/2022-10-07"
	c := jsonschema.NewCompiler()
	if err := c.AddResource(id, schemaDoc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile(id)
	if err != nil {
		t.Fatalf("%s: %v", oasSchemaFile, err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(openAPIDocument))
	if err != nil {
		t.Fatalf("openapi.json: %v", err)
	}
	if err := sch.Validate(doc); err != nil {
		t.Errorf("openapi.json is not a valid OpenAPI 3.1 document: %v", err)
	}
}

package csaf

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

//go:embed schema/*.json
var schemaFiles embed.FS

// Schema URLs as the CSAF schema $refs them, mapped to the embedded copies.
const (
	csafSchemaURL   = "https://docs.oasis-open.org/csaf/csaf/v2.0/csaf_json_schema.json"
	cvss20SchemaURL = "https://www.first.org/cvss/cvss-v2.0.json"
	cvss30SchemaURL = "https://www.first.org/cvss/cvss-v3.0.json"
	cvss31SchemaURL = "https://www.first.org/cvss/cvss-v3.1.json"
)

var schemaResources = map[string]string{
	csafSchemaURL:   "csaf_json_schema.json",
	cvss20SchemaURL: "cvss-v2.0.json",
	cvss30SchemaURL: "cvss-v3.0.json",
	cvss31SchemaURL: "cvss-v3.1.json",
}

// validationSchemas are compiled once per process, on first use; the
// compiled schemas are read-only and safe for concurrent use.
type validationSchemas struct {
	csaf, cvss20, cvss30, cvss31 *jsonschema.Schema
}

var compiledSchemas = sync.OnceValues(compileSchemas)

// offlineLoader refuses every URL the embedded schemas do not cover.
type offlineLoader struct{}

func (offlineLoader) Load(url string) (any, error) {
	return nil, fmt.Errorf("schema %s is not embedded and craft does not fetch schemas", url)
}

func compileSchemas() (*validationSchemas, error) {
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	c.UseLoader(offlineLoader{})
	for url, file := range schemaResources {
		data, err := schemaFiles.ReadFile("schema/" + file)
		if err != nil {
			return nil, fmt.Errorf("embedded schema %s: %w", file, err)
		}
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
		if err != nil {
			return nil, fmt.Errorf("embedded schema %s: %w", file, err)
		}
		if err := c.AddResource(url, doc); err != nil {
			return nil, fmt.Errorf("embedded schema %s: %w", file, err)
		}
	}
	var s validationSchemas
	for url, dst := range map[string]**jsonschema.Schema{
		csafSchemaURL: &s.csaf, cvss20SchemaURL: &s.cvss20, cvss30SchemaURL: &s.cvss30, cvss31SchemaURL: &s.cvss31,
	} {
		compiled, err := c.Compile(url)
		if err != nil {
			return nil, fmt.Errorf("compile embedded schema %s: %w", schemaResources[url], err)
		}
		*dst = compiled
	}
	return &s, nil
}

// schema validates the document against the CSAF 2.0 JSON schema.
// Violations inside a CVSS object are left to test 6.1.8, which reports
// them against the one CVSS schema that applies, instead of the schema's
// oneOf over all versions.
func (c *checker) schema() {
	s, err := compiledSchemas()
	if err != nil {
		// The embedded schemas are part of the binary; this is a build bug.
		c.fail(FailureSchema, root, "cannot load the embedded CSAF schema: %v", err)
		return
	}
	for _, v := range schemaViolations(s.csaf, c.doc, root) {
		if isInsideCVSS(v.Path) {
			continue
		}
		c.failures = append(c.failures, Failure{Test: FailureSchema, Path: v.Path, Message: v.Message})
	}
}

// isInsideCVSS reports whether path is within /vulnerabilities[]/scores[]/cvss_v2 or cvss_v3.
func isInsideCVSS(path string) bool {
	for _, k := range []string{".cvss_v2", ".cvss_v3"} {
		i := strings.Index(path, k)
		if i < 0 {
			continue
		}
		rest := path[i+len(k):]
		if (rest == "" || rest[0] == '.' || rest[0] == '[') && strings.HasPrefix(path, "$.vulnerabilities[") && strings.Contains(path[:i], "].scores[") {
			return true
		}
	}
	return false
}

type violation struct{ Path, Message string }

// schemaViolations validates inst and returns the leaf errors, each with
// the JSON path of the instance below base.
func schemaViolations(s *jsonschema.Schema, inst any, base jsonPath) []violation {
	err := s.Validate(inst)
	if err == nil {
		return nil
	}
	var verr *jsonschema.ValidationError
	if !errors.As(err, &verr) {
		return []violation{{Path: string(base), Message: err.Error()}}
	}
	printer := message.NewPrinter(language.English)
	var out []violation
	var walk func(e *jsonschema.ValidationError)
	walk = func(e *jsonschema.ValidationError) {
		if len(e.Causes) == 0 {
			p, cur := base, inst
			for _, tok := range e.InstanceLocation {
				// The instance tells whether a token is an index or a key.
				if a, ok := cur.([]any); ok {
					if n, ok := arrayIndex(tok); ok && n < len(a) {
						p, cur = p.index(n), a[n]
						continue
					}
				}
				p, cur = p.key(tok), get(cur, tok)
			}
			out = append(out, violation{Path: string(p), Message: e.ErrorKind.LocalizedString(printer)})
			return
		}
		for _, cause := range e.Causes {
			walk(cause)
		}
	}
	walk(verr)
	return out
}

// arrayIndex reads a JSON pointer token that is an array index.
func arrayIndex(tok string) (int, bool) {
	if tok == "" || len(tok) > 9 {
		return 0, false
	}
	n := 0
	for _, r := range tok {
		if r < '0' || r > '9' {
			return 0, false
		}
		n = n*10 + int(r-'0')
	}
	if len(tok) > 1 && tok[0] == '0' {
		return 0, false
	}
	return n, true
}

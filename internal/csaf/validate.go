package csaf

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
)

// MaxValidateSize is the largest document Validate accepts. The largest
// real advisories seen (Red Hat kernel RHSAs) are under 2 MB; 32 MiB leaves
// ample room while keeping memory for a hostile input bounded.
const MaxValidateSize = 32 << 20

// maxNesting bounds how deep the JSON of a document may nest. A real CSAF
// document nests about 20 levels (branches inside branches); the limit
// keeps the generic walks and the schema validation from spending time on
// hostile, arbitrarily deep input.
const maxNesting = 200

// Failure.Test values that are not section 6.1 test IDs.
const (
	FailureJSON   = "json"   // the input is not one well-formed JSON value
	FailureInput  = "input"  // the input is over a limit craft sets
	FailureSchema = "schema" // the CSAF 2.0 JSON schema
)

// Failure is one thing wrong with a document.
type Failure struct {
	// Test is "json", "input", "schema" or the section 6.1 test ID
	// ("6.1.8", "6.1.27.4").
	Test string `json:"test"`
	// Path is the JSON path of the offending value, like
	// $.vulnerabilities[0].scores[1].cvss_v3; "$" is the whole document.
	// For a JSON syntax error it is "line L, column C".
	Path string `json:"path"`
	// Message says what is wrong, for a person.
	Message string `json:"message"`
}

func (f Failure) String() string { return f.Test + ": " + f.Path + ": " + f.Message }

// Result is the outcome of validating one document.
type Result struct {
	// Category is /document/category when the document has one.
	Category string `json:"category,omitempty"`
	// Failures are sorted by path, then test, then message.
	Failures []Failure `json:"failures"`
}

// Valid reports whether the document passed every check.
func (r Result) Valid() bool { return len(r.Failures) == 0 }

// Validate checks data as a CSAF 2.0 document: JSON syntax, the CSAF 2.0
// JSON schema and the offline mandatory tests of section 6.1 (see
// docs/advisories.md for the list). It never returns an error: whatever is
// wrong with data, including it not being JSON at all, is a Failure.
func Validate(data []byte) Result {
	if len(data) > MaxValidateSize {
		return Result{Failures: []Failure{{Test: FailureInput, Path: "$",
			Message: fmt.Sprintf("%d bytes, larger than the %d bytes craft validates", len(data), MaxValidateSize)}}}
	}
	doc, f := decodeJSON(data)
	if f != nil {
		return Result{Failures: []Failure{*f}}
	}
	if nestingDepth(doc, 0) > maxNesting {
		return Result{Failures: []Failure{{Test: FailureInput, Path: "$",
			Message: fmt.Sprintf("JSON nested deeper than %d levels; no CSAF document does that, so craft does not validate it further", maxNesting)}}}
	}
	var c checker
	c.doc = doc
	c.schema()
	c.run()
	r := Result{Category: str(get(doc, "document", "category")), Failures: c.failures}
	slices.SortStableFunc(r.Failures, func(a, b Failure) int {
		if c := comparePaths(a.Path, b.Path); c != 0 {
			return c
		}
		if c := compareTestIDs(a.Test, b.Test); c != 0 {
			return c
		}
		return strings.Compare(a.Message, b.Message)
	})
	r.Failures = slices.Compact(r.Failures)
	if r.Failures == nil {
		r.Failures = []Failure{}
	}
	return r
}

// decodeJSON decodes exactly one JSON value with numbers kept as
// json.Number (the schema validator needs them exact). A syntax error is
// reported with its line and column.
func decodeJSON(data []byte) (any, *Failure) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil {
		return nil, jsonFailure(data, err)
	}
	end := dec.InputOffset()
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		rest := data[end:]
		next := end + int64(len(rest)-len(bytes.TrimLeft(rest, " \t\r\n")))
		line, col := lineColumn(data, next)
		return nil, &Failure{Test: FailureJSON, Path: fmt.Sprintf("line %d, column %d", line, col),
			Message: "more data after the JSON document"}
	}
	return doc, nil
}

func jsonFailure(data []byte, err error) *Failure {
	var syn *json.SyntaxError
	switch {
	case errors.As(err, &syn):
		line, col := lineColumn(data, max(syn.Offset-1, 0)) // Offset counts the bad byte
		return &Failure{Test: FailureJSON, Path: fmt.Sprintf("line %d, column %d", line, col), Message: "invalid JSON: " + syn.Error()}
	case errors.Is(err, io.EOF):
		return &Failure{Test: FailureJSON, Path: "line 1, column 1", Message: "empty input: no JSON document"}
	case errors.Is(err, io.ErrUnexpectedEOF):
		line, col := lineColumn(data, int64(len(data)))
		return &Failure{Test: FailureJSON, Path: fmt.Sprintf("line %d, column %d", line, col), Message: "invalid JSON: the document ends early (truncated?)"}
	default:
		return &Failure{Test: FailureJSON, Path: "$", Message: "invalid JSON: " + err.Error()}
	}
}

// lineColumn turns the 0-based offset of a byte into its 1-based line and
// column (counted in bytes); the offset len(data) is the end of input.
func lineColumn(data []byte, off int64) (line, col int) {
	off = min(max(off, 0), int64(len(data)))
	before := data[:off]
	line = bytes.Count(before, []byte("\n")) + 1
	col = int(off) - (bytes.LastIndexByte(before, '\n') + 1) + 1
	return line, col
}

// nestingDepth returns the depth of v, stopping once it passes maxNesting.
func nestingDepth(v any, depth int) int {
	if depth > maxNesting {
		return depth
	}
	deepest := depth
	switch t := v.(type) {
	case map[string]any:
		for _, e := range t {
			deepest = max(deepest, nestingDepth(e, depth+1))
			if deepest > maxNesting {
				return deepest
			}
		}
	case []any:
		for _, e := range t {
			deepest = max(deepest, nestingDepth(e, depth+1))
			if deepest > maxNesting {
				return deepest
			}
		}
	}
	return deepest
}

// checker collects the failures of one document.
type checker struct {
	doc      any
	failures []Failure
}

func (c *checker) fail(test string, path jsonPath, format string, args ...any) {
	c.failures = append(c.failures, Failure{Test: test, Path: string(path), Message: fmt.Sprintf(format, args...)})
}

// run runs the section 6.1 tests in their order.
func (c *checker) run() {
	p := collectProducts(c.doc)
	c.testProductIDs(p)        // 6.1.1, 6.1.2, 6.1.3
	c.testGroupIDs(p)          // 6.1.4, 6.1.5
	c.testProductStatus()      // 6.1.6
	c.testScores()             // 6.1.7, 6.1.8, 6.1.9, 6.1.10
	c.testCWEs()               // 6.1.11
	c.testLanguages()          // 6.1.12, 6.1.15, 6.1.28
	c.testPURLs(p)             // 6.1.13
	c.testRevisionHistory()    // 6.1.14, 6.1.16-6.1.22, 6.1.30
	c.testVulnerabilityIDs()   // 6.1.23, 6.1.24
	c.testHashes(p)            // 6.1.25
	c.testCategory()           // 6.1.26
	c.testProfiles(p)          // 6.1.27.x
	c.testProductReferences(p) // 6.1.29, 6.1.32, 6.1.33
	c.testVersionRanges(p)     // 6.1.31
}

// jsonPath is a JSONPath in the normalised form $.a.b[0]['odd key'].
type jsonPath string

const root jsonPath = "$"

// isPlainKey reports whether k can follow a dot: [A-Za-z_][A-Za-z0-9_]*.
// (A loop, not a regexp: it runs for every path segment.)
func isPlainKey(k string) bool {
	for i, r := range k {
		switch {
		case r == '_', r >= 'A' && r <= 'Z', r >= 'a' && r <= 'z':
		case i > 0 && r >= '0' && r <= '9':
		default:
			return false
		}
	}
	return k != ""
}

func (p jsonPath) key(k string) jsonPath {
	if isPlainKey(k) {
		return p + "." + jsonPath(k)
	}
	return p + "['" + jsonPath(strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(k)) + "']"
}

func (p jsonPath) index(i int) jsonPath { return p + "[" + jsonPath(strconv.Itoa(i)) + "]" }

// comparePaths orders paths so that [10] sorts after [9].
func comparePaths(a, b string) int {
	for a != "" && b != "" {
		ia, ib := strings.IndexByte(a, '['), strings.IndexByte(b, '[')
		if ia < 0 || ib < 0 || a[:ia] != b[:ib] {
			return strings.Compare(a, b)
		}
		a, b = a[ia+1:], b[ib+1:]
		ja, jb := strings.IndexByte(a, ']'), strings.IndexByte(b, ']')
		if ja < 0 || jb < 0 {
			return strings.Compare(a, b)
		}
		na, ea := strconv.Atoi(a[:ja])
		nb, eb := strconv.Atoi(b[:jb])
		if ea != nil || eb != nil {
			if c := strings.Compare(a[:ja], b[:jb]); c != 0 {
				return c
			}
		} else if na != nb {
			return na - nb
		}
		a, b = a[ja+1:], b[jb+1:]
	}
	return strings.Compare(a, b)
}

// compareTestIDs orders "schema" first, then 6.1.2 before 6.1.10.
func compareTestIDs(a, b string) int {
	pa, pb := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < len(pa) && i < len(pb); i++ {
		na, ea := strconv.Atoi(pa[i])
		nb, eb := strconv.Atoi(pb[i])
		switch {
		case ea == nil && eb == nil:
			if na != nb {
				return na - nb
			}
		case ea != nil && eb != nil:
			if c := strings.Compare(pa[i], pb[i]); c != 0 {
				return c
			}
		case ea != nil:
			return -1
		default:
			return 1
		}
	}
	return len(pa) - len(pb)
}

// Generic access to decoded JSON: every helper tolerates a missing or
// wrongly typed value and returns the zero value, because the schema
// failures already report the wrong types.

func get(v any, keys ...string) any {
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

func arr(v any) []any {
	a, _ := v.([]any)
	return a
}

func obj(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

func number(v any) (float64, bool) {
	n, ok := v.(json.Number)
	if !ok {
		return 0, false
	}
	f, err := n.Float64()
	return f, err == nil
}

func has(v any, key string) bool {
	m, ok := v.(map[string]any)
	if !ok {
		return false
	}
	_, ok = m[key]
	return ok
}

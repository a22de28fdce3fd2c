package vex

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"strings"
)

// openVEXContext is the prefix of every OpenVEX JSON-LD context.
const openVEXContext = "https://openvex.dev/ns"

// ReadFile opens path and reads its VEX statements with Read.
func ReadFile(path string) ([]Statement, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("reading VEX: %w", err)
	}
	defer f.Close()
	return Read(path, f)
}

// ReadFiles reads the statements of several VEX files, in the order given,
// so that Decide lets a later file win a tie in timestamps.
func ReadFiles(paths ...string) ([]Statement, error) {
	var all []Statement
	for _, p := range paths {
		sts, err := ReadFile(p)
		if err != nil {
			return nil, err
		}
		all = append(all, sts...)
	}
	return all, nil
}

// Read reads one VEX document from r and returns its statements. name names
// the input in errors and in each statement's Source. The format is
// detected: OpenVEX JSON (contexts https://openvex.dev/ns, …/v0.0.1 and
// …/v0.2.0, bare or as the predicate of an in-toto statement) or CycloneDX
// JSON with vulnerabilities[].analysis. Input over MaxInputSize, malformed
// JSON, other formats and invalid statements (such as not_affected without
// a justification or impact statement) are errors naming the file and the
// statement.
func Read(name string, r io.Reader) ([]Statement, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxInputSize+1))
	if err != nil {
		return nil, fmt.Errorf("vex: reading %s: %w", name, err)
	}
	if len(data) > MaxInputSize {
		return nil, fmt.Errorf("vex: %s: larger than the %d MiB limit for a VEX document", name, MaxInputSize>>20)
	}
	return parse(name, data)
}

// probe holds the fields that tell the formats apart.
type probe struct {
	Context       json.RawMessage `json:"@context"`
	BOMFormat     string          `json:"bomFormat"`
	Type          string          `json:"_type"`
	PredicateType string          `json:"predicateType"`
	Predicate     json.RawMessage `json:"predicate"`
	Document      *struct {
		CSAFVersion string `json:"csaf_version"`
	} `json:"document"`
	PayloadType string `json:"payloadType"`
}

func parse(name string, data []byte) ([]Statement, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")) // UTF-8 byte order mark
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 {
		return nil, fmt.Errorf("vex: %s: empty file", name)
	}
	switch trimmed[0] {
	case '{':
	case '<':
		return nil, fmt.Errorf("vex: %s: looks like XML; craft reads VEX as JSON (OpenVEX, or CycloneDX JSON)", name)
	default:
		if bytes.Contains(trimmed, []byte("statements:")) {
			return nil, fmt.Errorf("vex: %s: looks like YAML; craft reads OpenVEX as JSON only", name)
		}
		return nil, fmt.Errorf("vex: %s: not a JSON object", name)
	}
	var p probe
	if err := json.Unmarshal(data, &p); err != nil {
		return nil, fmt.Errorf("vex: %s: malformed JSON: %s", name, jsonErr(data, err))
	}

	// An in-toto statement carrying OpenVEX as its predicate.
	if strings.HasPrefix(p.Type, "https://in-toto.io/Statement") {
		if !strings.HasPrefix(p.PredicateType, openVEXContext) {
			return nil, fmt.Errorf("vex: %s: in-toto statement with predicate type %q, not OpenVEX", name, p.PredicateType)
		}
		if len(p.Predicate) == 0 || bytes.Equal(p.Predicate, []byte("null")) {
			return nil, fmt.Errorf("vex: %s: in-toto statement without a predicate", name)
		}
		var inner probe
		if err := json.Unmarshal(p.Predicate, &inner); err != nil {
			return nil, fmt.Errorf("vex: %s: in-toto predicate: %w", name, err)
		}
		ctx, _ := contextString(inner.Context)
		if ctx == "" {
			ctx = p.PredicateType
		}
		return readOpenVEX(name, ctx, p.Predicate)
	}

	if len(p.Context) > 0 {
		ctx, ok := contextString(p.Context)
		if !ok {
			return nil, fmt.Errorf("vex: %s: @context is not a string", name)
		}
		if strings.HasPrefix(ctx, openVEXContext) {
			return readOpenVEX(name, ctx, data)
		}
		return nil, fmt.Errorf("vex: %s: unknown @context %q (OpenVEX uses %s/v0.2.0)", name, ctx, openVEXContext)
	}
	if p.BOMFormat != "" {
		if p.BOMFormat != "CycloneDX" {
			return nil, fmt.Errorf("vex: %s: bomFormat %q is not CycloneDX", name, p.BOMFormat)
		}
		return readCycloneDX(name, data)
	}
	if p.Document != nil && p.Document.CSAFVersion != "" {
		return nil, fmt.Errorf("vex: %s: CSAF documents are not read as VEX; use OpenVEX or CycloneDX VEX", name)
	}
	if p.PayloadType != "" {
		return nil, fmt.Errorf("vex: %s: signed DSSE envelope; verify it and pass the OpenVEX payload", name)
	}
	return nil, fmt.Errorf("vex: %s: unknown format: neither OpenVEX (no @context %s…) nor CycloneDX (no bomFormat)", name, openVEXContext)
}

// contextString returns @context when it is a JSON string.
func contextString(raw json.RawMessage) (string, bool) {
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", false
	}
	return s, true
}

// jsonErr turns a JSON decoding error into a message with a line and column
// where the decoder gives an offset.
func jsonErr(data []byte, err error) string {
	var off int64 = -1
	msg := strings.TrimPrefix(err.Error(), "error: ") // go-vex's wrapping
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		off, msg = syn.Offset, syn.Error()
	case errors.As(err, &typ):
		off = typ.Offset
		msg = fmt.Sprintf("%s is a JSON %s, want %s", fieldName(typ.Field), typ.Value, jsonKind(typ.Type))
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "truncated: unexpected end of input"
	}
	if off < 0 || off > int64(len(data)) {
		return msg
	}
	line := 1 + bytes.Count(data[:off], []byte("\n"))
	col := int(off) - bytes.LastIndexByte(data[:off], '\n')
	return fmt.Sprintf("line %d, column %d: %s", line, col, msg)
}

// fieldName turns encoding/json's field path ("Statement.statements.products"
// or "statements.products") into the JSON path.
func fieldName(f string) string {
	if f == "" {
		return "value"
	}
	parts := strings.Split(f, ".")
	if len(parts) > 1 && parts[0] != "" && parts[0][0] >= 'A' && parts[0][0] <= 'Z' {
		parts = parts[1:] // a Go type name
	}
	return strings.Join(parts, ".")
}

// jsonKind names the JSON kind a Go type is decoded from.
func jsonKind(t reflect.Type) string {
	if t == nil {
		return "another type"
	}
	switch t.Kind() {
	case reflect.Struct, reflect.Map:
		return "an object"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "a boolean"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64,
		reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Pointer:
		return jsonKind(t.Elem())
	}
	return t.String()
}

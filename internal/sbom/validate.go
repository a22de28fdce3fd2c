package sbom

import (
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

//go:embed schemas/*.json
var schemaFS embed.FS

// Problem is one way a document breaks its schema.
type Problem struct {
	// Pointer is the JSON pointer (RFC 6901) of the offending value, "" for
	// the document itself.
	Pointer string `json:"pointer"`
	Message string `json:"message"`
}

func (p Problem) String() string {
	ptr := p.Pointer
	if ptr == "" {
		ptr = "(document)"
	}
	return ptr + ": " + p.Message
}

// schemaFile maps the schema a document declares to the embedded file.
func schemaFile(kind, version string) (string, bool) {
	switch kind + " " + version {
	case "cyclonedx 1.4", "cyclonedx 1.5", "cyclonedx 1.6":
		return "bom-" + version + ".schema.json", true
	case "spdx SPDX-2.3":
		return "spdx-2.3.schema.json", true
	case "spdx SPDX-2.2":
		return "spdx-2.2.schema.json", true
	}
	return "", false
}

// compiledSchemas holds each compiled schema, compiled once on first use and
// read only afterwards.
var compiledSchemas = map[string]func() (*jsonschema.Schema, error){
	"bom-1.4.schema.json":  sync.OnceValues(func() (*jsonschema.Schema, error) { return compileSchema("bom-1.4.schema.json") }),
	"bom-1.5.schema.json":  sync.OnceValues(func() (*jsonschema.Schema, error) { return compileSchema("bom-1.5.schema.json") }),
	"bom-1.6.schema.json":  sync.OnceValues(func() (*jsonschema.Schema, error) { return compileSchema("bom-1.6.schema.json") }),
	"spdx-2.3.schema.json": sync.OnceValues(func() (*jsonschema.Schema, error) { return compileSchema("spdx-2.3.schema.json") }),
	"spdx-2.2.schema.json": sync.OnceValues(func() (*jsonschema.Schema, error) { return compileSchema("spdx-2.2.schema.json") }),
}

// noNetwork refuses every URL the embedded schemas do not cover.
type noNetwork struct{}

func (noNetwork) Load(url string) (any, error) {
	return nil, fmt.Errorf("schema %s is not embedded and craft does not fetch schemas", url)
}

// compileSchema compiles one embedded schema with date-time and uri (and
// every other known) format asserted, as the CycloneDX spec's own tests
// require. The $id/$ref URLs are mapped to the embedded files.
func compileSchema(file string) (*jsonschema.Schema, error) {
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	c.UseLoader(noNetwork{})
	resources := map[string]string{
		"http://cyclonedx.org/schema/spdx.schema.json":     "spdx.schema.json",
		"http://cyclonedx.org/schema/jsf-0.82.schema.json": "jsf-0.82.schema.json",
	}
	url := "http://cyclonedx.org/schema/" + file
	if strings.HasPrefix(file, "spdx-") {
		url = "https://craft.invalid/schemas/" + file // the SPDX schemas' $id is not a fetchable URL
	}
	resources[url] = file
	for u, f := range resources {
		data, err := schemaFS.ReadFile("schemas/" + f)
		if err != nil {
			return nil, err
		}
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
		if err != nil {
			return nil, fmt.Errorf("schemas/%s: %w", f, err)
		}
		if err := c.AddResource(u, doc); err != nil {
			return nil, fmt.Errorf("schemas/%s: %w", f, err)
		}
	}
	s, err := c.Compile(url)
	if err != nil {
		return nil, fmt.Errorf("compile schemas/%s: %w", file, err)
	}
	return s, nil
}

// Validate checks a CycloneDX (1.4–1.6) or SPDX (2.2, 2.3) JSON document
// against the official JSON schema for the spec version it declares, with
// format assertions on. Gzip input is unpacked first.
//
// XML and SPDX tag-value have no JSON schema: a CycloneDX XML or SPDX
// tag-value document is checked structurally by decoding it, and any
// failure is returned as the error.
//
// The error is for input that cannot be checked at all: not JSON or XML,
// malformed, no known spec version, too large. Schema violations are
// Problems, sorted by pointer.
func Validate(name string, data []byte) ([]Problem, error) {
	data, err := unpack(name, bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if body := trimBOM(data); len(body) > 0 && body[0] == '{' && len(data) > MaxValidateSize {
		return nil, fmt.Errorf("%s: %d bytes, larger than the %d craft validates against a schema", name, len(data), MaxValidateSize)
	}
	s, err := sniff(name, data)
	if err != nil {
		return nil, err
	}
	var file string
	var ok bool
	switch s.kind {
	case kindXML, kindTagValue:
		// No JSON schema applies: decoding is the structural check.
		if _, err := parse(name, data); err != nil {
			return nil, err
		}
		return nil, nil
	case kindCycloneDXJSON:
		file, ok = schemaFile("cyclonedx", s.probe.specVersion)
		if !ok {
			return nil, fmt.Errorf("%s: CycloneDX spec version %q: craft validates 1.4, 1.5 and 1.6", name, s.probe.specVersion)
		}
	case kindSPDXJSON:
		file, ok = schemaFile("spdx", s.probe.spdxVersion)
		if !ok {
			return nil, fmt.Errorf("%s: SPDX version %q: craft validates SPDX-2.2 and SPDX-2.3 JSON", name, s.probe.spdxVersion)
		}
	}
	schema, err := compiledSchemas[file]()
	if err != nil {
		return nil, err
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		return nil, jsonError(name, data, err)
	}
	err = schema.Validate(inst)
	if err == nil {
		return nil, nil
	}
	var verr *jsonschema.ValidationError
	if !errors.As(err, &verr) {
		return nil, fmt.Errorf("validate %s: %w", name, err)
	}
	printer := message.NewPrinter(language.English)
	var problems []Problem
	var walk func(e *jsonschema.ValidationError)
	walk = func(e *jsonschema.ValidationError) {
		if len(e.Causes) == 0 {
			problems = append(problems, Problem{
				Pointer: jsonPointer(e.InstanceLocation),
				Message: e.ErrorKind.LocalizedString(printer),
			})
			return
		}
		for _, c := range e.Causes {
			walk(c)
		}
	}
	walk(verr)
	slices.SortFunc(problems, func(a, b Problem) int {
		if c := strings.Compare(a.Pointer, b.Pointer); c != 0 {
			return c
		}
		return strings.Compare(a.Message, b.Message)
	})
	return slices.Compact(problems), nil
}

func jsonPointer(tokens []string) string {
	var b strings.Builder
	for _, t := range tokens {
		b.WriteByte('/')
		b.WriteString(strings.NewReplacer("~", "~0", "/", "~1").Replace(t))
	}
	return b.String()
}

// probe is what craft reads first from a JSON document to tell the format.
type probe struct {
	bomFormat   string
	specVersion string
	spdxVersion string
	jsonLD      bool // SPDX 3 documents are JSON-LD
}

// probeJSON reads the top-level keys that tell the format, stopping as soon
// as it knows: producers write bomFormat/specVersion or spdxVersion first,
// so a large document is not scanned twice. Syntax errors met on the way are
// reported with line and column; the ones after that point surface when the
// document is decoded.
func probeJSON(name string, data []byte) (probe, error) {
	var p probe
	dec := json.NewDecoder(bytes.NewReader(data))
	fail := func(err error) (probe, error) {
		if errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
		return probe{}, jsonError(name, data, err)
	}
	tok, err := dec.Token()
	if err != nil {
		return fail(err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return probe{}, fmt.Errorf("%s: not a JSON object", name)
	}
	str := func(field string) (string, error) {
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return "", err
		}
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return "", fmt.Errorf("%s: /%s: want a string, got %s", name, field, truncate(string(raw), 40))
		}
		return s, nil
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return fail(err)
		}
		key, _ := tok.(string)
		switch key {
		case "bomFormat":
			p.bomFormat, err = str(key)
		case "specVersion":
			p.specVersion, err = str(key)
		case "spdxVersion":
			p.spdxVersion, err = str(key)
		case "@context":
			p.jsonLD = true
			err = dec.Decode(new(json.RawMessage))
		default:
			err = dec.Decode(new(json.RawMessage))
		}
		if err != nil {
			if strings.HasPrefix(err.Error(), name+":") {
				return probe{}, err
			}
			return fail(err)
		}
		if (p.bomFormat != "" && p.specVersion != "") || p.spdxVersion != "" {
			break
		}
	}
	if p.bomFormat != "" && p.bomFormat != "CycloneDX" {
		return p, fmt.Errorf("%s: /bomFormat: %q is not \"CycloneDX\"", name, p.bomFormat)
	}
	return p, nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

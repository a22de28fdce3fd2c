package csaf

import (
	"bytes"
	"embed"
	"fmt"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// The OASIS schemas and the FIRST CVSS schemas they reference, byte for
// byte (schema/SOURCE.md). The server checks every document against the
// CSAF schema before it publishes it, so the schemas ship in the binary.
//
//go:embed schema/csaf_json_schema.json schema/provider_json_schema.json schema/cvss-v2.0.json schema/cvss-v3.0.json schema/cvss-v3.1.json
var genSchemaFS embed.FS

// genSchemaURLs maps the schemas' $id URLs to the embedded files.
var genSchemaURLs = map[string]string{
	"https://docs.oasis-open.org/csaf/csaf/v2.0/csaf_json_schema.json":     "csaf_json_schema.json",
	"https://docs.oasis-open.org/csaf/csaf/v2.0/provider_json_schema.json": "provider_json_schema.json",
	"https://www.first.org/cvss/cvss-v2.0.json":                            "cvss-v2.0.json",
	"https://www.first.org/cvss/cvss-v3.0.json":                            "cvss-v3.0.json",
	"https://www.first.org/cvss/cvss-v3.1.json":                            "cvss-v3.1.json",
}

// genNoNetwork refuses every schema URL that is not embedded.
type genNoNetwork struct{}

func (genNoNetwork) Load(url string) (any, error) {
	return nil, fmt.Errorf("schema %s is not embedded and craft does not fetch schemas", url)
}

// genSchemas compiles both schemas once, with formats asserted.
var genSchemas = sync.OnceValues(func() (map[string]*jsonschema.Schema, error) {
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	c.UseLoader(genNoNetwork{})
	for url, file := range genSchemaURLs {
		data, err := genSchemaFS.ReadFile("schema/" + file)
		if err != nil {
			return nil, err
		}
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
		if err != nil {
			return nil, fmt.Errorf("schema/%s: %w", file, err)
		}
		if err := c.AddResource(url, doc); err != nil {
			return nil, fmt.Errorf("schema/%s: %w", file, err)
		}
	}
	out := map[string]*jsonschema.Schema{}
	for _, name := range []string{"csaf_json_schema.json", "provider_json_schema.json"} {
		s, err := c.Compile("https://docs.oasis-open.org/csaf/csaf/v2.0/" + name)
		if err != nil {
			return nil, fmt.Errorf("compile schema/%s: %w", name, err)
		}
		out[name] = s
	}
	return out, nil
})

// SchemaError is a document that breaks its JSON schema; Problems are the
// schema's messages, one per violated keyword.
type SchemaError struct {
	Schema   string
	Problems []string
}

func (e *SchemaError) Error() string {
	return fmt.Sprintf("csaf: not valid against %s: %s", e.Schema, strings.Join(e.Problems, "; "))
}

// CheckDocumentSchema checks a CSAF document (JSON) against the CSAF 2.0
// JSON schema. It is the schema half of conformance; csaf.Validate adds
// the mandatory tests of section 6.1.
func CheckDocumentSchema(data []byte) error {
	return genCheck("csaf_json_schema.json", data)
}

// CheckProviderMetadataSchema checks a provider-metadata.json against the
// CSAF 2.0 provider schema.
func CheckProviderMetadataSchema(data []byte) error {
	return genCheck("provider_json_schema.json", data)
}

func genCheck(name string, data []byte) error {
	schemas, err := genSchemas()
	if err != nil {
		return err
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		return fmt.Errorf("csaf: not JSON: %w", err)
	}
	err = schemas[name].Validate(inst)
	if err == nil {
		return nil
	}
	ve, ok := err.(*jsonschema.ValidationError)
	if !ok {
		return fmt.Errorf("csaf: %s: %w", name, err)
	}
	se := &SchemaError{Schema: name}
	genCollect(ve, &se.Problems)
	return se
}

func genCollect(ve *jsonschema.ValidationError, out *[]string) {
	if len(ve.Causes) == 0 {
		*out = append(*out, "/"+strings.Join(ve.InstanceLocation, "/")+": "+ve.Error())
		return
	}
	for _, c := range ve.Causes {
		genCollect(c, out)
	}
}

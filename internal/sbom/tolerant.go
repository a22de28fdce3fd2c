package sbom

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	cdx "github.com/CycloneDX/cyclonedx-go"
)

// maxDropped bounds the values decodeCycloneDXJSON leaves out of one
// document (each costs a decode of the whole document).
const maxDropped = 64

// decodeCycloneDXJSON decodes a CycloneDX JSON document into cyclonedx-go's
// model. cyclonedx-go's types do not always match the official schema (in
// v0.11.0 and v0.12.0, CycloneDX 1.6 declarations.evidence[].data[].
// classification is a string in the schema and a struct in the library), so
// a type error alone does not condemn a document: when the document is valid
// against the schema of its spec version, each value the library cannot
// represent is replaced by null (left out) and the document decoded again;
// the values left out are returned with their JSON pointers. A document that
// is not schema-valid, or whose version has no schema in craft, gets the
// type error.
func decodeCycloneDXJSON(name string, data []byte) (*cdx.BOM, []Problem, error) {
	var bom cdx.BOM
	err := json.Unmarshal(data, &bom)
	if err == nil {
		return &bom, nil, nil
	}
	var typ *json.UnmarshalTypeError
	if !errors.As(err, &typ) {
		return nil, nil, jsonError(name, data, err)
	}
	if problems, verr := Validate(name, data); verr != nil || len(problems) > 0 {
		return nil, nil, jsonError(name, data, err)
	}
	first, doc := err, data
	var dropped []Problem
	for len(dropped) < maxDropped {
		start, end, ptr, ok := locateValue(doc, typ.Field, typ.Offset)
		if !ok {
			break
		}
		dropped = append(dropped, Problem{
			Pointer: ptr,
			Message: fmt.Sprintf("left out: a %s value, valid against the schema, where cyclonedx-go has %s", typ.Value, typ.Type),
		})
		doc = slices.Concat(doc[:start], []byte("null"), doc[end:])
		bom = cdx.BOM{}
		err = json.Unmarshal(doc, &bom)
		if err == nil {
			return &bom, dropped, nil
		}
		if !errors.As(err, &typ) {
			break
		}
	}
	return nil, nil, jsonError(name, data, first)
}

// locateValue finds the value a json.UnmarshalTypeError points at: the one
// whose object-key path (array indices left out, as in the error's Field)
// is field and at whose position offset is (encoding/json reports the end
// of a scalar and the byte after the opening bracket of an array or
// object). It returns the value's byte range and its JSON pointer.
func locateValue(data []byte, field string, offset int64) (start, end int64, pointer string, ok bool) {
	if field == "" {
		return 0, 0, "", false
	}
	want := strings.Split(field, ".")
	dec := json.NewDecoder(bytes.NewReader(data))
	var keys, ptr []string
	var walk func() error
	walk = func() error {
		s := valueStart(data, dec.InputOffset())
		if len(keys) > len(want) || !slices.Equal(keys, want[:len(keys)]) || s > offset {
			// Off the path, or past the offset: skip the value whole.
			return dec.Decode(new(json.RawMessage))
		}
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		_, composite := tok.(json.Delim)
		switch tok {
		case json.Delim('{'):
			for dec.More() {
				k, err := dec.Token()
				if err != nil {
					return err
				}
				key, _ := k.(string)
				keys, ptr = append(keys, key), append(ptr, key)
				if err := walk(); err != nil {
					return err
				}
				keys, ptr = keys[:len(keys)-1], ptr[:len(ptr)-1]
			}
			if _, err := dec.Token(); err != nil {
				return err
			}
		case json.Delim('['):
			for i := 0; dec.More(); i++ {
				ptr = append(ptr, strconv.Itoa(i))
				if err := walk(); err != nil {
					return err
				}
				ptr = ptr[:len(ptr)-1]
			}
			if _, err := dec.Token(); err != nil {
				return err
			}
		}
		e := dec.InputOffset()
		at := e // a scalar: encoding/json reports its end
		if composite {
			at = s + 1 // an array or object: the byte after its bracket
		}
		if !ok && at == offset && slices.Equal(keys, want) {
			start, end, pointer, ok = s, e, jsonPointer(ptr), true
		}
		return nil
	}
	if err := walk(); err != nil {
		return 0, 0, "", false
	}
	return start, end, pointer, ok
}

// valueStart skips the white space and separators a json.Decoder's
// InputOffset leaves before the next value.
func valueStart(data []byte, off int64) int64 {
	for off < int64(len(data)) {
		switch data[off] {
		case ' ', '\t', '\r', '\n', ',', ':':
			off++
		default:
			return off
		}
	}
	return off
}

package sbom

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	cdx "github.com/CycloneDX/cyclonedx-go"
	spdxjson "github.com/spdx/tools-golang/json"
	spdx "github.com/spdx/tools-golang/spdx/v2/v2_3"
	"github.com/spdx/tools-golang/tagvalue"

	"github.com/craft-cra/craft/internal/inventory"
)

// MaxSize bounds an SBOM, after gunzip: larger input is refused before it
// is decoded, so a hostile file cannot exhaust memory. Decoding takes about
// eight times the document's size in memory.
const MaxSize = 256 << 20

// MaxValidateSize bounds the documents Validate checks against a schema:
// the schema validator holds the document as generic JSON values, about
// 22 times its size.
const MaxValidateSize = 128 << 20

// Document is a decoded SBOM in its own format's model. Exactly one of
// CycloneDX and SPDX is set.
type Document struct {
	// Name is the input as the user named it.
	Name string
	// Format is how the document was serialised.
	Format Format
	// SpecVersion is the version the document declares: "1.6" for
	// CycloneDX, "SPDX-2.3" for SPDX.
	SpecVersion string
	CycloneDX   *cdx.BOM
	// SPDX is an SPDX 2.x document, converted to the 2.3 model.
	SPDX *spdx.Document
	// Dropped lists the values of a schema-valid CycloneDX JSON document
	// that cyclonedx-go cannot represent (its type disagrees with the
	// official schema there): each was left out of CycloneDX, and is named
	// here by its JSON pointer with the reason.
	Dropped []Problem
}

// Decode reads an SBOM and maps it to an inventory; see [Parse] for the
// formats and [Document.Inventory] for the mapping.
func Decode(name string, r io.Reader) (*inventory.Inventory, error) {
	doc, err := Parse(name, r)
	if err != nil {
		return nil, err
	}
	return doc.Inventory()
}

// Parse reads CycloneDX (JSON or XML, any version cyclonedx-go reads; craft
// validates 1.4–1.6) or SPDX 2.x (JSON or tag-value), optionally gzipped.
// Errors name the input and, for malformed JSON, the line and column (and
// for a value of the wrong type, the field path). A CycloneDX JSON document
// that is valid against its schema decodes even where cyclonedx-go's types
// disagree with the schema: the values it cannot hold are left out and
// listed in [Document.Dropped].
func Parse(name string, r io.Reader) (*Document, error) {
	data, err := unpack(name, r)
	if err != nil {
		return nil, err
	}
	return parse(name, data)
}

func parse(name string, data []byte) (doc *Document, err error) {
	// The format libraries are not ours: a panic on hostile input becomes
	// an error naming the input instead of taking the process down.
	defer func() {
		if r := recover(); r != nil {
			doc, err = nil, fmt.Errorf("%s: decoder failed on this input: %v", name, r)
		}
	}()
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	s, err := sniff(name, data)
	if err != nil {
		return nil, err
	}
	switch s.kind {
	case kindXML:
		return parseXML(name, data)
	case kindTagValue:
		doc, err := tagvalue.Read(bytes.NewReader(s.body))
		if err != nil {
			return nil, fmt.Errorf("%s: SPDX tag-value: %w", name, err)
		}
		return &Document{Name: name, Format: SPDXTagValue, SpecVersion: doc.SPDXVersion, SPDX: doc}, nil
	}
	return parseJSON(name, data, s.probe)
}

// docKind is what sniff tells a document to be.
type docKind int

const (
	kindCycloneDXJSON docKind = iota + 1
	kindSPDXJSON
	kindXML
	kindTagValue
)

// sniffed is what craft learns about a document before decoding it.
type sniffed struct {
	kind  docKind
	body  []byte // without byte order mark and leading white space
	probe probe  // the format keys of a JSON document
}

// sniff tells what a document is from its first bytes (and, for JSON, its
// format keys), or says in the error what the input is instead and what
// craft expected. Parse and Validate both start here, so one input gets one
// description whichever command reads it. The spec version is not checked:
// the versions craft decodes and the ones it validates differ.
func sniff(name string, data []byte) (sniffed, error) {
	body := trimBOM(data)
	s := sniffed{body: body}
	switch {
	case len(body) == 0:
		return s, fmt.Errorf("%s: empty input", name)
	case body[0] == '<':
		s.kind = kindXML
		return s, nil
	case body[0] == '{':
		p, err := probeJSON(name, data)
		if err != nil {
			return s, err
		}
		s.probe = p
		switch {
		case p.bomFormat == "CycloneDX":
			s.kind = kindCycloneDXJSON
		case p.spdxVersion != "":
			s.kind = kindSPDXJSON
		case p.jsonLD:
			return s, fmt.Errorf("%s: a JSON-LD document (SPDX 3?); craft reads SPDX 2.x and CycloneDX only", name)
		default:
			return s, fmt.Errorf("%s: JSON but neither CycloneDX (no bomFormat) nor SPDX (no spdxVersion)", name)
		}
		return s, nil
	case looksLikeTagValue(body):
		s.kind = kindTagValue
		return s, nil
	}
	if what := jsonValueKind(body); what != "" {
		return s, fmt.Errorf("%s: %s at the top level, where a CycloneDX or SPDX JSON document is an object", name, what)
	}
	return s, fmt.Errorf("%s: neither JSON, XML nor SPDX tag-value: not a CycloneDX or SPDX document (craft reads CycloneDX JSON/XML and SPDX JSON/tag-value)", name)
}

// jsonValueKind names the JSON value body starts with ("a JSON array"), or
// returns "" when body does not start with one. Only the first token is
// read: a deeply nested or truncated array is still an array.
func jsonValueKind(body []byte) string {
	tok, err := json.NewDecoder(bytes.NewReader(body)).Token()
	if err != nil {
		return ""
	}
	switch tok.(type) {
	case json.Delim:
		return "a JSON array"
	case string:
		return "a JSON string"
	case float64:
		return "a JSON number"
	case bool:
		return "a JSON boolean"
	case nil:
		return "JSON null"
	}
	return ""
}

func parseJSON(name string, data []byte, p probe) (*Document, error) {
	switch {
	case p.bomFormat == "CycloneDX":
		if !knownCycloneDXVersion(p.specVersion) {
			return nil, fmt.Errorf("%s: /specVersion: %q is not a CycloneDX version craft reads (1.0 to 1.7)", name, p.specVersion)
		}
		bom, dropped, err := decodeCycloneDXJSON(name, data)
		if err != nil {
			return nil, err
		}
		return &Document{Name: name, Format: CycloneDXJSON, SpecVersion: bom.SpecVersion.String(), CycloneDX: bom, Dropped: dropped}, nil
	case p.spdxVersion == spdx.Version:
		// Straight into the 2.3 model: tools-golang's reader would decode
		// the whole document twice (once into map[string]any).
		var doc spdx.Document
		if err := json.Unmarshal(data, &doc); err != nil {
			return nil, jsonError(name, data, err)
		}
		return &Document{Name: name, Format: SPDXJSON, SpecVersion: doc.SPDXVersion, SPDX: &doc}, nil
	case p.spdxVersion == "SPDX-2.1" || p.spdxVersion == "SPDX-2.2":
		doc, err := spdxjson.Read(bytes.NewReader(data))
		if err != nil {
			return nil, jsonError(name, data, err)
		}
		return &Document{Name: name, Format: SPDXJSON, SpecVersion: p.spdxVersion, SPDX: doc}, nil
	}
	return nil, fmt.Errorf("%s: /spdxVersion: %q is not supported (craft reads SPDX-2.1 to SPDX-2.3)", name, p.spdxVersion)
}

func parseXML(name string, data []byte) (*Document, error) {
	dec := xml.NewDecoder(bytes.NewReader(data))
	var version string
	for {
		tok, err := dec.Token()
		if err != nil {
			return nil, xmlError(name, data, dec, err)
		}
		start, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		if start.Name.Local != "bom" || !strings.HasPrefix(start.Name.Space, "http://cyclonedx.org/schema/bom/") {
			return nil, fmt.Errorf("%s: XML root element {%s}%s is not a CycloneDX bom (craft does not read SPDX RDF/XML)", name, start.Name.Space, start.Name.Local)
		}
		version = strings.TrimPrefix(start.Name.Space, "http://cyclonedx.org/schema/bom/")
		break
	}
	if !knownCycloneDXVersion(version) {
		return nil, fmt.Errorf("%s: XML namespace version %q is not a CycloneDX version craft reads (1.0 to 1.7)", name, version)
	}
	var bom cdx.BOM
	dec = xml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&bom); err != nil {
		return nil, xmlError(name, data, dec, err)
	}
	// The namespace carries the version (cyclonedx-go's own decoder does
	// the same after decoding).
	if err := json.Unmarshal([]byte(strconv.Quote(version)), &bom.SpecVersion); err != nil {
		return nil, fmt.Errorf("%s: XML namespace version %q: %w", name, version, err)
	}
	return &Document{Name: name, Format: CycloneDXXML, SpecVersion: bom.SpecVersion.String(), CycloneDX: &bom}, nil
}

// unpack reads at most MaxSize bytes, gunzipping input that starts with
// the gzip magic bytes.
func unpack(name string, r io.Reader) ([]byte, error) {
	return unpackLimit(name, r, MaxSize)
}

func unpackLimit(name string, r io.Reader, limit int64) ([]byte, error) {
	br := bufio.NewReader(r)
	var src io.Reader = br
	what := "read"
	if magic, _ := br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("%s: gzip: %w", name, err)
		}
		defer zr.Close()
		src = zr
		what = "gunzip"
	}
	data, err := io.ReadAll(io.LimitReader(src, limit+1))
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", what, name, err)
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("%s: larger than %d bytes (after gunzip); craft refuses SBOMs that large", name, limit)
	}
	return data, nil
}

func trimBOM(data []byte) []byte {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	return bytes.TrimLeft(data, " \t\r\n")
}

func looksLikeTagValue(data []byte) bool {
	head := data[:min(len(data), 64<<10)]
	for line := range bytes.Lines(head) {
		line = bytes.TrimSpace(line)
		if bytes.HasPrefix(line, []byte("SPDXVersion:")) {
			return true
		}
	}
	return false
}

// jsonError turns a decoding error into one that names the input and says
// where: line:column for syntax and type errors, plus the field path for
// type errors.
func jsonError(name string, data []byte, err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		// Offset counts the bytes read, the offending one included.
		line, col := lineCol(data, syn.Offset-1)
		return fmt.Errorf("%s:%d:%d: malformed JSON: %w", name, line, col, err)
	case errors.As(err, &typ):
		line, col := lineCol(data, typ.Offset)
		field := typ.Field
		if field == "" {
			field = "(document)"
		}
		return fmt.Errorf("%s:%d:%d: field %s: %s value where %s belongs", name, line, col, field, typ.Value, typ.Type)
	}
	// Decoders that stream (the probe, the schema validator's) report a
	// truncated document as io.ErrUnexpectedEOF and some syntax errors
	// without a position. encoding/json checks the whole input before it
	// decodes: its verdict gives the same position Decode reports.
	if cerr := json.Unmarshal(data, new(struct{})); errors.As(cerr, &syn) {
		return jsonError(name, data, cerr)
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		line, col := lineCol(data, int64(len(data)))
		return fmt.Errorf("%s:%d:%d: malformed JSON: truncated: %w", name, line, col, err)
	}
	return fmt.Errorf("%s: %w", name, err)
}

func xmlError(name string, data []byte, dec *xml.Decoder, err error) error {
	var syn *xml.SyntaxError
	if errors.As(err, &syn) {
		return fmt.Errorf("%s:%d: malformed XML: %s", name, syn.Line, syn.Msg)
	}
	if errors.Is(err, io.EOF) {
		return fmt.Errorf("%s: XML without a root element", name)
	}
	line, col := lineCol(data, dec.InputOffset())
	return fmt.Errorf("%s:%d:%d: %w", name, line, col, err)
}

// lineCol converts a byte offset into a 1-based line and column (in bytes).
func lineCol(data []byte, offset int64) (line, col int) {
	if offset < 0 {
		offset = 0
	}
	if offset > int64(len(data)) {
		offset = int64(len(data))
	}
	before := data[:offset]
	line = bytes.Count(before, []byte("\n")) + 1
	col = int(offset) - (bytes.LastIndexByte(before, '\n') + 1) + 1
	return line, col
}

func knownCycloneDXVersion(v string) bool {
	switch v {
	case "1.0", "1.1", "1.2", "1.3", "1.4", "1.5", "1.6", "1.7":
		return true
	}
	return false
}

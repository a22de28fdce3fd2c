package advisory

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"path"
	"strings"

	"github.com/craft-cra/craft/internal/osv"
)

// docKind is what a parsed input document turned out to be.
type docKind int

const (
	kindIgnored docKind = iota // not advisory data (README, LICENSE, ...)
	kindOSV                    // one or more OSV records
	kindKEV                    // the CISA KEV catalog
	kindEOL                    // an endoflife.date product
)

// parsedDoc is the result of parsing one file or zip entry. OSV documents
// may hold several records (a JSON array or {"vulns": [...]}); each one is
// validated on its own.
type parsedDoc struct {
	kind    docKind
	records []parsedRecord
	kev     *kevCatalog
	eol     *EOLProduct
	err     error // the document as a whole is unusable
}

type parsedRecord struct {
	id  string // as far as known, for the rejection message
	rec *preparedRecord
	err error
}

// probe decodes an OSV record and, in the same pass, the keys that tell
// other document shapes apart.
type probe struct {
	osv.Vulnerability
	CatalogVersion  *json.RawMessage `json:"catalogVersion"`
	Vulnerabilities json.RawMessage  `json:"vulnerabilities"`
	Vulns           json.RawMessage  `json:"vulns"`
	Releases        json.RawMessage  `json:"releases"`
}

// fileFormat says how a name is parsed: "json", "yaml", "md" or "" (ignore).
func fileFormat(name string) string {
	switch strings.ToLower(path.Ext(name)) {
	case ".json":
		return "json"
	case ".yaml", ".yml":
		return "yaml"
	case ".md":
		return "md"
	}
	return ""
}

// parseDoc parses one document named name (a file or zip entry name).
func (s *Store) parseDoc(name string, data []byte) parsedDoc {
	switch fileFormat(name) {
	case "json":
		return s.parseJSONDoc(name, data, false)
	case "yaml":
		j, err := yamlToJSON(data)
		if err != nil {
			return parsedDoc{kind: kindOSV, err: err}
		}
		return s.parseJSONDoc(name, j, true)
	case "md":
		fm, ok := frontMatter(data)
		if !ok {
			return parsedDoc{kind: kindIgnored}
		}
		j, err := yamlToJSON(fm)
		if err != nil {
			return parsedDoc{kind: kindEOL, err: fmt.Errorf("front matter: %w", err)}
		}
		return s.parseJSONDoc(name, j, true)
	}
	return parsedDoc{kind: kindIgnored}
}

// frontMatter returns the YAML between the leading "---" lines of a
// Markdown page.
func frontMatter(data []byte) ([]byte, bool) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	rest, ok := bytes.CutPrefix(data, []byte("---\n"))
	if !ok {
		rest, ok = bytes.CutPrefix(data, []byte("---\r\n"))
		if !ok {
			return nil, false
		}
	}
	if bytes.HasPrefix(rest, []byte("---")) {
		return nil, true
	}
	i := bytes.Index(rest, []byte("\n---"))
	if i < 0 {
		return nil, false
	}
	return rest[:i+1], true
}

func (s *Store) parseJSONDoc(name string, data []byte, fromYAML bool) parsedDoc {
	data = bytes.TrimSpace(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")))
	if len(data) == 0 {
		return parsedDoc{kind: kindOSV, err: errors.New("empty file")}
	}
	if data[0] == '[' {
		var raws []json.RawMessage
		if err := json.Unmarshal(data, &raws); err != nil {
			return parsedDoc{kind: kindOSV, err: fmt.Errorf("invalid JSON: %w", err)}
		}
		return s.parseRecordList(raws)
	}
	var p probe
	if err := json.Unmarshal(data, &p); err != nil {
		// Tell a broken record from a broken document where we can.
		return parsedDoc{kind: kindOSV, records: []parsedRecord{{id: peekID(data), err: fmt.Errorf("invalid JSON: %w", err)}}}
	}
	switch {
	case p.CatalogVersion != nil || (p.ID == "" && len(p.Vulnerabilities) > 0):
		cat, err := parseKEV(data)
		return parsedDoc{kind: kindKEV, kev: cat, err: err}
	case p.ID == "" && len(p.Vulns) > 0:
		var raws []json.RawMessage
		if err := json.Unmarshal(p.Vulns, &raws); err != nil {
			return parsedDoc{kind: kindOSV, err: fmt.Errorf("vulns: %w", err)}
		}
		return s.parseRecordList(raws)
	case p.ID == "" && len(p.Releases) > 0:
		prod, err := parseEOL(productSlug(name), data)
		return parsedDoc{kind: kindEOL, eol: prod, err: err}
	case p.ID == "" && fromYAML && fileFormat(name) == "md":
		return parsedDoc{kind: kindIgnored}
	case p.ID == "":
		return parsedDoc{kind: kindOSV, err: errors.New(`not advisory data: neither an OSV record (no "id"), a KEV catalog nor an endoflife.date product`)}
	}
	rec := s.prepare(&p.Vulnerability, data)
	return parsedDoc{kind: kindOSV, records: []parsedRecord{rec}}
}

func (s *Store) parseRecordList(raws []json.RawMessage) parsedDoc {
	doc := parsedDoc{kind: kindOSV}
	for _, raw := range raws {
		var v osv.Vulnerability
		if err := json.Unmarshal(raw, &v); err != nil {
			doc.records = append(doc.records, parsedRecord{id: peekID(raw), err: fmt.Errorf("invalid record: %w", err)})
			continue
		}
		doc.records = append(doc.records, s.prepare(&v, raw))
	}
	return doc
}

// prepare validates v and compresses its compact JSON form (raw).
func (s *Store) prepare(v *osv.Vulnerability, raw []byte) parsedRecord {
	if err := validateRecord(v); err != nil {
		return parsedRecord{id: v.ID, err: err}
	}
	// Pretty-printed input (raw newlines can only be whitespace in JSON)
	// is compacted; compact input, like osv.dev's, is stored as it is.
	compact := raw
	if bytes.IndexByte(raw, '\n') >= 0 || bytes.IndexByte(raw, '\r') >= 0 {
		var buf bytes.Buffer
		buf.Grow(len(raw))
		if err := json.Compact(&buf, raw); err != nil {
			return parsedRecord{id: v.ID, err: fmt.Errorf("invalid JSON: %w", err)}
		}
		compact = buf.Bytes()
	}
	return parsedRecord{id: v.ID, rec: &preparedRecord{
		id:        v.ID,
		modified:  v.Modified,
		withdrawn: !v.Withdrawn.IsZero(),
		keys:      indexKeys(v),
		blob:      encodeRecord(compact),
	}}
}

// peekID finds the record ID of JSON that failed to decode as a whole, so
// that the rejection names it.
func peekID(data []byte) string {
	var p struct {
		ID string `json:"id"`
	}
	if json.Unmarshal(data, &p) == nil {
		return p.ID
	}
	// Broken JSON: scan tokens for a top-level "id" key.
	dec := json.NewDecoder(bytes.NewReader(data))
	depth := 0
	expectKey := false
	for {
		tok, err := dec.Token()
		if err != nil {
			return ""
		}
		switch t := tok.(type) {
		case json.Delim:
			switch t {
			case '{':
				depth++
				expectKey = true
			case '[':
				depth++
				expectKey = false
			default:
				depth--
				expectKey = depth > 0
			}
		case string:
			if depth == 1 && expectKey && t == "id" {
				if v, err := dec.Token(); err == nil {
					if s, ok := v.(string); ok {
						return s
					}
				}
				return ""
			}
		}
		if depth == 1 {
			// Alternate key / value at the top level.
			if _, isDelim := tok.(json.Delim); !isDelim {
				expectKey = !expectKey
			} else if tok != json.Delim('{') {
				expectKey = true
			}
		}
	}
}

// productSlug is the endoflife.date product name: the file name without
// its folder and extension.
func productSlug(name string) string {
	base := path.Base(strings.ReplaceAll(name, "\\", "/"))
	return strings.TrimSuffix(base, path.Ext(base))
}

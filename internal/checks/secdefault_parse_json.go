package checks

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
)

// parseJSON reads a JSON document into a cfgNode tree with the line of
// every key, using the token stream of encoding/json.
func parseJSON(name string, data []byte) (*cfgNode, error) {
	p := &jsonReader{dec: json.NewDecoder(bytes.NewReader(data)), data: data, budget: maxCfgNodes}
	p.dec.UseNumber()
	root, err := p.value("", 0)
	if err != nil {
		return nil, fmt.Errorf("json %s: %w", name, err)
	}
	return root, nil
}

type jsonReader struct {
	dec    *json.Decoder
	data   []byte
	budget int
	// lineAt and offAt cache the last line computation: offsets only grow.
	offAt, lineAt int
}

// line returns the 1-based line of the decoder's current offset.
func (p *jsonReader) line() int {
	off := int(p.dec.InputOffset())
	if off > len(p.data) {
		off = len(p.data)
	}
	if off < p.offAt {
		p.offAt, p.lineAt = 0, 0
	}
	p.lineAt += bytes.Count(p.data[p.offAt:off], []byte{'\n'})
	p.offAt = off
	return p.lineAt + 1
}

// value reads one JSON value (recursively) with the line of its key.
func (p *jsonReader) value(key string, depth int) (*cfgNode, error) {
	p.budget--
	if p.budget < 0 {
		return nil, errCfgTooBig
	}
	if depth > maxCfgDepth {
		return nil, fmt.Errorf("nesting deeper than %d", maxCfgDepth)
	}
	line := p.line()
	tok, err := p.dec.Token()
	if errors.Is(err, io.EOF) {
		return nil, io.ErrUnexpectedEOF
	}
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			n := &cfgNode{Key: key, Line: line, Kind: cfgMap}
			for p.dec.More() {
				kt, err := p.dec.Token()
				if err != nil {
					return nil, err
				}
				k, ok := kt.(string)
				if !ok {
					return nil, fmt.Errorf("object key is %T", kt)
				}
				kline := p.line()
				c, err := p.value(k, depth+1)
				if err != nil {
					return nil, err
				}
				c.Line = kline
				n.Kids = append(n.Kids, c)
			}
			if _, err := p.dec.Token(); err != nil {
				return nil, err
			}
			return n, nil
		case '[':
			n := &cfgNode{Key: key, Line: line, Kind: cfgList}
			for p.dec.More() {
				c, err := p.value("", depth+1)
				if err != nil {
					return nil, err
				}
				n.Kids = append(n.Kids, c)
			}
			if _, err := p.dec.Token(); err != nil {
				return nil, err
			}
			return n, nil
		}
		return nil, fmt.Errorf("unexpected %q", t)
	case string:
		return &cfgNode{Key: key, Line: line, Value: t}, nil
	case json.Number:
		return &cfgNode{Key: key, Line: line, Value: t.String()}, nil
	case bool:
		return &cfgNode{Key: key, Line: line, Value: strconv.FormatBool(t)}, nil
	case nil:
		return &cfgNode{Key: key, Line: line}, nil
	}
	return nil, fmt.Errorf("unexpected token %T", tok)
}

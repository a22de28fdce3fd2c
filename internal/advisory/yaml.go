package advisory

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"

	"gopkg.in/yaml.v3"
)

// yamlLimits bound the work one YAML document may cause (alias expansion,
// nesting), so hostile input fails fast instead of exhausting memory.
const (
	yamlMaxDepth = 64
	yamlMaxNodes = 500_000
)

// freeFormKeys hold schema-less values in OSV; inside them YAML numbers
// and booleans keep their type. Everywhere else OSV only has strings, so a
// scalar keeps its exact text ("1.10" stays "1.10", never the float 1.1).
var freeFormKeys = map[string]bool{
	"database_specific":  true,
	"ecosystem_specific": true,
}

// yamlToJSON converts one YAML document to JSON under OSV's typing rules:
// YAML timestamps become RFC 3339 strings (so they decode into time.Time),
// scalars outside free-form objects stay strings, aliases are expanded
// with bounds. Duplicate keys are an error, as in yaml.v3.
func yamlToJSON(data []byte) ([]byte, error) {
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, errors.New("yaml: empty document")
		}
		return nil, fmt.Errorf("yaml: %w", err)
	}
	if len(doc.Content) != 1 {
		return nil, errors.New("yaml: empty document")
	}
	c := &yamlConv{}
	var buf bytes.Buffer
	if err := c.write(&buf, doc.Content[0], 0, false); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

type yamlConv struct {
	nodes int
}

func (c *yamlConv) write(buf *bytes.Buffer, n *yaml.Node, depth int, free bool) error {
	c.nodes++
	if c.nodes > yamlMaxNodes {
		return fmt.Errorf("yaml: more than %d nodes (alias expansion?)", yamlMaxNodes)
	}
	if depth > yamlMaxDepth {
		return fmt.Errorf("yaml: nested deeper than %d", yamlMaxDepth)
	}
	switch n.Kind {
	case yaml.AliasNode:
		if n.Alias == nil {
			return fmt.Errorf("yaml: line %d: unresolved alias", n.Line)
		}
		return c.write(buf, n.Alias, depth+1, free)
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			buf.WriteString("null")
			return nil
		}
		return c.write(buf, n.Content[0], depth+1, free)
	case yaml.SequenceNode:
		buf.WriteByte('[')
		for i, item := range n.Content {
			if i > 0 {
				buf.WriteByte(',')
			}
			if err := c.write(buf, item, depth+1, free); err != nil {
				return err
			}
		}
		buf.WriteByte(']')
		return nil
	case yaml.MappingNode:
		buf.WriteByte('{')
		seen := make(map[string]bool, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if k.Kind == yaml.AliasNode && k.Alias != nil {
				k = k.Alias
			}
			if k.Kind != yaml.ScalarNode {
				return fmt.Errorf("yaml: line %d: mapping key is not a scalar", k.Line)
			}
			if k.Tag == "!!merge" {
				return fmt.Errorf("yaml: line %d: merge keys are not supported", k.Line)
			}
			if seen[k.Value] {
				return fmt.Errorf("yaml: line %d: duplicate key %q", k.Line, k.Value)
			}
			seen[k.Value] = true
			if i > 0 {
				buf.WriteByte(',')
			}
			writeJSONString(buf, k.Value)
			buf.WriteByte(':')
			if err := c.write(buf, v, depth+1, free || freeFormKeys[k.Value]); err != nil {
				return err
			}
		}
		buf.WriteByte('}')
		return nil
	case yaml.ScalarNode:
		return writeScalar(buf, n, free)
	default:
		return fmt.Errorf("yaml: line %d: unsupported node", n.Line)
	}
}

func writeScalar(buf *bytes.Buffer, n *yaml.Node, free bool) error {
	switch n.ShortTag() {
	case "!!null":
		buf.WriteString("null")
		return nil
	case "!!timestamp":
		var t time.Time
		if err := n.Decode(&t); err != nil {
			return fmt.Errorf("yaml: line %d: timestamp %q: %w", n.Line, n.Value, err)
		}
		writeJSONString(buf, t.UTC().Format(time.RFC3339Nano))
		return nil
	case "!!bool":
		if free {
			var b bool
			if err := n.Decode(&b); err == nil {
				buf.WriteString(strconv.FormatBool(b))
				return nil
			}
		}
	case "!!int", "!!float":
		if free && json.Valid([]byte(n.Value)) {
			buf.WriteString(n.Value)
			return nil
		}
	}
	writeJSONString(buf, n.Value)
	return nil
}

func writeJSONString(buf *bytes.Buffer, s string) {
	b, _ := json.Marshal(s) // a string always marshals
	buf.Write(b)
}

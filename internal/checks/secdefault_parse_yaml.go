package checks

import (
	"bytes"
	"errors"
	"fmt"
	"io"

	"gopkg.in/yaml.v3"
)

// maxCfgNodes bounds the nodes read from one file (alias expansion, huge
// generated files).
const maxCfgNodes = 200_000

// errCfgTooBig is returned when a file has more than maxCfgNodes nodes.
var errCfgTooBig = errors.New("too many nodes")

// parseYAML reads every document of a YAML stream (Kubernetes manifests
// often hold several). Aliases are followed once, to a bounded depth.
func parseYAML(name string, data []byte) ([]*cfgNode, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var docs []*cfgNode
	budget := maxCfgNodes
	for {
		var doc yaml.Node
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			return docs, nil
		}
		if err != nil {
			return docs, fmt.Errorf("yaml %s: %w", name, err)
		}
		n, err := sdFromYAML(&doc, "", 0, &budget)
		if err != nil {
			return docs, fmt.Errorf("yaml %s: %w", name, err)
		}
		if n != nil {
			docs = append(docs, n)
		}
	}
}

// sdFromYAML converts a yaml.v3 node, spending budget per node.
func sdFromYAML(y *yaml.Node, key string, depth int, budget *int) (*cfgNode, error) {
	*budget--
	if *budget < 0 {
		return nil, errCfgTooBig
	}
	if depth > maxCfgDepth {
		return nil, fmt.Errorf("nesting deeper than %d", maxCfgDepth)
	}
	switch y.Kind {
	case yaml.DocumentNode:
		if len(y.Content) == 0 {
			return nil, nil
		}
		return sdFromYAML(y.Content[0], key, depth+1, budget)
	case yaml.AliasNode:
		if y.Alias == nil {
			return &cfgNode{Key: key, Line: y.Line}, nil
		}
		n, err := sdFromYAML(y.Alias, key, depth+1, budget)
		if n != nil {
			n.Line = y.Line
		}
		return n, err
	case yaml.MappingNode:
		n := &cfgNode{Key: key, Line: y.Line, Kind: cfgMap}
		for i := 0; i+1 < len(y.Content); i += 2 {
			k, v := y.Content[i], y.Content[i+1]
			if k.Value == "<<" { // merge key: lift the merged map's entries
				m, err := sdFromYAML(v, "", depth+1, budget)
				if err != nil {
					return nil, err
				}
				if m != nil && m.Kind == cfgMap {
					n.Kids = append(n.Kids, m.Kids...)
				}
				continue
			}
			c, err := sdFromYAML(v, k.Value, depth+1, budget)
			if err != nil {
				return nil, err
			}
			if c != nil {
				c.Line = k.Line
				n.Kids = append(n.Kids, c)
			}
		}
		return n, nil
	case yaml.SequenceNode:
		n := &cfgNode{Key: key, Line: y.Line, Kind: cfgList}
		for _, item := range y.Content {
			c, err := sdFromYAML(item, "", depth+1, budget)
			if err != nil {
				return nil, err
			}
			if c != nil {
				n.Kids = append(n.Kids, c)
			}
		}
		return n, nil
	default:
		v := y.Value
		if y.Tag == "!!null" {
			v = ""
		}
		return &cfgNode{Key: key, Line: y.Line, Kind: cfgScalar, Value: v}, nil
	}
}

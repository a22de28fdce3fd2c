package checks

import (
	"bytes"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/BurntSushi/toml"
	"gopkg.in/ini.v1"
)

// parseTOML reads a TOML file with BurntSushi/toml. The library keeps no
// positions, so lines are found again in the text (sdLineFinder).
func parseTOML(name string, data []byte) (*cfgNode, error) {
	var m map[string]any
	if _, err := toml.NewDecoder(bytes.NewReader(data)).Decode(&m); err != nil {
		return nil, fmt.Errorf("toml %s: %w", name, err)
	}
	lf := sdNewLineFinder(data)
	budget := maxCfgNodes
	root, err := sdFromAny("", m, nil, lf, 0, &budget)
	if err != nil {
		return nil, fmt.Errorf("toml %s: %w", name, err)
	}
	return root, nil
}

// sdFromAny converts a decoded TOML value; sect is the table path.
func sdFromAny(key string, v any, sect []string, lf *sdLineFinder, depth int, budget *int) (*cfgNode, error) {
	*budget--
	if *budget < 0 {
		return nil, errCfgTooBig
	}
	if depth > maxCfgDepth {
		return nil, fmt.Errorf("nesting deeper than %d", maxCfgDepth)
	}
	line := 0
	if key != "" {
		line = lf.find(sect, key)
	}
	switch t := v.(type) {
	case map[string]any:
		n := &cfgNode{Key: key, Line: line, Kind: cfgMap}
		keys := make([]string, 0, len(t))
		for k := range t {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		inner := sect
		if key != "" {
			inner = append(sect[:len(sect):len(sect)], key)
		}
		for _, k := range keys {
			c, err := sdFromAny(k, t[k], inner, lf, depth+1, budget)
			if err != nil {
				return nil, err
			}
			n.Kids = append(n.Kids, c)
		}
		return n, nil
	case []map[string]any:
		items := make([]any, len(t))
		for i := range t {
			items[i] = t[i]
		}
		return sdFromAny(key, items, sect, lf, depth, budget)
	case []any:
		n := &cfgNode{Key: key, Line: line, Kind: cfgList}
		inner := append(sect[:len(sect):len(sect)], key)
		for _, it := range t {
			c, err := sdFromAny("", it, inner, lf, depth+1, budget)
			if err != nil {
				return nil, err
			}
			c.Line = line
			n.Kids = append(n.Kids, c)
		}
		return n, nil
	default:
		return &cfgNode{Key: key, Line: line, Value: fmt.Sprint(t)}, nil
	}
}

// parseINI reads an INI file with gopkg.in/ini.v1; sections become maps.
func parseINI(name string, data []byte) (*cfgNode, error) {
	f, err := ini.LoadSources(ini.LoadOptions{
		Loose:                    true,
		AllowBooleanKeys:         true,
		SpaceBeforeInlineComment: true,
		AllowShadows:             false,
	}, data)
	if err != nil {
		return nil, fmt.Errorf("ini %s: %w", name, err)
	}
	lf := sdNewLineFinder(data)
	root := &cfgNode{Kind: cfgMap}
	for _, s := range f.Sections() {
		parent := root
		var sect []string
		if s.Name() != ini.DefaultSection {
			sect = []string{s.Name()}
			parent = &cfgNode{Key: s.Name(), Kind: cfgMap, Line: lf.section(s.Name())}
			root.Kids = append(root.Kids, parent)
		}
		for _, k := range s.Keys() {
			parent.Kids = append(parent.Kids, &cfgNode{Key: k.Name(), Value: k.Value(), Line: lf.find(sect, k.Name())})
		}
	}
	return root, nil
}

// parseEnv reads a dotenv file line by line: KEY=value, optional
// "export", quotes and # comments. There is no one standard for the
// format; this reads what docker compose and python-dotenv both accept.
func parseEnv(data []byte) *cfgNode {
	root := &cfgNode{Kind: cfgMap}
	for i, raw := range strings.Split(string(data), "\n") {
		line := strings.TrimSpace(strings.TrimSuffix(raw, "\r"))
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		line = strings.TrimPrefix(line, "export ")
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			continue
		}
		if len(root.Kids) >= maxCfgNodes {
			break
		}
		root.Kids = append(root.Kids, &cfgNode{Key: strings.TrimSpace(k), Value: sdUnquoteEnv(strings.TrimSpace(v)), Line: i + 1})
	}
	return root
}

// sdUnquoteEnv strips quotes or a trailing " # comment" from a value.
func sdUnquoteEnv(v string) string {
	if len(v) >= 2 && (v[0] == '"' || v[0] == '\'') {
		if end := strings.IndexByte(v[1:], v[0]); end >= 0 {
			return v[1 : 1+end]
		}
	}
	if i := strings.Index(v, " #"); i >= 0 {
		v = strings.TrimSpace(v[:i])
	}
	return v
}

// parseProperties reads a Java .properties file (key=value, key: value or
// key value; # and ! comments; backslash continuations). Dotted keys
// become nested maps so that Spring's application.properties and
// application.yml look the same to the rules.
func parseProperties(data []byte) *cfgNode {
	root := &cfgNode{Kind: cfgMap}
	lines := strings.Split(string(data), "\n")
	entries := 0
	index := map[*cfgNode]map[string]*cfgNode{}
	for i := 0; i < len(lines); i++ {
		start := i
		line := strings.TrimLeft(strings.TrimSuffix(lines[i], "\r"), " \t\f")
		if line == "" || line[0] == '#' || line[0] == '!' {
			continue
		}
		for strings.HasSuffix(line, `\`) && !strings.HasSuffix(line, `\\`) && i+1 < len(lines) {
			i++
			line = line[:len(line)-1] + strings.TrimLeft(strings.TrimSuffix(lines[i], "\r"), " \t\f")
		}
		sep := strings.IndexAny(line, "=: \t")
		k, v := line, ""
		if sep >= 0 {
			k = line[:sep]
			v = strings.TrimLeft(line[sep:], " \t\f")
			if v != "" && (v[0] == '=' || v[0] == ':') {
				v = strings.TrimLeft(v[1:], " \t\f")
			}
		}
		if entries++; entries > maxCfgNodes {
			break
		}
		sdInsertDotted(root, index, strings.Split(k, "."), strings.TrimSpace(v), start+1)
	}
	return root
}

// sdInsertDotted puts value at the dotted path under root, creating maps;
// index remembers the maps made so far, so that many keys stay linear.
func sdInsertDotted(root *cfgNode, index map[*cfgNode]map[string]*cfgNode, path []string, value string, line int) {
	n := root
	for i, seg := range path {
		if i == len(path)-1 {
			n.Kids = append(n.Kids, &cfgNode{Key: seg, Value: value, Line: line})
			return
		}
		next := index[n][seg]
		if next == nil {
			next = &cfgNode{Key: seg, Kind: cfgMap, Line: line}
			n.Kids = append(n.Kids, next)
			if index[n] == nil {
				index[n] = map[string]*cfgNode{}
			}
			index[n][seg] = next
		}
		n = next
	}
}

// sdLineFinder finds the line of a key in formats whose libraries keep no
// positions (TOML, INI): the first line that assigns the key after the
// header of its section, or anywhere when the section has no header. The
// index is built once, so a file with many keys stays linear.
type sdLineFinder struct {
	headers map[string]int   // section name → line of its first header
	assigns map[string][]int // key (and last dotted part) → lines, ascending
}

// sdNewLineFinder indexes section headers and assignments of a file.
func sdNewLineFinder(data []byte) *sdLineFinder {
	lf := &sdLineFinder{headers: map[string]int{}, assigns: map[string][]int{}}
	for i, l := range strings.Split(string(data), "\n") {
		if m := sdHeaderRe.FindStringSubmatch(l); m != nil {
			name := strings.ReplaceAll(m[1], `"`, "")
			if _, ok := lf.headers[name]; !ok {
				lf.headers[name] = i + 1
			}
			continue
		}
		t := strings.TrimSpace(l)
		if t == "" || t[0] == '#' || t[0] == ';' {
			continue
		}
		lhs := t
		if eq := strings.IndexAny(t, "=:"); eq > 0 {
			lhs = t[:eq]
		}
		lhs = strings.Trim(strings.TrimSpace(lhs), `"'`)
		keys := []string{lhs}
		if dot := strings.LastIndex(lhs, "."); dot >= 0 {
			keys = append(keys, strings.Trim(lhs[dot+1:], `"'`))
		}
		for _, k := range keys {
			if len(lf.assigns[k]) < 64 {
				lf.assigns[k] = append(lf.assigns[k], i+1)
			}
		}
	}
	return lf
}

var sdHeaderRe = regexp.MustCompile(`^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(?:[#;].*)?$`)

// section returns the line of the header [name], 0 when there is none.
func (lf *sdLineFinder) section(name string) int { return lf.headers[name] }

// find returns the line that assigns key within the table sect.
func (lf *sdLineFinder) find(sect []string, key string) int {
	from := 0
	for n := len(sect); n > 0; n-- {
		if l := lf.section(strings.Join(sect[:n], ".")); l > 0 {
			from = l
			break
		}
	}
	lines := lf.assigns[key]
	for _, l := range lines {
		if l > from {
			return l
		}
	}
	if len(lines) > 0 {
		return lines[0]
	}
	return 0
}

package checks

import (
	"strings"
	"unicode"
)

// cfgKind is the shape of a node of a parsed configuration file.
type cfgKind int

const (
	cfgScalar cfgKind = iota
	cfgMap
	cfgList
)

// cfgNode is one node of a configuration file read into a common shape, so
// that one rule reads YAML, JSON, TOML, INI, .env and .properties alike.
// Dotted keys of .properties files are split into nested maps.
type cfgNode struct {
	Key   string // map key; "" for the root and for list items
	Line  int    // 1-based line of the key (or of the item), 0 when unknown
	Kind  cfgKind
	Value string // scalar text, unquoted
	Kids  []*cfgNode
}

// cfgDoc is one parsed configuration document.
type cfgDoc struct {
	Path   string // slash path relative to the tree root
	Format string // yaml, json, toml, ini, env, properties
	Root   *cfgNode
}

// child returns the first child map entry whose normalised key is one of
// names.
func (n *cfgNode) child(names ...string) *cfgNode {
	if n == nil || n.Kind != cfgMap {
		return nil
	}
	for _, k := range n.Kids {
		nk := sdNormKey(k.Key)
		for _, want := range names {
			if nk == want {
				return k
			}
		}
	}
	return nil
}

// scalars returns the scalar values of n: itself, or the scalar items of a
// list.
func (n *cfgNode) scalars() []string {
	if n == nil {
		return nil
	}
	switch n.Kind {
	case cfgScalar:
		return []string{n.Value}
	case cfgList:
		var out []string
		for _, k := range n.Kids {
			if k.Kind == cfgScalar {
				out = append(out, k.Value)
			}
		}
		return out
	}
	return nil
}

// cfgVisit calls fn for every node below root with the keys that lead to
// it (list items add no key) and its parent. fn returns false to stop
// descending into the node.
func cfgVisit(root *cfgNode, fn func(path []string, n, parent *cfgNode) bool) {
	var rec func(path []string, n, parent *cfgNode, depth int)
	rec = func(path []string, n, parent *cfgNode, depth int) {
		if depth > maxCfgDepth {
			return
		}
		if n.Key != "" {
			path = append(path[:len(path):len(path)], n.Key)
		}
		if parent != nil && !fn(path, n, parent) {
			return
		}
		for _, k := range n.Kids {
			rec(path, k, n, depth+1)
		}
	}
	if root != nil {
		rec(nil, root, nil, 0)
	}
}

// maxCfgDepth bounds recursion on hostile input.
const maxCfgDepth = 200

// sdNormKey lower-cases s and drops everything but letters and digits:
// "auto_update", "autoUpdate" and "auto-update" all become "autoupdate".
func sdNormKey(s string) string {
	var b strings.Builder
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}

// sdKeyWords splits a key into lower-case words at separators and camelCase
// boundaries: "newUserRole" and "NEW_USER_ROLE" → [new user role].
func sdKeyWords(s string) []string {
	var words []string
	var cur []rune
	flush := func() {
		if len(cur) > 0 {
			words = append(words, strings.ToLower(string(cur)))
			cur = cur[:0]
		}
	}
	rs := []rune(s)
	for i, r := range rs {
		switch {
		case !unicode.IsLetter(r) && !unicode.IsDigit(r):
			flush()
		case unicode.IsUpper(r) && len(cur) > 0 &&
			(unicode.IsLower(cur[len(cur)-1]) || (i+1 < len(rs) && unicode.IsLower(rs[i+1]) && unicode.IsUpper(cur[len(cur)-1]))):
			flush()
			cur = append(cur, r)
		default:
			cur = append(cur, r)
		}
	}
	flush()
	return words
}

// sdPathWords returns the words of every key of path.
func sdPathWords(path []string) []string {
	var out []string
	for _, p := range path {
		out = append(out, sdKeyWords(p)...)
	}
	return out
}

// sdHasWord reports whether words holds one of want.
func sdHasWord(words []string, want ...string) bool {
	for _, w := range words {
		for _, x := range want {
			if w == x {
				return true
			}
		}
	}
	return false
}

// sdIsTrue reads the spellings of "on" used across config formats.
func sdIsTrue(v string) bool {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "true", "1", "yes", "on", "y", "enabled", "enable":
		return true
	}
	return false
}

// sdIsFalse reads the spellings of "off" used across config formats.
func sdIsFalse(v string) bool {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "false", "0", "no", "off", "n", "disabled", "disable":
		return true
	}
	return false
}

// sdJoinPath renders a key path for messages ("updates.auto_update").
func sdJoinPath(path []string) string { return strings.Join(path, ".") }

// devSections are per-environment sections of one config file (Rails
// database.yml, Sequelize config.json, Symfony-style trees): their
// settings are not what ships as the default.
var devSections = map[string]bool{
	"development": true, "dev": true, "test": true, "testing": true, "local": true,
	"ci": true, "e2e": true, "example": true, "examples": true, "sample": true, "samples": true,
}

// pruneDevSections removes development and test sections from every map
// under root, in place.
func pruneDevSections(root *cfgNode) {
	prune := func(n *cfgNode) {
		if n.Kind != cfgMap {
			return
		}
		kept := n.Kids[:0]
		for _, k := range n.Kids {
			if k.Kind == cfgMap && devSections[sdNormKey(k.Key)] {
				continue
			}
			kept = append(kept, k)
		}
		n.Kids = kept
	}
	if root == nil {
		return
	}
	prune(root)
	cfgVisit(root, func(p []string, n, parent *cfgNode) bool {
		prune(n)
		return true
	})
}

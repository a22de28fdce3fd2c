package csaf

import (
	"bufio"
	"bytes"
	_ "embed"
	"fmt"
	"strconv"
	"strings"
	"sync"
)

// cweCatalogue is CWE 4.15's ID → name list (see cwe/SOURCE.md).
//
//go:embed cwe/cwe-4.15.tsv
var cweCatalogue []byte

// cweList is the parsed catalogue.
type cweList struct {
	version string
	newest  int            // IDs above it may come from a newer CWE version
	names   map[int]string // ID → name
}

var loadedCWEs = sync.OnceValues(func() (*cweList, error) { return parseCWEs(cweCatalogue) })

func parseCWEs(data []byte) (*cweList, error) {
	l := &cweList{names: map[int]string{}}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for line := 1; sc.Scan(); line++ {
		text := sc.Text()
		if rest, ok := strings.CutPrefix(text, "# CWE "); ok {
			l.version, _, _ = strings.Cut(rest, " ")
			if _, n, ok := strings.Cut(rest, "newest "); ok {
				l.newest, _ = strconv.Atoi(strings.TrimSpace(n))
			}
			continue
		}
		id, name, ok := strings.Cut(text, "\t")
		n, err := strconv.Atoi(id)
		if !ok || err != nil {
			return nil, fmt.Errorf("embedded CWE list, line %d: want ID<TAB>name, got %q", line, text)
		}
		l.names[n] = name
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("embedded CWE list: %w", err)
	}
	if l.version == "" || l.newest == 0 || len(l.names) == 0 {
		return nil, fmt.Errorf("embedded CWE list: no version header or no entries")
	}
	return l, nil
}

// testCWEs runs 6.1.11: a CWE exists and has the name given. An ID the
// embedded list does not know is flagged only when it is not newer than
// the list's newest entry, so that a document using a later CWE version
// is not rejected for it.
func (c *checker) testCWEs() {
	cwes, err := loadedCWEs()
	if err != nil {
		c.fail("6.1.11", root, "cannot load the embedded CWE list: %v", err)
		return
	}
	for i, v := range arr(get(c.doc, "vulnerabilities")) {
		p := root.key("vulnerabilities").index(i).key("cwe")
		id, ok := get(v, "cwe", "id").(string)
		if !ok {
			continue
		}
		digits, ok := strings.CutPrefix(id, "CWE-")
		n, err := strconv.Atoi(digits)
		if !ok || err != nil {
			continue // the schema reports a malformed ID
		}
		name, known := cwes.names[n]
		if !known {
			if n <= cwes.newest {
				c.fail("6.1.11", p.key("id"), "%s does not exist in CWE %s", id, cwes.version)
			}
			continue
		}
		if given, ok := get(v, "cwe", "name").(string); ok && given != name {
			c.fail("6.1.11", p.key("name"), "%s is named %q in CWE %s, not %q", id, name, cwes.version, given)
		}
	}
}

package store

import (
	"fmt"
	"strings"
)

// Keyset pagination (the *_page.go files): a list query orders by a
// unique key, starts after the key of the previous page's last row and
// reads Limit+1 rows, so the caller learns whether another page follows
// without an OFFSET that skips or repeats rows when rows are added in
// between.

// maxPageLimit bounds Limit of every page query.
const maxPageLimit = 1000

// pageLimit is the LIMIT of a page query: limit+1 rows (the extra one
// only says that another page exists), limit defaulting to 100.
func pageLimit(limit int) int {
	if limit <= 0 {
		limit = 100
	}
	return min(limit, maxPageLimit) + 1
}

// inList appends vals to args and returns the placeholders "$3, $4, ...".
func inList(args []any, vals []string) ([]any, string) {
	ph := make([]string, len(vals))
	for i, v := range vals {
		args = append(args, v)
		ph[i] = fmt.Sprintf("$%d", len(args))
	}
	return args, strings.Join(ph, ", ")
}

// likePattern is a case-blind LIKE pattern matching s anywhere, with the
// wildcards of s escaped (use with ESCAPE '\').
func likePattern(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + r.Replace(strings.ToLower(s)) + "%"
}

package store

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"
)

// Component match modes of [ComponentQuery].
const (
	// MatchExact matches the whole name, or its last segment after ':' or
	// '/' (a Maven artifact "org.apache.logging.log4j:log4j-core", an npm
	// scope "@scope/name", a Go path), case-sensitively: "log4j-core"
	// finds the Maven artifact without its group.
	MatchExact = "exact"
	// MatchContains matches names that contain the text, ignoring ASCII
	// case. It reads every component row of the products searched.
	MatchContains = "contains"
)

// ComponentQuery is a portfolio-wide component search. Name or PURL must be
// set.
type ComponentQuery struct {
	// ProductIDs are the products to search; none finds nothing.
	ProductIDs []string
	Name       string
	// Match is MatchExact (the default) or MatchContains for Name.
	Match string
	// Version, when set, must equal the component's version.
	Version string
	// PURL, when set, must equal the component's package URL; a PURL
	// without "@version" also matches every version of it.
	PURL string
	// After is the last hit of the previous page; nil for the first.
	After *ComponentCursor
	// Limit caps the hits returned.
	Limit int
}

// ComponentCursor is the sort key of a hit: product name, release version,
// release ID and the component's place in the SBOM.
type ComponentCursor struct {
	ProductName string `json:"p"`
	Release     string `json:"r"`
	ReleaseID   string `json:"i"`
	Seq         int64  `json:"s"`
}

// ComponentHit is a component of a release that a search found.
type ComponentHit struct {
	ProductID   string
	ProductName string
	// SupportStart and SupportEnd are the product's support period (months,
	// "" when unset), for the caller to derive the support status.
	SupportStart string
	SupportEnd   string
	ReleaseID    string
	Release      string
	Seq          int64
	Name         string
	Version      string
	PURL         string
	Ecosystem    string
	Relationship string
}

// Cursor is the hit's sort key for the next page.
func (h ComponentHit) Cursor() ComponentCursor {
	return ComponentCursor{ProductName: h.ProductName, Release: h.Release, ReleaseID: h.ReleaseID, Seq: h.Seq}
}

// SearchComponents finds the components of q.ProductIDs' releases that
// match q, ordered by product name, release version and SBOM order.
func (s *Store) SearchComponents(ctx context.Context, q ComponentQuery) ([]ComponentHit, error) {
	if q.Name == "" && q.PURL == "" {
		return nil, fmt.Errorf("store: search components: %w: a name or a package URL is required", ErrInvalid)
	}
	if len(q.ProductIDs) == 0 || q.Limit <= 0 {
		return nil, nil
	}
	var (
		where []string
		args  []any
	)
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	if q.Name != "" {
		switch q.Match {
		case "", MatchExact:
			n, l := arg(q.Name), arg(int64(utf8.RuneCountInString(q.Name)))
			// substr(name, length(name) - l) is the last l+1 characters:
			// the separator and the artifact name.
			where = append(where, fmt.Sprintf(`(c.name = %[1]s OR (length(c.name) > %[2]s
				AND substr(c.name, length(c.name) - %[2]s) IN (':' || %[1]s, '/' || %[1]s)))`, n, l))
		case MatchContains:
			where = append(where, `LOWER(c.name) LIKE `+arg("%"+escapeLike(strings.ToLower(q.Name))+"%")+` ESCAPE '\'`)
		default:
			return nil, fmt.Errorf("store: search components: %w: match %q", ErrInvalid, q.Match)
		}
	}
	if q.Version != "" {
		where = append(where, `c.version = `+arg(q.Version))
	}
	if q.PURL != "" {
		if strings.Contains(q.PURL, "@") {
			where = append(where, `c.purl = `+arg(q.PURL))
		} else {
			p := arg(q.PURL)
			where = append(where, fmt.Sprintf(`(c.purl = %[1]s OR substr(c.purl, 1, %[2]s) = %[1]s || '@')`,
				p, arg(int64(utf8.RuneCountInString(q.PURL)+1))))
		}
	}
	if a := q.After; a != nil {
		where = append(where, fmt.Sprintf(`(p.name, r.version, r.id, c.seq) > (%s, %s, %s, %s)`,
			arg(a.ProductName), arg(a.Release), arg(a.ReleaseID), arg(a.Seq)))
	}
	in, ids := idPlaceholders(len(args)+1, q.ProductIDs)
	args = append(args, ids...)
	where = append(where, `p.id IN `+in)
	query := `SELECT p.id, p.name, p.support_start, p.support_end, r.id, r.version, c.seq, c.name, c.version,
		c.purl, c.ecosystem, c.relationship
		FROM release_components c JOIN releases r ON r.id = c.release_id JOIN products p ON p.id = r.product_id
		WHERE ` + strings.Join(where, " AND ") + `
		ORDER BY p.name, r.version, r.id, c.seq LIMIT ` + arg(int64(q.Limit))
	rows, err := s.q().QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("store: search components: %w", err)
	}
	defer rows.Close()
	var out []ComponentHit
	for rows.Next() {
		var h ComponentHit
		if err := rows.Scan(&h.ProductID, &h.ProductName, &h.SupportStart, &h.SupportEnd, &h.ReleaseID, &h.Release,
			&h.Seq, &h.Name, &h.Version, &h.PURL, &h.Ecosystem, &h.Relationship); err != nil {
			return nil, fmt.Errorf("store: search components: %w", err)
		}
		out = append(out, h)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: search components: %w", err)
	}
	return out, nil
}

// escapeLike escapes the LIKE wildcards of s with a backslash.
func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

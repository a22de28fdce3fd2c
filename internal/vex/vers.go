package vex

import (
	"net/url"
	"slices"
	"strings"

	"github.com/google/osv-scalibr/semantic"
)

// versEcosystem maps a vers scheme (a purl type) to the OSV ecosystem whose
// version ordering osv-scalibr/semantic implements. "generic" and "semver"
// use the semver-like ordering.
func versEcosystem(scheme string) (string, bool) {
	switch strings.ToLower(scheme) {
	case "generic", "semver", "npm":
		return "npm", true
	case "golang":
		return "Go", true
	case "cargo":
		return "crates.io", true
	case "maven":
		return "Maven", true
	case "pypi":
		return "PyPI", true
	case "gem":
		return "RubyGems", true
	case "nuget":
		return "NuGet", true
	case "deb":
		return "Debian", true
	case "rpm":
		return "Red Hat", true
	case "apk", "alpine":
		return "Alpine", true
	case "composer":
		return "Packagist", true
	case "pub":
		return "Pub", true
	case "hex":
		return "Hex", true
	case "cran":
		return "CRAN", true
	case "hackage":
		return "Hackage", true
	}
	return "", false
}

type versConstraint struct {
	op      string // =, !=, <, <=, >, >=
	version semantic.Version
}

// versContains reports whether version lies in the vers range rng
// ("vers:<scheme>/<constraint>|…", https://github.com/package-url/purl-spec
// VERSION-RANGE-SPEC). ok is false when the range cannot be evaluated: an
// unknown scheme, a malformed range or a version that does not parse.
func versContains(rng, version string) (in, ok bool) {
	rest, found := strings.CutPrefix(strings.TrimSpace(rng), "vers:")
	if !found {
		return false, false
	}
	scheme, constraints, found := strings.Cut(rest, "/")
	eco, known := versEcosystem(scheme)
	if !found || !known {
		return false, false
	}
	constraints = strings.TrimSpace(constraints)
	if constraints == "*" {
		return true, true
	}
	v, err := semantic.Parse(version, eco)
	if err != nil {
		return false, false
	}
	var cs []versConstraint
	for _, part := range strings.Split(constraints, "|") {
		part = strings.TrimSpace(part)
		op := "="
		for _, p := range []string{">=", "<=", "!=", "<", ">", "="} {
			if s, ok := strings.CutPrefix(part, p); ok {
				op, part = p, strings.TrimSpace(s)
				break
			}
		}
		raw, err := url.PathUnescape(part)
		if err != nil || raw == "" {
			return false, false
		}
		cv, err := semantic.Parse(raw, eco)
		if err != nil {
			return false, false
		}
		cs = append(cs, versConstraint{op: op, version: cv})
	}
	// cmp(a, b) with parse failures treated as not evaluable.
	bad := false
	cmp := func(a, b semantic.Version) int {
		c, err := a.Compare(b)
		if err != nil {
			bad = true
		}
		return c
	}
	// Equality constraints first, as the vers algorithm says.
	var ranges []versConstraint
	for _, c := range cs {
		switch c.op {
		case "=":
			if cmp(v, c.version) == 0 {
				return !bad, !bad
			}
		case "!=":
			if cmp(v, c.version) == 0 {
				return false, !bad
			}
		default:
			ranges = append(ranges, c)
		}
	}
	if bad {
		return false, false
	}
	if len(ranges) == 0 {
		return false, true
	}
	slices.SortStableFunc(ranges, func(a, b versConstraint) int { return cmp(a.version, b.version) })
	satisfies := func(c versConstraint) bool {
		d := cmp(v, c.version)
		switch c.op {
		case "<":
			return d < 0
		case "<=":
			return d <= 0
		case ">":
			return d > 0
		default: // >=
			return d >= 0
		}
	}
	isLess := func(op string) bool { return op == "<" || op == "<=" }
	if len(ranges) == 1 {
		return satisfies(ranges[0]) && !bad, !bad
	}
	for i := 0; i+1 < len(ranges); i++ {
		cur, next := ranges[i], ranges[i+1]
		if i == 0 && isLess(cur.op) && satisfies(cur) {
			return !bad, !bad
		}
		if i+2 == len(ranges) && !isLess(next.op) && satisfies(next) {
			return !bad, !bad
		}
		if !isLess(cur.op) && isLess(next.op) && satisfies(cur) && satisfies(next) {
			return !bad, !bad
		}
	}
	return false, !bad
}

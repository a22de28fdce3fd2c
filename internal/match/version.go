package match

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"

	"github.com/craft-cra/craft/internal/osv"
	"github.com/google/osv-scalibr/semantic"
)

// orderSemver names the SemVer 2.0 order used by SEMVER ranges, whatever
// the ecosystem. Every other order is named by its base ecosystem.
const orderSemver = "SEMVER"

var errUnsupportedOrder = errors.New("no version order for this ecosystem")

type parsedVersion struct {
	v   semantic.Version
	err error
	key numericKey
}

// numericKey is a plain release version ("1.22.3": one to four dot-separated
// numbers of up to nine digits, no leading zeros) as numbers. In the orders
// of numericParts two such versions compare as their numbers do, the
// shorter padded with zeros (TestNumericKeyOrder checks it against
// osv-scalibr/semantic), which spares the big-integer comparison for most
// versions.
type numericKey struct {
	n int8 // number of parts; 0: not a plain release version
	p [4]uint32
}

// numericParts is how many parts a plain release version may have in
// order for numericKey to reproduce the order's comparison; 0 for orders it
// is not used in. (SemVer reads a fourth part as something else.)
func numericParts(order string) int {
	switch order {
	case orderSemver, "Go", "npm", "crates.io":
		return 3
	case "PyPI", "Maven":
		return 4
	}
	return 0
}

// numericKeyOf returns s's numericKey, or the zero key when s is not a plain
// release version of at most maxParts parts.
func numericKeyOf(s string, maxParts int) numericKey {
	var k numericKey
	maxParts = min(maxParts, len(k.p))
	for len(s) > 0 {
		if int(k.n) == maxParts {
			return numericKey{}
		}
		i := 0
		var x uint32
		for i < len(s) && i < 10 && s[i] >= '0' && s[i] <= '9' {
			x = x*10 + uint32(s[i]-'0')
			i++
		}
		if i == 0 || i > 9 || (i > 1 && s[0] == '0') {
			return numericKey{}
		}
		k.p[k.n] = x
		k.n++
		s = s[i:]
		if len(s) > 0 {
			if s[0] != '.' || len(s) == 1 {
				return numericKey{}
			}
			s = s[1:]
		}
	}
	return k
}

// compareNumeric compares two valid numeric keys.
func compareNumeric(a, b numericKey) int {
	for i := range max(a.n, b.n) {
		x, y := a.p[i], b.p[i] // parts past n are zero
		if x != y {
			if x < y {
				return -1
			}
			return 1
		}
	}
	return 0
}

// quick returns s in order as parsed would, except that a plain release
// version in an order of numericParts comes back with its numeric key only
// (v nil, err nil: such versions always parse, TestNumericKeyOrder checks),
// without a lookup or a parse.
func (c *versionCache) quick(order, s string) parsedVersion {
	if n := numericParts(order); n > 0 {
		if k := numericKeyOf(s, n); k.n > 0 {
			return parsedVersion{key: k}
		}
	}
	return c.parsed(order, s)
}

// compare is compareVersions on a and b, versions a quick parse in order
// gave for the strings as and bs: through their numeric keys when both
// have one.
func (c *versionCache) compare(order string, a *parsedVersion, as string, b *parsedVersion, bs string) (int, error) {
	if a.key.n > 0 && b.key.n > 0 {
		return compareNumeric(a.key, b.key), nil
	}
	va, vb := a.v, b.v
	if va == nil {
		p := c.parsed(order, as)
		if p.err != nil {
			return 0, p.err
		}
		va = p.v
	}
	if vb == nil {
		p := c.parsed(order, bs)
		if p.err != nil {
			return 0, p.err
		}
		vb = p.v
	}
	return compareVersions(va, vb)
}

// versionCache parses each distinct version once per order and run, and
// normalises each distinct package name once. It belongs to one goroutine;
// the parsed versions behind it (sharedVersions) are shared by all the
// workers of a run, so a version string is parsed once per run, not once per
// worker.
type versionCache struct {
	orders      map[string]map[string]*parsedVersion
	unsupported map[string]bool
	names       map[string]map[string]string // base → name → normalised
	shared      *sharedVersions

	// the order and name maps used last: most lookups in a row are in the
	// same order and ecosystem.
	lastOrder string
	lastByVer map[string]*parsedVersion
	lastBase  string
	lastNames map[string]string
}

// sharedVersions holds every version parsed in a run, for all its workers.
// Workers look a version up here only when their own versionCache misses,
// that is once per distinct version and worker.
type sharedVersions struct {
	mu     sync.Mutex
	parsed map[[2]string]*parsedVersion // order, version
}

func newSharedVersions() *sharedVersions {
	return &sharedVersions{parsed: make(map[[2]string]*parsedVersion)}
}

// newVersionCache returns a cache with its own shared versions.
func newVersionCache() *versionCache { return newWorkerCache(newSharedVersions()) }

// newWorkerCache returns a goroutine's cache in front of shared.
func newWorkerCache(shared *sharedVersions) *versionCache {
	return &versionCache{
		orders:      make(map[string]map[string]*parsedVersion),
		unsupported: make(map[string]bool),
		names:       make(map[string]map[string]string),
		shared:      shared,
	}
}

// normalName is osv.NormalizeName, cached.
func (c *versionCache) normalName(base, name string) string {
	byName := c.lastNames
	if byName == nil || base != c.lastBase {
		byName = c.names[base]
		if byName == nil {
			byName = make(map[string]string)
			c.names[base] = byName
		}
		c.lastBase, c.lastNames = base, byName
	}
	if n, ok := byName[name]; ok {
		return n
	}
	n := osv.NormalizeName(base, name)
	byName[name] = n
	return n
}

// parse returns s parsed in order (orderSemver or a base ecosystem).
func (c *versionCache) parse(order, s string) (semantic.Version, error) {
	p := c.parsed(order, s)
	return p.v, p.err
}

// parsed is parse with the numeric key.
func (c *versionCache) parsed(order, s string) parsedVersion {
	byVersion := c.lastByVer
	if byVersion == nil || order != c.lastOrder {
		byVersion = c.orders[order]
		if byVersion == nil {
			byVersion = make(map[string]*parsedVersion)
			c.orders[order] = byVersion
		}
		c.lastOrder, c.lastByVer = order, byVersion
	}
	if p, ok := byVersion[s]; ok {
		return *p
	}
	if c.unsupported[order] {
		p := &parsedVersion{err: errUnsupportedOrder}
		byVersion[s] = p
		return *p
	}
	p := c.shared.parse(order, s)
	if errors.Is(p.err, errUnsupportedOrder) {
		c.unsupported[order] = true
	}
	byVersion[s] = p
	return *p
}

// parse returns s parsed in order, parsing it on first use. Two workers
// may parse the same string at once; parsing is deterministic, and the
// first result stored is the one every worker gets.
func (sv *sharedVersions) parse(order, s string) *parsedVersion {
	k := [2]string{order, s}
	sv.mu.Lock()
	q, ok := sv.parsed[k]
	sv.mu.Unlock()
	if ok {
		return q
	}
	p := new(parsedVersion)
	if order == orderSemver {
		p.v, p.err = safeParse(s, "npm")
	} else {
		p.v, p.err = safeParse(s, order)
		if errors.Is(p.err, semantic.ErrUnsupportedEcosystem) {
			p.v, p.err = nil, errUnsupportedOrder
		}
	}
	if n := numericParts(order); p.err == nil && n > 0 {
		p.key = numericKeyOf(s, n)
	}
	sv.mu.Lock()
	if q, ok := sv.parsed[k]; ok {
		p = q
	} else {
		sv.parsed[k] = p
	}
	sv.mu.Unlock()
	return p
}

// supported reports whether osv-scalibr/semantic orders versions of the
// base ecosystem.
func (c *versionCache) supported(order string) bool {
	if order == orderSemver {
		return true
	}
	_, err := c.parse(order, "0")
	return !errors.Is(err, errUnsupportedOrder)
}

// safeParse is semantic.Parse that turns a parser panic into an error: bad
// input must never crash a scan.
func safeParse(s, ecosystem string) (v semantic.Version, err error) {
	defer func() {
		if r := recover(); r != nil {
			v, err = nil, fmt.Errorf("version %q: parser failed: %v", s, r)
		}
	}()
	if strings.TrimSpace(s) == "" {
		return nil, fmt.Errorf("empty version")
	}
	return semantic.Parse(s, ecosystem)
}

// compareVersions is a.Compare(b) that turns a panic into an error.
func compareVersions(a, b semantic.Version) (c int, err error) {
	defer func() {
		if r := recover(); r != nil {
			c, err = 0, fmt.Errorf("version comparison failed: %v", r)
		}
	}()
	return a.Compare(b)
}

// goReleaseVersion matches a Go release as the go command spells it, after
// any "go" or "v" prefix: 1.22, 1.22.1, 1.21rc1, 1.20beta1.
var goReleaseVersion = regexp.MustCompile(`^(\d+)\.(\d+)(?:\.(\d+))?(?:(beta|rc)(\d+))?$`)

// goToolchainSemver turns a Go release version ("go1.22.1", "1.21rc1",
// "1.22") into the SemVer form the Go vulnerability database uses
// ("1.22.1", "1.21.0-rc.1", "1.22.0"). Other strings come back with only
// the "go"/"v" prefix removed.
func goToolchainSemver(v string) string {
	v = strings.TrimSpace(v)
	v = strings.TrimPrefix(v, "go")
	v = strings.TrimPrefix(v, "v")
	m := goReleaseVersion.FindStringSubmatch(v)
	if m == nil {
		return v
	}
	patch := m[3]
	if patch == "" {
		patch = "0"
	}
	out := m[1] + "." + m[2] + "." + patch
	if m[4] != "" {
		out += "-" + m[4] + "." + m[5]
	}
	return out
}

// isGoToolchain reports whether a Go component stands for the Go standard
// library or toolchain, which the Go vulnerability database names
// "stdlib" and "toolchain".
func isGoToolchain(ecosystem, name string) bool {
	return ecosystem == "Go" && (name == "stdlib" || name == "toolchain")
}

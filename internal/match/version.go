package match

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

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
}

// versionCache parses each distinct version once per order and run, and
// normalises each distinct package name once.
type versionCache struct {
	orders      map[string]map[string]parsedVersion
	unsupported map[string]bool
	names       map[[2]string]string
}

func newVersionCache() *versionCache {
	return &versionCache{
		orders:      make(map[string]map[string]parsedVersion),
		unsupported: make(map[string]bool),
		names:       make(map[[2]string]string),
	}
}

// normalName is osv.NormalizeName, cached.
func (c *versionCache) normalName(base, name string) string {
	k := [2]string{base, name}
	if n, ok := c.names[k]; ok {
		return n
	}
	n := osv.NormalizeName(base, name)
	c.names[k] = n
	return n
}

// parse returns s parsed in order (orderSemver or a base ecosystem).
func (c *versionCache) parse(order, s string) (semantic.Version, error) {
	byVersion := c.orders[order]
	if byVersion == nil {
		byVersion = make(map[string]parsedVersion)
		c.orders[order] = byVersion
	}
	if p, ok := byVersion[s]; ok {
		return p.v, p.err
	}
	var p parsedVersion
	if order == orderSemver {
		p.v, p.err = safeParse(s, "npm")
	} else if c.unsupported[order] {
		p.err = errUnsupportedOrder
	} else {
		p.v, p.err = safeParse(s, order)
		if errors.Is(p.err, semantic.ErrUnsupportedEcosystem) {
			c.unsupported[order] = true
			p.err = errUnsupportedOrder
		}
	}
	byVersion[s] = p
	return p.v, p.err
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

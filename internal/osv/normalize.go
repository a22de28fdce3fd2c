package osv

import (
	"regexp"
	"strings"
)

// BaseEcosystem strips the release suffix of an ecosystem ("Debian:12" →
// "Debian", "Ubuntu:22.04:LTS" → "Ubuntu").
func BaseEcosystem(ecosystem string) string {
	base, _, _ := strings.Cut(ecosystem, ":")
	return base
}

var pypiSeparators = regexp.MustCompile(`[-_.]+`)

// NormalizeName returns the form of a package name under which records and
// components are compared. It follows each ecosystem's own rule for which
// spellings name the same package, and nothing more: Go module paths and
// Maven coordinates are case-sensitive and are kept as they are, since
// folding them would both miss and invent matches.
func NormalizeName(ecosystem, name string) string {
	name = strings.TrimSpace(name)
	switch BaseEcosystem(ecosystem) {
	case "PyPI":
		// PEP 503: case-insensitive; runs of -, _ and . are equivalent.
		return pypiSeparators.ReplaceAllString(strings.ToLower(name), "-")
	case "NuGet", "Packagist", "Hex", "Pub", "Hackage", "crates.io":
		// Registries that treat names case-insensitively.
		name = strings.ToLower(name)
		if BaseEcosystem(ecosystem) == "crates.io" {
			// crates.io also treats - and _ as the same character.
			name = strings.ReplaceAll(name, "_", "-")
		}
		return name
	default:
		return name
	}
}

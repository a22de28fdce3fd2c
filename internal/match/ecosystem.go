package match

import (
	"strings"

	"github.com/craft-cra/craft/internal/osv"
)

// knownEcosystems are the ecosystems the OSV schema defines
// (osv-schema ecosystems.json, 2026-07).
var knownEcosystems = []string{
	"AlmaLinux", "Alpaquita", "Alpine", "Android", "Azure Linux",
	"BellSoft Hardened Containers", "Bioconductor", "Bitnami", "Chainguard",
	"CleanStart", "ConanCenter", "CRAN", "crates.io", "Debian",
	"Docker Hardened Images", "Echo", "FreeBSD", "GHC", "GitHub Actions", "Go",
	"Hackage", "Hex", "Julia", "Kubernetes", "Linux", "Mageia", "Maven",
	"MinimOS", "npm", "NuGet", "opam", "openEuler", "openSUSE", "OSS-Fuzz",
	"Packagist", "Photon OS", "Pub", "PyPI", "Red Hat", "Rocky Linux", "Root",
	"RubyGems", "SUSE", "SwiftURL", "TuxCare", "Ubuntu", "VSCode", "Wolfi",
}

// purlTypes are package-URL types that name exactly one OSV ecosystem and
// differ from it by more than letter case (an inventory read from an SBOM
// may carry them). Types shared by several ecosystems (deb, rpm, apk) are
// not guessed.
var purlTypes = map[string]string{
	"golang":   "Go",
	"cargo":    "crates.io",
	"gem":      "RubyGems",
	"composer": "Packagist",
	"swift":    "SwiftURL",
	"conan":    "ConanCenter",
}

// ecosystemSpelling maps each known ecosystem, its lower-case form and the
// purl types above to the schema's spelling.
var ecosystemSpelling = func() map[string]string {
	m := make(map[string]string, 2*len(knownEcosystems)+len(purlTypes))
	for _, k := range knownEcosystems {
		m[k] = k
		m[strings.ToLower(k)] = k
	}
	for t, k := range purlTypes {
		m[t] = k
	}
	return m
}()

// splitEcosystem returns the canonical base ecosystem and the suffix of an
// ecosystem string ("Debian:12" → "Debian", "12"). A base that differs from
// a known ecosystem only in letter case ("pypi"), or that is one of the
// purl types above ("golang"), is given the schema's spelling; an unknown
// base is kept as written.
func splitEcosystem(ecosystem string) (base, suffix string) {
	if k, ok := ecosystemSpelling[ecosystem]; ok {
		return k, ""
	}
	ecosystem = strings.TrimSpace(ecosystem)
	base = osv.BaseEcosystem(ecosystem)
	if len(base) < len(ecosystem) {
		suffix = ecosystem[len(base)+1:]
	}
	if k, ok := ecosystemSpelling[base]; ok {
		return k, suffix
	}
	if k, ok := ecosystemSpelling[strings.ToLower(base)]; ok {
		return k, suffix
	}
	return base, suffix
}

// suffixCompatible reports whether a record's ecosystem suffix applies to a
// component's: equal, or either one absent (a component without a release
// suffix is matched against every release's records).
func suffixCompatible(record, component string) bool {
	return record == "" || component == "" || record == component
}

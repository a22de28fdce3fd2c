package advisory

import (
	"fmt"
	"hash/fnv"
	"strings"

	"github.com/craft-cra/craft/internal/osv"
)

// knownEcosystems are the base ecosystem names of the OSV schema
// (ossf/osv-schema ecosystems.json, commit 51b8156) plus "GIT", which some
// tools use for commit-only records. A record naming another ecosystem is
// rejected: craft could not match it and a typo would hide it silently.
var knownEcosystems = map[string]bool{
	"AlmaLinux": true, "Alpaquita": true, "Alpine": true, "Android": true, "Azure Linux": true,
	"BellSoft Hardened Containers": true, "Bioconductor": true, "Bitnami": true, "Chainguard": true,
	"CleanStart": true, "ConanCenter": true, "CRAN": true, "crates.io": true, "Debian": true,
	"Docker Hardened Images": true, "Echo": true, "FreeBSD": true, "GHC": true, "GitHub Actions": true,
	"Go": true, "Hackage": true, "Hex": true, "Julia": true, "Kubernetes": true, "Linux": true,
	"Mageia": true, "Maven": true, "MinimOS": true, "npm": true, "NuGet": true, "opam": true,
	"openEuler": true, "openSUSE": true, "OSS-Fuzz": true, "Packagist": true, "Photon OS": true,
	"Pub": true, "PyPI": true, "Red Hat": true, "Rocky Linux": true, "Root": true, "RubyGems": true,
	"SUSE": true, "SwiftURL": true, "TuxCare": true, "Ubuntu": true, "VSCode": true, "Wolfi": true,
	"GIT": true,
}

// KnownEcosystem reports whether craft accepts records for ecosystem
// (compared on its base name).
func KnownEcosystem(ecosystem string) bool {
	return knownEcosystems[osv.BaseEcosystem(ecosystem)]
}

// validateRecord checks what craft relies on: an ID, known ecosystems, and
// ranges that can be evaluated. It returns the first problem found.
func validateRecord(v *osv.Vulnerability) error {
	if strings.TrimSpace(v.ID) == "" {
		return fmt.Errorf("no id")
	}
	if len(v.ID) > 256 {
		return fmt.Errorf("id longer than 256 characters")
	}
	for i, a := range v.Affected {
		p := a.Package
		if p.Ecosystem != "" || p.Name != "" {
			if p.Ecosystem == "" {
				return fmt.Errorf("affected[%d]: package %q has no ecosystem", i, p.Name)
			}
			if strings.TrimSpace(p.Name) == "" {
				return fmt.Errorf("affected[%d]: package in %s has no name", i, p.Ecosystem)
			}
			if !KnownEcosystem(p.Ecosystem) {
				return fmt.Errorf("affected[%d]: unknown ecosystem %q", i, p.Ecosystem)
			}
		}
		for j, r := range a.Ranges {
			if err := validateRange(r); err != nil {
				return fmt.Errorf("affected[%d].ranges[%d]: %w", i, j, err)
			}
		}
	}
	return nil
}

func validateRange(r osv.Range) error {
	switch r.Type {
	case osv.RangeSemver, osv.RangeEcosystem, osv.RangeGit:
	default:
		return fmt.Errorf("unknown range type %q", r.Type)
	}
	if len(r.Events) == 0 {
		return fmt.Errorf("%s range has no events", r.Type)
	}
	introduced := false
	for k, e := range r.Events {
		set := 0
		for _, f := range []string{e.Introduced, e.Fixed, e.LastAffected, e.Limit} {
			if f != "" {
				set++
			}
		}
		if set != 1 {
			return fmt.Errorf("event %d has %d of introduced/fixed/last_affected/limit, want exactly 1", k, set)
		}
		if e.Introduced != "" {
			introduced = true
		}
	}
	if !introduced {
		return fmt.Errorf("%s range has no introduced event", r.Type)
	}
	return nil
}

// indexKeys returns the (base ecosystem, normalised name) pairs a record is
// found under, without duplicates.
func indexKeys(v *osv.Vulnerability) [][2]string {
	var keys [][2]string
	seen := map[[2]string]bool{}
	for _, a := range v.Affected {
		if a.Package.Ecosystem == "" || a.Package.Name == "" {
			continue
		}
		k := [2]string{osv.BaseEcosystem(a.Package.Ecosystem), osv.NormalizeName(a.Package.Ecosystem, a.Package.Name)}
		if !seen[k] {
			seen[k] = true
			keys = append(keys, k)
		}
	}
	return keys
}

// nameKey is the index key of a package: FNV-1a (64 bit) of the base
// ecosystem, a zero byte and the normalised name. Integer keys keep the
// index small (a lookup of 10,000 names reads few pages) and compare
// fast; lookups check the decoded record's names, so a hash collision
// can never return a record for the wrong package.
func nameKey(base, name string) int64 {
	h := fnv.New64a()
	h.Write([]byte(base))
	h.Write([]byte{0})
	h.Write([]byte(name))
	return int64(h.Sum64())
}

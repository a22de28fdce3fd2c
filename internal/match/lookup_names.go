package match

import "strings"

// LookupNames is what Match asks its Source for a component of this
// ecosystem and name: the base ecosystem and the normalised package names
// whose records apply. base is "" for a component Match does not look up
// (no ecosystem or no name). The monitoring job uses it to tell which
// stored components an advisory update touched.
func LookupNames(ecosystem, name string) (base string, names []string) {
	base, _ = splitEcosystem(ecosystem)
	if base == "" || strings.TrimSpace(name) == "" {
		return "", nil
	}
	if isGoToolchain(base, name) {
		return base, []string{"stdlib", "toolchain"}
	}
	return base, []string{newVersionCache().normalName(base, name)}
}

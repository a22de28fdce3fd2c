package vex

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"maps"
	"slices"
	"strings"

	govex "github.com/openvex/go-vex/pkg/vex"
)

// canonicalHash is go-vex's (*VEX).CanonicalHash computed in one pass into
// the hash: go-vex builds its canonical string by repeated concatenation,
// which is quadratic in the number of statements (seconds for a release
// with a few thousand findings). The string hashed is the same, so the
// document ID is the one go-vex would give; the only difference is that
// component hashes and identifiers are taken in sorted order where go-vex
// takes Go's random map order (identical whenever a component has at most
// one of each, as every document craft writes does).
//
// Like go-vex, it sorts v.Statements in place.
func canonicalHash(v *govex.VEX) (string, error) {
	if v.Timestamp == nil {
		return "", fmt.Errorf("document timestamp is required to compute canonical hash")
	}
	h := sha256.New()
	fmt.Fprintf(h, "%d:%d:%s", v.Timestamp.Unix(), v.Version, v.Author)
	govex.SortStatements(v.Statements, *v.Timestamp)
	var prods []string
	for i := range v.Statements {
		s := &v.Statements[i]
		writeVulnerability(h, s.Vulnerability)
		fmt.Fprintf(h, ":%s:%s", s.Status, s.Justification)
		if s.Timestamp != nil {
			fmt.Fprintf(h, ":%d", s.Timestamp.Unix())
		} else {
			fmt.Fprintf(h, ":%d", v.Timestamp.Unix())
		}
		prods = prods[:0]
		for _, p := range s.Products {
			var b strings.Builder
			writeComponent(&b, p.Component)
			for _, sc := range p.Subcomponents {
				writeComponent(&b, sc.Component)
			}
			prods = append(prods, b.String())
		}
		slices.Sort(prods)
		io.WriteString(h, strings.Join(prods, ":"))
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

func writeVulnerability(h hash.Hash, v govex.Vulnerability) {
	aliases := make([]string, 0, len(v.Aliases))
	for _, a := range v.Aliases {
		aliases = append(aliases, string(a))
	}
	slices.Sort(aliases)
	fmt.Fprintf(h, ":%s:%s:%s", v.ID, v.Name, strings.Join(aliases, ":"))
}

func writeComponent(b *strings.Builder, c govex.Component) {
	fmt.Fprintf(b, ":%s", c.ID)
	for _, algo := range slices.Sorted(maps.Keys(c.Hashes)) {
		fmt.Fprintf(b, ":%s@%s", algo, c.Hashes[algo])
	}
	for _, t := range slices.Sorted(maps.Keys(c.Identifiers)) {
		fmt.Fprintf(b, ":%s@%s", t, c.Identifiers[t])
	}
}

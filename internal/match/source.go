package match

import (
	"context"

	"github.com/craft-cra/craft/internal/osv"
)

// Source gives the advisories that may affect packages of one ecosystem.
// The advisory store implements it.
type Source interface {
	// Vulnerabilities returns, for each of names, the records that name
	// the package in ecosystem (a base ecosystem such as "PyPI" or "Go"),
	// keyed by osv.NormalizeName(ecosystem, name). Names without records
	// may be absent from the map.
	Vulnerabilities(ctx context.Context, ecosystem string, names []string) (map[string][]*osv.Vulnerability, error)
}

// KEVSource looks CVE IDs up in the CISA Known Exploited Vulnerabilities
// catalog. The result holds only the IDs that are in the catalog.
type KEVSource interface {
	KEV(ctx context.Context, cveIDs []string) (map[string]KEV, error)
}

// KEVMap is an in-memory KEVSource keyed by CVE ID.
type KEVMap map[string]KEV

// KEV implements KEVSource.
func (m KEVMap) KEV(ctx context.Context, cveIDs []string) (map[string]KEV, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	out := make(map[string]KEV)
	for _, id := range cveIDs {
		if e, ok := m[id]; ok {
			out[id] = e
		}
	}
	return out, nil
}

// MemorySource is an in-memory Source over a fixed set of records, indexed
// by base ecosystem and normalised package name. Unlike the advisory store
// it keeps withdrawn records (Match skips them). It is safe for concurrent
// use once built.
type MemorySource struct {
	index map[string]map[string][]*osv.Vulnerability
}

// NewMemorySource indexes records. Nil records and affected entries without
// an ecosystem or name are left out.
func NewMemorySource(records []*osv.Vulnerability) *MemorySource {
	s := &MemorySource{index: make(map[string]map[string][]*osv.Vulnerability)}
	for _, v := range records {
		if v == nil {
			continue
		}
		seen := make(map[[2]string]bool)
		for _, a := range v.Affected {
			eco := osv.BaseEcosystem(a.Package.Ecosystem)
			if eco == "" || a.Package.Name == "" {
				continue
			}
			key := [2]string{eco, osv.NormalizeName(eco, a.Package.Name)}
			if seen[key] {
				continue
			}
			seen[key] = true
			byName := s.index[eco]
			if byName == nil {
				byName = make(map[string][]*osv.Vulnerability)
				s.index[eco] = byName
			}
			byName[key[1]] = append(byName[key[1]], v)
		}
	}
	return s
}

// Vulnerabilities implements Source.
func (s *MemorySource) Vulnerabilities(ctx context.Context, ecosystem string, names []string) (map[string][]*osv.Vulnerability, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	eco := osv.BaseEcosystem(ecosystem)
	byName := s.index[eco]
	out := make(map[string][]*osv.Vulnerability)
	for _, n := range names {
		key := osv.NormalizeName(eco, n)
		if recs, ok := byName[key]; ok {
			out[key] = recs
		}
	}
	return out, nil
}

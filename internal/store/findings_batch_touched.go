package store

import (
	"context"
	"fmt"
	"strings"
)

// The monitoring job's incremental re-match (issue 6) asks which releases
// an advisory update can have changed: those with a component of a
// touched package, and those with a finding of a CVE whose KEV entry
// changed.

// PackageName is a package as SBOM components name it, before the
// matcher's normalisation.
type PackageName struct {
	Ecosystem, Name string
}

// packageChunk is how many packages one query asks for (two bound
// parameters each).
const packageChunk = 400

// ComponentPackages returns every distinct (ecosystem, name) of every
// release's components (an index-only read of release_components_name).
func (s *Store) ComponentPackages(ctx context.Context) ([]PackageName, error) {
	rows, err := s.q().QueryContext(ctx, `SELECT DISTINCT ecosystem, name FROM release_components`)
	if err != nil {
		return nil, fmt.Errorf("store: component packages: %w", err)
	}
	defer rows.Close()
	var out []PackageName
	for rows.Next() {
		var p PackageName
		if err := rows.Scan(&p.Ecosystem, &p.Name); err != nil {
			return nil, fmt.Errorf("store: component packages: %w", err)
		}
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: component packages: %w", err)
	}
	return out, nil
}

// ReleasesWithPackages returns the IDs of the releases that have a
// component of one of pkgs (exactly as stored), each once.
func (s *Store) ReleasesWithPackages(ctx context.Context, pkgs []PackageName) (map[string]bool, error) {
	out := make(map[string]bool)
	for start := 0; start < len(pkgs); start += packageChunk {
		chunk := pkgs[start:min(start+packageChunk, len(pkgs))]
		var b strings.Builder
		args := make([]any, 0, 2*len(chunk))
		for i, p := range chunk {
			if i > 0 {
				b.WriteString(" OR ")
			}
			fmt.Fprintf(&b, "(ecosystem = $%d AND name = $%d)", 2*i+1, 2*i+2)
			args = append(args, p.Ecosystem, p.Name)
		}
		if err := s.collectIDs(ctx, `SELECT DISTINCT release_id FROM release_components WHERE `+b.String(), args, out); err != nil {
			return nil, fmt.Errorf("store: releases with packages: %w", err)
		}
	}
	return out, nil
}

// ReleasesWithVulns returns the IDs of the releases with a finding whose
// ID or one of whose aliases is in ids, each once. Aliases hold every
// merged ID of a finding, newline-separated, so one read of the findings'
// release and aliases decides it.
func (s *Store) ReleasesWithVulns(ctx context.Context, ids map[string]struct{}) (map[string]bool, error) {
	out := make(map[string]bool)
	if len(ids) == 0 {
		return out, nil
	}
	rows, err := s.q().QueryContext(ctx, `SELECT release_id, vuln_id, aliases FROM findings`)
	if err != nil {
		return nil, fmt.Errorf("store: releases with vulnerabilities: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var rel, id, aliases string
		if err := rows.Scan(&rel, &id, &aliases); err != nil {
			return nil, fmt.Errorf("store: releases with vulnerabilities: %w", err)
		}
		if out[rel] {
			continue
		}
		if _, ok := ids[id]; ok {
			out[rel] = true
			continue
		}
		for a := range strings.SplitSeq(aliases, "\n") {
			if _, ok := ids[a]; ok {
				out[rel] = true
				break
			}
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: releases with vulnerabilities: %w", err)
	}
	return out, nil
}

// collectIDs adds the first column of query's rows to out.
func (s *Store) collectIDs(ctx context.Context, query string, args []any, out map[string]bool) error {
	rows, err := s.q().QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return err
		}
		out[id] = true
	}
	return rows.Err()
}

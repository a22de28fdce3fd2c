package store

import (
	"context"
	"fmt"
)

// CasesForRelease maps the findings of one release that a case was opened
// for to that case's reference: the key is FindingCaseKey(vulnID,
// componentID). When several cases name the same finding, the newest wins
// (a later case supersedes a duplicate). One query per release, so a
// findings page never asks per finding.
func (s *Store) CasesForRelease(ctx context.Context, productID, version string) (map[string]string, error) {
	rows, err := s.q().QueryContext(ctx, `SELECT reference, finding_vuln, finding_component FROM cases
		WHERE product_id = $1 AND finding_release = $2 AND finding_vuln <> ''
		ORDER BY created_at, reference`, productID, version)
	if err != nil {
		return nil, fmt.Errorf("store: cases of release %s: %w", version, err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var ref, vuln, comp string
		if err := rows.Scan(&ref, &vuln, &comp); err != nil {
			return nil, fmt.Errorf("store: cases of release %s: %w", version, err)
		}
		out[FindingCaseKey(vuln, comp)] = ref
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: cases of release %s: %w", version, err)
	}
	return out, nil
}

// FindingCaseKey is the key of CasesForRelease's map.
func FindingCaseKey(vulnID, componentID string) string {
	return vulnID + "\x00" + componentID
}

package sbom

import (
	"encoding/json"
	"fmt"
	"strings"
	"sync"
)

// spdxLicenseIDs is the SPDX licence and exception list as the CycloneDX
// schema knows it (schemas/spdx.schema.json), loaded once and read only.
var spdxLicenseIDs = sync.OnceValues(func() (map[string]bool, error) {
	data, err := schemaFS.ReadFile("schemas/spdx.schema.json")
	if err != nil {
		return nil, err
	}
	var s struct {
		Enum []string `json:"enum"`
	}
	if err := json.Unmarshal(data, &s); err != nil {
		return nil, fmt.Errorf("schemas/spdx.schema.json: %w", err)
	}
	ids := make(map[string]bool, len(s.Enum))
	for _, id := range s.Enum {
		ids[id] = true
	}
	return ids, nil
})

// licenseKind says how a licence string may be written.
type licenseKind int

const (
	licenseName       licenseKind = iota // free text: not an SPDX id or expression
	licenseID                            // one SPDX licence identifier
	licenseExpression                    // an SPDX licence expression
)

// classifyLicense tells an SPDX licence id from an SPDX expression from
// free text. Identifiers are checked against the SPDX list embedded with the
// CycloneDX schema, so what is written as an id always validates.
func classifyLicense(s string) (licenseKind, error) {
	ids, err := spdxLicenseIDs()
	if err != nil {
		return licenseName, err
	}
	s = strings.TrimSpace(s)
	if ids[s] {
		return licenseID, nil
	}
	tokens := strings.Fields(strings.NewReplacer("(", " ( ", ")", " ) ").Replace(s))
	if len(tokens) == 0 {
		return licenseName, nil
	}
	depth := 0
	wantTerm := true
	for _, t := range tokens {
		switch {
		case t == "(":
			if !wantTerm {
				return licenseName, nil
			}
			depth++
		case t == ")":
			if wantTerm || depth == 0 {
				return licenseName, nil
			}
			depth--
		case t == "AND" || t == "OR" || t == "WITH":
			if wantTerm {
				return licenseName, nil
			}
			wantTerm = true
		default:
			id := strings.TrimSuffix(t, "+")
			known := ids[id] || strings.HasPrefix(id, "LicenseRef-") || strings.HasPrefix(id, "DocumentRef-")
			if !wantTerm || !known {
				return licenseName, nil
			}
			wantTerm = false
		}
	}
	if wantTerm || depth != 0 {
		return licenseName, nil
	}
	return licenseExpression, nil
}

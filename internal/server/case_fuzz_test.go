package server

import (
	"bytes"
	"testing"

	"github.com/craft-cra/craft/internal/store"
)

// FuzzCaseFields: any request body for a case is decoded and checked
// without a panic, and what is accepted stays within the limits.
func FuzzCaseFields(f *testing.F) {
	for _, s := range []string{
		`{"product":"p","title":"t"}`,
		`{"from_report":"CRAFT-2026-0001","cvss_v3_1":"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}`,
		`{"title":"<script>","cve":"CVE-2026-1234","other_ids":["EUVD-2026-1"],"embargo_until":"2027-01-01T00:00:00Z"}`,
		`{"cvss_v4_0":"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N","affected_releases":["1.0"]}`,
		`{"title":"a\u0000b"}`, `{`, `[]`, `null`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var in caseCreate
		if err := decodeStrict(bytes.NewReader(body), &in); err != nil {
			return
		}
		cs := store.Case{Title: "x"}
		if err := in.caseFields.apply(&cs); err != nil {
			return
		}
		if len(cs.Title) > maxCaseTitle || len(cs.Description) > maxCaseText || len(cs.OtherIDs) > maxCaseList ||
			cs.CVSS31Score < 0 || cs.CVSS31Score > 100 || cs.CVSS40Score < 0 || cs.CVSS40Score > 100 {
			t.Fatalf("accepted out-of-limit case %+v", cs)
		}
	})
}

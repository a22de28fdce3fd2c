package csaf

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	cvss31 "github.com/pandatix/go-cvss/31"

	"github.com/craft-cra/craft/internal/golden"
	"github.com/craft-cra/craft/internal/vex"
)

var genT0 = time.Date(2026, 11, 2, 9, 30, 0, 0, time.UTC)

// genSampleInput is a product with three releases: 2.4.0 affected and
// fixed in 2.4.1, 2.3.0 not affected, plus a second vulnerability under
// investigation with a CVSS v4 vector and a KEV date.
func genSampleInput(category string) AdvisoryInput {
	return AdvisoryInput{
		Category:   category,
		TrackingID: "CRAFT-ADV-2026-0007",
		Title:      "Router firmware: <script>alert(1)</script> & OpenSSL flaws",
		Publisher:  Publisher{Name: "Example Networks GmbH", Namespace: "https://psirt.example.eu", ContactDetails: "psirt@example.eu"},
		Status:     StatusFinal,
		Revisions: []RevisionInput{
			{Number: "1", Date: genT0, Summary: "Initial public release."},
			{Number: "2", Date: genT0.Add(48 * time.Hour), Summary: "Added the fixed release 2.4.1."},
		},
		InitialReleaseDate: genT0,
		CurrentReleaseDate: genT0.Add(48 * time.Hour),
		Products: []ProductInput{{Vendor: "Example Networks GmbH", Name: "Router X", Releases: []ReleaseInput{
			{Version: "2.4.0", PURL: "pkg:generic/example/router-x@2.4.0"},
			{Version: "2.3.0", CPE: "cpe:2.3:o:example:router_x:2.3.0:*:*:*:*:*:*:*"},
			{Version: "2.10.0"},
		}}},
		Vulnerabilities: []VulnInput{
			{
				ID: "GHSA-aaaa-bbbb-cccc", Aliases: []string{"CVE-2026-1111", "EUVD-2026-4242"},
				Title:      "Heap overflow in the TLS stack",
				CVSSVector: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
				Components: []string{"openssl 3.0.1 (pkg:generic/openssl@3.0.1)"},
				Statuses: []ReleaseStatus{
					{Product: "Router X", Version: "2.4.0", Status: vex.StatusAffected, FixedIn: "2.4.1"},
					{Product: "Router X", Version: "2.3.0", Status: vex.StatusNotAffected, Justification: vex.VulnerableCodeNotPresent,
						Impact: "2.3.0 ships OpenSSL 1.1.1, which lacks the vulnerable code."},
					{Product: "Router X", Version: "2.10.0", Status: vex.StatusFixed},
				},
				References: []Reference{{Summary: "GitHub advisory", URL: "https://github.com/advisories/GHSA-aaaa-bbbb-cccc"}},
			},
			{
				ID: "CVE-2026-2222", KEVDateAdded: "2026-10-30",
				CVSSVector: "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",
				Statuses: []ReleaseStatus{
					{Product: "Router X", Version: "2.4.0", Status: vex.StatusUnderInvestigation},
					{Product: "Router X", Version: "2.3.0", Status: vex.StatusAffected, Action: "Disable the web interface on the WAN port."},
				},
			},
		},
	}
}

func genMarshal(t *testing.T, v any) []byte {
	t.Helper()
	doc, ok := v.(Document)
	if !ok {
		b, err := json.MarshalIndent(v, "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		return append(b, '\n')
	}
	b, err := Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestGenerateGolden(t *testing.T) {
	for _, tc := range []struct {
		name, category string
	}{
		{"security_advisory", CategorySecurityAdvisory},
		{"vex", CategoryVEX},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := genSampleInput(tc.category)
			doc, err := Generate(in, WithEngine("craft", "test"),
				WithDocumentURL("https://psirt.example.eu/.well-known/csaf/white/2026/craft-adv-2026-0007.json"))
			if err != nil {
				t.Fatal(err)
			}
			got := genMarshal(t, doc)
			golden.Check(t, "testdata/gen_"+tc.name+".json", got, *update)
			if err := CheckDocumentSchema(got); err != nil {
				t.Errorf("generated document: %v", err)
			}
			if probs := genMandatory(doc); len(probs) > 0 {
				t.Errorf("mandatory tests fail:\n%s", strings.Join(probs, "\n"))
			}
			again, err := Generate(in, WithEngine("craft", "test"),
				WithDocumentURL("https://psirt.example.eu/.well-known/csaf/white/2026/craft-adv-2026-0007.json"))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(genMarshal(t, again), got) {
				t.Error("Generate is not deterministic")
			}
		})
	}
}

// genFindingsInput has the shape the server builds from a release's
// findings: severity without a vector, untriaged findings fixed in a newer
// release, a not_affected release with an impact statement only.
func genFindingsInput(category string) AdvisoryInput {
	in := genSampleInput(category)
	in.Status = StatusDraft
	in.Revisions = []RevisionInput{{Number: "0", Date: genT0, Summary: "Draft generated from the findings of release 1.0.0."}}
	in.Products = []ProductInput{{Name: "router", Releases: []ReleaseInput{{Version: "1.0.0"}}}}
	in.Vulnerabilities = []VulnInput{
		{ID: "GHSA-aaaa-bbbb-cccc", Aliases: []string{"CVE-2026-1111"}, SeverityLevel: "critical", SeverityScore: 9.8,
			KEVDateAdded: "2026-10-30", Components: []string{"openssl 3.0.1 (pkg:generic/openssl@3.0.1); fixed in openssl 3.0.2"},
			Statuses: []ReleaseStatus{{Product: "router", Version: "1.0.0", Status: vex.StatusUnderInvestigation, FixedIn: "1.1.0"}}},
		{ID: "GO-2026-0042", SeverityLevel: "medium", SeverityScore: 5.3,
			Statuses: []ReleaseStatus{{Product: "router", Version: "1.0.0", Status: vex.StatusNotAffected,
				Impact: "The manufacturer's security team assessed this release as not affected."}}},
		{ID: "PYSEC-2026-7", SeverityLevel: "high",
			Statuses: []ReleaseStatus{{Product: "router", Version: "1.0.0", Status: vex.StatusAffected}}},
	}
	return in
}

func TestGenerateFromFindingsShape(t *testing.T) {
	for _, category := range []string{CategorySecurityAdvisory, CategoryVEX} {
		t.Run(category, func(t *testing.T) {
			doc, err := Generate(genFindingsInput(category))
			if err != nil {
				t.Fatal(err)
			}
			got := genMarshal(t, doc)
			golden.Check(t, "testdata/gen_findings_"+category+".json", got, *update)
			if err := CheckDocumentSchema(got); err != nil {
				t.Error(err)
			}
			if probs := genMandatory(doc); len(probs) > 0 {
				t.Errorf("mandatory tests fail:\n%s", strings.Join(probs, "\n"))
			}
			if doc.Vulnerabilities[0].ProductStatus.Fixed == nil || doc.Vulnerabilities[0].Remediations[0].Category != RemediationVendorFix {
				t.Errorf("fixed release missing: %+v", doc.Vulnerabilities[0])
			}
		})
	}
}

func TestOpenVEXGolden(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteOpenVEX(&buf, genSampleInput(CategoryVEX)); err != nil {
		t.Fatal(err)
	}
	golden.Check(t, "testdata/gen_openvex.json", buf.Bytes(), *update)
	sts, err := vex.Read("gen_openvex.json", bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatalf("craft cannot read its own OpenVEX back: %v", err)
	}
	if len(sts) != 6 {
		t.Errorf("statements = %d, want 6 (five release statuses and the fixed-in release)", len(sts))
	}
}

func TestGenerateDraftVersionZero(t *testing.T) {
	in := genSampleInput(CategorySecurityAdvisory)
	in.Status = StatusDraft
	in.Revisions = []RevisionInput{{Number: "0", Date: genT0, Summary: "Draft."}}
	doc, err := Generate(in)
	if err != nil {
		t.Fatal(err)
	}
	if doc.Document.Tracking.Version != "0" {
		t.Errorf("version = %q", doc.Document.Tracking.Version)
	}
	if err := CheckDocumentSchema(genMarshal(t, doc)); err != nil {
		t.Error(err)
	}
	if probs := genMandatory(doc); len(probs) > 0 {
		t.Errorf("mandatory tests fail:\n%s", strings.Join(probs, "\n"))
	}
}

func TestGenerateRefusesBadInput(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(*AdvisoryInput)
		want   string
	}{
		{"unknown category", func(in *AdvisoryInput) { in.Category = "csaf_base" }, "category"},
		{"empty title", func(in *AdvisoryInput) { in.Title = "  " }, "title"},
		{"bad lang", func(in *AdvisoryInput) { in.Lang = "not a tag" }, "lang"},
		{"final with version 0", func(in *AdvisoryInput) {
			in.Revisions = []RevisionInput{{Number: "0", Date: genT0, Summary: "x"}}
		}, "drafts only"},
		{"gap in history", func(in *AdvisoryInput) { in.Revisions[1].Number = "3" }, "does not follow"},
		{"semver number", func(in *AdvisoryInput) { in.Revisions[0].Number = "1.0.0" }, "whole number"},
		{"history dates go back", func(in *AdvisoryInput) { in.Revisions[1].Date = genT0.Add(-time.Hour) }, "earlier"},
		{"unknown release", func(in *AdvisoryInput) { in.Vulnerabilities[0].Statuses[0].Version = "9.9" }, "not in products"},
		{"unknown product", func(in *AdvisoryInput) { in.Vulnerabilities[0].Statuses[0].Product = "Modem" }, "not in products"},
		{"contradicting status", func(in *AdvisoryInput) {
			in.Vulnerabilities[0].Statuses = append(in.Vulnerabilities[0].Statuses,
				ReleaseStatus{Product: "Router X", Version: "2.3.0", Status: vex.StatusAffected})
		}, "6.1.6"},
		{"fixed-in release said affected", func(in *AdvisoryInput) {
			in.Vulnerabilities[0].Statuses[2] = ReleaseStatus{Product: "Router X", Version: "2.4.1", Status: vex.StatusAffected}
		}, "6.1.6"},
		{"not_affected without reason", func(in *AdvisoryInput) {
			in.Vulnerabilities[0].Statuses[1].Justification, in.Vulnerabilities[0].Statuses[1].Impact = "", ""
		}, "justification or an impact"},
		{"version range as version", func(in *AdvisoryInput) { in.Products[0].Releases[2].Version = "< 2.0" }, "version range"},
		{"bad purl", func(in *AdvisoryInput) { in.Products[0].Releases[0].PURL = "pkg:" }, "purl"},
		{"bad cvss", func(in *AdvisoryInput) { in.Vulnerabilities[0].CVSSVector = "CVSS:3.1/AV:X" }, "cvss"},
		{"cvss v2", func(in *AdvisoryInput) { in.Vulnerabilities[0].CVSSVector = "AV:N/AC:L/Au:N/C:P/I:P/A:P" }, "cvss"},
		{"same CVE twice", func(in *AdvisoryInput) {
			in.Vulnerabilities[1].Aliases = []string{"CVE-2026-1111"}
			in.Vulnerabilities[1].ID = "GHSA-zzzz"
		}, "6.1.23"},
		{"no vulnerabilities", func(in *AdvisoryInput) { in.Vulnerabilities = nil }, "no vulnerabilities"},
		{"no publisher", func(in *AdvisoryInput) { in.Publisher.Namespace = "" }, "publisher"},
		{"tracking id with spaces", func(in *AdvisoryInput) { in.TrackingID = " X " }, "tracking id"},
	} {
		t.Run(strings.ReplaceAll(tc.name, " ", "_"), func(t *testing.T) {
			in := genSampleInput(CategorySecurityAdvisory)
			tc.change(&in)
			_, err := Generate(in)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want one mentioning %q", err, tc.want)
			}
		})
	}
}

// TestFilename uses the tracking IDs and file names of the OASIS file-name
// conformance documents (test/filenames, see testdata/gen_SOURCE.md).
func TestFilename(t *testing.T) {
	for _, tc := range []struct{ id, want string }{
		{"OASIS_CSAF_TC-CSAF_2.0-2021-5-1-11", "oasis_csaf_tc-csaf_2_0-2021-5-1-11.json"},
		{"OASIS_CSAF_TC-CSAF_2.0-2021-5-1-12", "oasis_csaf_tc-csaf_2_0-2021-5-1-12.json"},
		{"OASIS: #/CSAF_TC-CSAF_2.0-2021-5-1-13", "oasis_csaf_tc-csaf_2_0-2021-5-1-13.json"},
		{"CRAFT-ADV-2026-0007", "craft-adv-2026-0007.json"},
		{"a+b", "a+b.json"},
	} {
		if got := Filename(tc.id); got != tc.want {
			t.Errorf("Filename(%q) = %q, want %q", tc.id, got, tc.want)
		}
	}
	// The invalid examples' file names are not what 5.1 gives.
	for id, bad := range map[string]string{
		"OASIS_CSAF_TC-CSAF_2.0-2021-5-1-01":    "OASIS_CSAF_TC-CSAF_2.0-2021-5-1-01.json",
		"OASIS_CSAF_TC-CSAF_2.0-2021-5-1-02":    "oasis-open_csaf_tc-csaf_20-2021-5-1-02.json",
		"OASIS: #/CSAF_TC-CSAF_2.0-2021-5-1-03": "oasis____csaf_tc-csaf_2_0-2021-5-1-03.json",
	} {
		if Filename(id) == bad {
			t.Errorf("Filename(%q) = %q, the invalid example", id, bad)
		}
	}
}

func TestFlagLabelCoversEveryJustification(t *testing.T) {
	for _, j := range []vex.Justification{vex.ComponentNotPresent, vex.VulnerableCodeNotPresent, vex.VulnerableCodeNotInExecutePath,
		vex.VulnerableCodeCannotBeControlledByAdversary, vex.InlineMitigationsAlreadyExist} {
		if FlagLabel(j) != string(j) {
			t.Errorf("FlagLabel(%q) = %q", j, FlagLabel(j))
		}
	}
}

// genMandatory runs the mandatory tests of CSAF 2.0 section 6.1 that
// concern what Generate writes (product IDs, statuses, revision history,
// CVSS, profile rules, flags and remediations). It is a test-side check
// of Generate's own guarantees; csaf.Validate is the full validator.
func genMandatory(doc Document) []string {
	var probs []string
	bad := func(test, format string, args ...any) {
		probs = append(probs, test+": "+fmt.Sprintf(format, args...))
	}
	defined := map[string]int{}
	var walk func([]Branch)
	walk = func(bs []Branch) {
		for _, b := range bs {
			if b.Product != nil {
				defined[b.Product.ProductID]++
			}
			walk(b.Branches)
		}
	}
	if doc.ProductTree == nil {
		bad("6.1.27.4", "no product tree")
	} else {
		walk(doc.ProductTree.Branches)
	}
	for id, n := range defined {
		if n > 1 {
			bad("6.1.2", "%s defined %d times", id, n)
		}
	}
	ref := func(where string, ids []string) {
		if len(ids) == 0 {
			bad("6.1.29/6.1.32", "%s names no product", where)
		}
		for _, id := range ids {
			if defined[id] == 0 {
				bad("6.1.1", "%s: %s not defined", where, id)
			}
		}
	}
	tr := doc.Document.Tracking
	hist := tr.RevisionHistory
	if !slices.IsSortedFunc(hist, func(a, b Revision) int { return strings.Compare(a.Date, b.Date) }) {
		bad("6.1.14", "revision history not sorted by date")
	}
	if len(hist) == 0 || hist[len(hist)-1].Number != tr.Version {
		bad("6.1.16", "version %s is not the last revision", tr.Version)
	}
	if tr.Version == "0" && tr.Status != StatusDraft {
		bad("6.1.17", "version 0 not draft")
	}
	for i, r := range hist {
		if r.Number == "0" && tr.Status != StatusDraft {
			bad("6.1.18", "revision 0 in a %s document", tr.Status)
		}
		if i > 0 && r.Number == hist[i-1].Number {
			bad("6.1.22", "revision %s twice", r.Number)
		}
	}
	hasNote := slices.ContainsFunc(doc.Document.Notes, func(n Note) bool {
		return slices.Contains([]string{NoteDescription, NoteDetails, NoteGeneral, NoteSummary}, n.Category)
	})
	if !hasNote {
		bad("6.1.27.1", "no description/details/general/summary note")
	}
	if len(doc.Vulnerabilities) == 0 {
		bad("6.1.27.3", "no vulnerabilities")
	}
	cves := map[string]bool{}
	for _, v := range doc.Vulnerabilities {
		name := v.CVE + fmt.Sprint(v.IDs)
		if v.CVE != "" {
			if cves[v.CVE] {
				bad("6.1.23", "%s twice", v.CVE)
			}
			cves[v.CVE] = true
		}
		if doc.Document.Category == CategoryVEX && v.CVE == "" && len(v.IDs) == 0 {
			bad("6.1.27.8", "vulnerability without cve or ids")
		}
		if len(v.Notes) == 0 && doc.Document.Category == CategorySecurityAdvisory {
			bad("6.1.27.5", "%s has no notes", name)
		}
		if v.ProductStatus == nil {
			bad("6.1.27.6", "%s has no product status", name)
			continue
		}
		ps := v.ProductStatus
		group := map[string]string{}
		for g, ids := range map[string][]string{"affected": ps.KnownAffected, "not_affected": ps.KnownNotAffected,
			"fixed": ps.Fixed, "under_investigation": ps.UnderInvestigation} {
			for _, id := range ids {
				if defined[id] == 0 {
					bad("6.1.1", "%s product_status.%s: %s not defined", name, g, id)
				}
				if o, ok := group[id]; ok {
					bad("6.1.6", "%s: %s both %s and %s", name, id, o, g)
				}
				group[id] = g
			}
		}
		if len(group) == 0 {
			bad("6.1.27.7", "%s has an empty product status", name)
		}
		for _, f := range v.Flags {
			ref(name+" flag", f.ProductIDs)
		}
		for _, r := range v.Remediations {
			ref(name+" remediation", r.ProductIDs)
		}
		flagged := map[string]int{}
		for _, f := range v.Flags {
			for _, id := range f.ProductIDs {
				flagged[id]++
				if flagged[id] > 1 {
					bad("6.1.33", "%s: %s has several flags", name, id)
				}
			}
		}
		if doc.Document.Category == CategoryVEX {
			for _, id := range ps.KnownNotAffected {
				impact := slices.ContainsFunc(v.Threats, func(t Threat) bool {
					return t.Category == ThreatImpact && slices.Contains(t.ProductIDs, id)
				})
				if flagged[id] == 0 && !impact {
					bad("6.1.27.9", "%s: %s not_affected without flag or impact", name, id)
				}
			}
			for _, id := range ps.KnownAffected {
				if !slices.ContainsFunc(v.Remediations, func(r Remediation) bool { return slices.Contains(r.ProductIDs, id) }) {
					bad("6.1.27.10", "%s: %s affected without remediation", name, id)
				}
			}
		}
		seenScore := map[string]bool{}
		for _, s := range v.Scores {
			ref(name+" score", s.Products)
			for _, id := range s.Products {
				if seenScore[id] {
					bad("6.1.7", "%s: two v3 scores for %s", name, id)
				}
				seenScore[id] = true
			}
			if s.CVSSv3 != nil {
				c, err := cvss31.ParseVector(s.CVSSv3.VectorString)
				if err != nil {
					bad("6.1.8", "%s: %v", name, err)
					continue
				}
				if c.BaseScore() != s.CVSSv3.BaseScore {
					bad("6.1.9", "%s: score %v, vector gives %v", name, s.CVSSv3.BaseScore, c.BaseScore())
				}
				if r, _ := cvss31.Rating(c.BaseScore()); r != s.CVSSv3.BaseSeverity {
					bad("6.1.10", "%s: severity %s, vector gives %s", name, s.CVSSv3.BaseSeverity, r)
				}
			}
		}
	}
	return probs
}

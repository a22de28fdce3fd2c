package csaf

import (
	"testing"

	"github.com/craft-cra/craft/internal/vex"
)

// FuzzGenerateDocumentFields: the same for the document-level fields.
func FuzzGenerateDocumentFields(f *testing.F) {
	f.Add("CRAFT-ADV-2026-0007", "en", "https://psirt.example.eu", "Example", "summary", "ref", "https://example.eu/a")
	f.Add(" x", "de-DE", "not a url", "", "", "", "")
	f.Add("x", "en", "0", "p", "s", "r", "0")
	f.Fuzz(func(t *testing.T, trackingID, lang, namespace, publisher, summary, refSummary, refURL string) {
		in := genSampleInput(CategorySecurityAdvisory)
		in.TrackingID, in.Lang, in.Summary = trackingID, lang, summary
		in.Publisher.Namespace, in.Publisher.Name = namespace, publisher
		in.References = []Reference{{Summary: refSummary, URL: refURL}}
		doc, err := Generate(in)
		if err != nil {
			return
		}
		b, err := Marshal(doc)
		if err != nil {
			t.Fatal(err)
		}
		if err := CheckDocumentSchema(b); err != nil {
			t.Fatalf("Generate accepted input whose document breaks the schema: %v", err)
		}
	})
}

// FuzzGenerateVulnerabilityFields: the same for a vulnerability's texts.
func FuzzGenerateVulnerabilityFields(f *testing.F) {
	f.Add("t", "d", "c", "CWE-79", "XSS", "high", 7.5, "2026-10-30", "action", "impact")
	f.Add("", "", "", "CWE-0", "", "", -1.0, "", "", "")
	f.Fuzz(func(t *testing.T, title, desc, comp, cweID, cweName, level string, score float64, kev, action, impact string) {
		in := genSampleInput(CategoryVEX)
		v := &in.Vulnerabilities[1]
		v.Title, v.Description, v.Components = title, desc, []string{comp}
		v.CWE = &CWE{ID: cweID, Name: cweName}
		v.CVSSVector, v.SeverityLevel, v.SeverityScore, v.KEVDateAdded = "", level, score, kev
		v.Statuses[1].Action = action
		in.Vulnerabilities[0].Statuses[1].Impact = impact
		doc, err := Generate(in)
		if err != nil {
			return
		}
		b, err := Marshal(doc)
		if err != nil {
			t.Fatal(err)
		}
		if err := CheckDocumentSchema(b); err != nil {
			t.Fatalf("Generate accepted input whose document breaks the schema: %v", err)
		}
	})
}

// FuzzGenerate: whatever text a case or a finding carries (titles,
// versions, IDs, vectors, purls, statuses), Generate returns a document
// or an error and never panics; a document it returns is schema-valid.
func FuzzGenerate(f *testing.F) {
	f.Add("Router <b>X</b>", "2.4.0", "CVE-2026-1111", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "pkg:generic/x@1", "affected", "2.4.1")
	f.Add("", "< 2", "", "CVSS:4.0/AV:N", "pkg:", "not_affected", "")
	f.Add("t", "1", "GHSA-x", "", "", "under_investigation", "1")
	f.Add("t", "1", "CVE-", "", "", "fixed", "")
	f.Fuzz(func(t *testing.T, title, version, id, vector, purl, status, fixedIn string) {
		in := genSampleInput(CategoryVEX)
		in.Title = title
		in.Products[0].Releases[0] = ReleaseInput{Version: version, PURL: purl}
		in.Vulnerabilities[0].ID = id
		in.Vulnerabilities[0].CVSSVector = vector
		in.Vulnerabilities[0].Statuses = []ReleaseStatus{{Product: "Router X", Version: version, Status: vex.Status(status),
			FixedIn: fixedIn, Justification: vex.ComponentNotPresent}}
		doc, err := Generate(in)
		if err != nil {
			return
		}
		b, err := Marshal(doc)
		if err != nil {
			t.Fatal(err)
		}
		if err := CheckDocumentSchema(b); err != nil {
			t.Fatalf("Generate accepted input whose document breaks the schema: %v", err)
		}
	})
}

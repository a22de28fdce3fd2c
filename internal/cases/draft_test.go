package cases

import (
	"encoding/json"
	"flag"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/craft-cra/craft/internal/golden"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

func sampleCase(t *testing.T) CaseInfo {
	t.Helper()
	v3, err := ScoreCVSS31("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H")
	if err != nil {
		t.Fatal(err)
	}
	return CaseInfo{
		Reference: "CASE-2026-0001", Title: "Heap overflow in the header parser",
		Description:  "A crafted header overflows a heap buffer in parse_header.",
		Manufacturer: "Example Devices GmbH", Product: "Gateway", ProductClass: "important-i",
		AffectedVersions: []string{"2.3.0", "2.3.1"}, FixedIn: "2.3.2", MemberStates: []string{"AT", "DE", "FR"},
		CVE: "CVE-2026-12345", OtherIDs: []string{"EUVD-2026-4242", "GHSA-xxxx-yyyy-zzzz"}, CVSS31: &v3,
		Exploitation: "Listed in the CISA KEV catalog since 2026-11-29.",
		MeasureAt:    time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC), MeasureNote: "Release 2.3.2 bounds the header length.",
		IncidentAwareAt: time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC), IncidentMalicious: "yes",
	}
}

// TestDraftGolden: every stage's draft, JSON and Markdown.
func TestDraftGolden(t *testing.T) {
	c := sampleCase(t)
	gen := time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)
	for _, s := range Stages() {
		t.Run(string(s), func(t *testing.T) {
			d, err := NewDraft(s, c, time.Date(2026, 12, 17, 9, 0, 0, 0, time.UTC), gen)
			if err != nil {
				t.Fatal(err)
			}
			j, err := d.JSON()
			if err != nil {
				t.Fatal(err)
			}
			golden.Check(t, filepath.Join("testdata", "drafts", string(s)+".json"), j, *update)
			golden.Check(t, filepath.Join("testdata", "drafts", string(s)+".md"), d.Markdown(), *update)
		})
	}
}

// TestDraftToComplete: an empty case leaves every obligatory field to
// complete, and a stage's field set follows the Q16 table.
func TestDraftToComplete(t *testing.T) {
	d, err := NewDraft(StageVulnNotification, CaseInfo{Reference: "CASE-2026-0009"}, time.Time{}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	want := "7 8 11 12 v16 v17 v18 v19 v20"
	if got := strings.Join(d.ToComplete, " "); got != want {
		t.Fatalf("to complete %q, want %q", got, want)
	}
	for _, f := range d.Fields {
		if strings.HasPrefix(f.ID, "i") {
			t.Errorf("incident field %s in a vulnerability draft", f.ID)
		}
	}
	if _, err := NewDraft("bogus", CaseInfo{}, time.Time{}, time.Time{}); err == nil {
		t.Fatal("unknown stage accepted")
	}
}

// TestDraftHostile: markup and odd Unicode in the case stay data: the JSON
// round-trips them, the Markdown escapes what Markdown or HTML would read.
func TestDraftHostile(t *testing.T) {
	hostile := "<script>alert(1)</script> [x](javascript:alert(1)) **b** \u202e\u200b é 🚀\nline2 | pipe"
	c := CaseInfo{Reference: "CASE-2026-0002", Title: hostile, Description: hostile, Product: hostile, Manufacturer: hostile}
	d, err := NewDraft(StageVulnFinal, c, time.Time{}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	j, err := d.JSON()
	if err != nil {
		t.Fatal(err)
	}
	var back Draft
	if err := json.Unmarshal(j, &back); err != nil {
		t.Fatal(err)
	}
	if back.Fields[len(commonFields)-1].Value != hostile {
		t.Fatalf("title did not round-trip: %q", back.Fields[len(commonFields)-1].Value)
	}
	md := string(d.Markdown())
	for _, bad := range []string{"<script>", "[x]", "**b**"} {
		if strings.Contains(md, bad) {
			t.Errorf("markdown holds %q unescaped", bad)
		}
	}
}

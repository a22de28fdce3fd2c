package server

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/craft-cra/craft/internal/auth"
	"github.com/craft-cra/craft/internal/browsertest"
	"github.com/craft-cra/craft/internal/cases"
	"github.com/craft-cra/craft/internal/store"
)

// TestCaseBrowserWalk: a reporter submits on the public /report page; the
// product's security officer creates a case from it, marks it actively
// exploited, sees the three deadlines, opens the drafts and records the
// early warning's submission. Screenshots are named for what they show.
func TestCaseBrowserWalk(t *testing.T) {
	browsertest.NeedChromium(t)
	s, ts, clk := browserServer(t)
	ctx := browsertest.Browser(t, 120*time.Second)
	var console browsertest.Console
	console.Collect(ctx)
	b := &browsertest.Tab{T: t, Ctx: ctx, Base: ts.URL, Shot: t.TempDir()}
	bg := context.Background()

	p, err := s.store.CreateProduct(bg, store.Product{Name: "Widget Firmware"})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.store.SetProductProfile(bg, p.ID, store.ProductProfile{Manufacturer: "Example Devices GmbH",
		MemberStates: []string{"DE", "FR"}}); err != nil {
		t.Fatal(err)
	}
	for _, v := range []string{"4.0.0", "4.1.0", "4.1.1"} {
		if _, err := s.store.CreateRelease(bg, store.Release{ProductID: p.ID, Version: v}); err != nil {
			t.Fatal(err)
		}
	}
	u, err := auth.NewAccount(cheapHasher(), auth.NewUser{Email: "so@example.eu", Password: browserPassword, Role: auth.RoleSecurityOfficer}, clk.Now())
	if err != nil {
		t.Fatal(err)
	}
	if u, err = s.auth.Users.CreateUser(bg, u); err != nil {
		t.Fatal(err)
	}
	if err := s.store.SetMembership(bg, store.Membership{UserID: u.ID, ProductID: p.ID, Role: store.RoleSecurityOfficer}); err != nil {
		t.Fatal(err)
	}

	// 1. The public report page.
	if st := b.Open("/report"); st != http.StatusOK {
		t.Fatalf("report page: %d", st)
	}
	b.Step("choose product", chromedp.SetValue(chromedp.CSS("#product"), p.ID))
	b.Fill("#version", "4.1.0", "#title", "Header overflow <b>bold</b>",
		"#description", "A long header overflows the parser buffer. <script>alert(1)</script>", "#contact", "mailto:finder@example.org")
	clk.Advance(5 * time.Second)
	b.Submit("submit report", "main form button[type=submit]", http.StatusCreated)
	b.Screenshot("case-1-report-received")
	ref := b.Text("main strong")
	if !strings.HasPrefix(ref, "CRAFT-") {
		t.Fatalf("report reference %q", ref)
	}

	// 2. The officer signs in and creates a case from the report.
	b.Open("/login")
	b.Fill("#email", "so@example.eu", "#password", browserPassword)
	b.Submit("sign in", "main form button[type=submit]", http.StatusOK)
	if st := b.Open("/cases"); st != http.StatusOK {
		t.Fatalf("cases page: %d", st)
	}
	b.Fill("#from-report", ref)
	b.Submit("create case", "#create-case", http.StatusCreated)
	if !strings.HasPrefix(b.Text("h1"), "CASE-") || b.Text("#case-state") != "new" {
		t.Fatalf("case page: %q", b.Text("main"))
	}
	caseRef := strings.SplitN(b.Text("h1"), ":", 2)[0]
	b.Screenshot("case-2-created-from-report")

	// 2b. The edit form: the product's releases as boxes, the fix as a
	// choice, the CVE typed.
	b.Step("tick 4.0.0", chromedp.Click(chromedp.CSS(`#edit-affected input[value="4.0.0"]`)))
	b.Step("choose the fix", chromedp.SetValue(chromedp.CSS("#edit-fixed"), "4.1.1"))
	b.Fill("#edit-cve", "CVE-2026-12345")
	b.Submit("save case", "#save-case", http.StatusOK)
	if facts := b.Text("main .facts"); !strings.Contains(facts, "4.0.0") || !strings.Contains(facts, "4.1.0") || !strings.Contains(facts, "CVE-2026-12345") ||
		!strings.Contains(facts, "4.1.1") {
		t.Fatalf("after editing: %q", facts)
	}
	b.Screenshot("case-2b-edited")

	// 3. Marked actively exploited (awareness: now): three deadlines.
	b.Submit("mark exploited", "#mark-exploited", http.StatusOK)
	if n := b.Count("#deadlines tbody tr"); n != 3 {
		t.Fatalf("%d deadlines, want 3: %q", n, b.Text("main"))
	}
	dl := b.Text("#deadlines")
	for _, want := range []string{"early warning", "vulnerability notification", "final report", "24 h left", "3 d 0 h left",
		"due 14 days after a corrective or mitigating measure"} {
		if !strings.Contains(dl, want) {
			t.Errorf("deadlines table lacks %q: %q", want, dl)
		}
	}
	b.Screenshot("case-3-three-deadlines")

	// 4. The drafts: both formats, as the links fetch them.
	fetch := func(url string) string {
		t.Helper()
		body, err := chromedp.Run(ctx, chromedp.Evaluate[string](`fetch(`+browsertest.JSString(url)+`).then(r => r.ok ? r.text() : "status " + r.status)`,
			chromedp.EvalAwaitPromise))
		if err != nil {
			t.Fatalf("fetch %s: %v", url, err)
		}
		return body
	}
	href, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector("#deadlines a[href$='format=json']").getAttribute("href")`))
	if err != nil {
		t.Fatal(err)
	}
	var d cases.Draft
	if err := json.Unmarshal([]byte(fetch(href)), &d); err != nil {
		t.Fatalf("JSON draft: %v", err)
	}
	if d.Stage != cases.StageVulnEarlyWarning || d.Case != caseRef || len(d.ToComplete) != 0 {
		t.Errorf("early warning draft %+v", d)
	}
	md := fetch(strings.Replace(href, "format=json", "format=markdown", 1))
	if !strings.Contains(md, "Example Devices GmbH") || !strings.Contains(md, "DE, FR") || strings.Contains(md, "<b>bold</b>") {
		t.Errorf("markdown draft:\n%s", md)
	}
	b.Step("show the markdown draft", chromedp.Evaluate[chromedp.Void](`(() => {
		const pre = document.createElement("pre"); pre.id = "draft-preview"; pre.textContent = `+browsertest.JSString(md)+`;
		document.querySelector("main").appendChild(pre); pre.scrollIntoView(); })()`))
	b.Screenshot("case-4-early-warning-draft")

	// 5. The early warning's submission, recorded by hand.
	// Not before the awareness (the form has minutes, the awareness
	// seconds): two minutes on, the page's now is past it.
	clk.Advance(2 * time.Minute)
	if st := b.Open("/cases/" + caseRef); st != http.StatusOK { // not a reload: that would post the last form again
		t.Fatalf("case page %d", st)
	}
	b.Fill("#sub-at", clk.Now().UTC().Format("2006-01-02T15:04"), "#sub-ref", "SRP-2026-000042")
	b.Submit("record submission", "#record-submission", http.StatusOK)
	if sub := b.Text("#submissions"); !strings.Contains(sub, "SRP-2026-000042") {
		t.Errorf("submission not listed: %q", sub)
	}
	if dl := b.Text("#deadlines"); !strings.Contains(dl, "submitted") {
		t.Errorf("early warning not shown submitted: %q", dl)
	}
	b.Screenshot("case-5-submission-recorded")

	// The list shows the countdowns.
	b.Open("/cases")
	if list := b.Text("main table"); !strings.Contains(list, caseRef) || !strings.Contains(list, "h left") {
		t.Errorf("case list: %q", list)
	}
	b.Screenshot("case-6-list-with-countdowns")

	time.Sleep(100 * time.Millisecond)
	for _, m := range console.Problems(ts.URL) {
		t.Errorf("console: %s", m)
	}
	t.Logf("screenshots in %s", b.Shot)
}

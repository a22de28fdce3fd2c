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
	"github.com/craft-cra/craft/internal/cases"
	"github.com/craft-cra/craft/internal/store"
)

// TestCaseBrowserWalk: a reporter submits on the public /report page; the
// product's security officer creates a case from it, marks it actively
// exploited, sees the three deadlines, opens the drafts and records the
// early warning's submission. Screenshots are named for what they show.
func TestCaseBrowserWalk(t *testing.T) {
	needChromium(t)
	s, ts, clk := browserServer(t)
	ctx := browser(t, 120*time.Second)
	var console consoleLog
	console.collect(ctx)
	b := &tab{t: t, ctx: ctx, base: ts.URL, shot: t.TempDir()}
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
	if st := b.open("/report"); st != http.StatusOK {
		t.Fatalf("report page: %d", st)
	}
	b.step("choose product", chromedp.SetValue(chromedp.CSS("#product"), p.ID))
	b.fill("#version", "4.1.0", "#title", "Header overflow <b>bold</b>",
		"#description", "A long header overflows the parser buffer. <script>alert(1)</script>", "#contact", "mailto:finder@example.org")
	clk.Advance(5 * time.Second)
	b.submit("submit report", "main form button[type=submit]", http.StatusCreated)
	b.screenshot("case-1-report-received")
	ref := b.text("main strong")
	if !strings.HasPrefix(ref, "CRAFT-") {
		t.Fatalf("report reference %q", ref)
	}

	// 2. The officer signs in and creates a case from the report.
	b.open("/login")
	b.fill("#email", "so@example.eu", "#password", browserPassword)
	b.submit("sign in", "main form button[type=submit]", http.StatusOK)
	if st := b.open("/cases"); st != http.StatusOK {
		t.Fatalf("cases page: %d", st)
	}
	b.fill("#from-report", ref)
	b.submit("create case", "#create-case", http.StatusCreated)
	if !strings.HasPrefix(b.text("h1"), "CASE-") || b.text("#case-state") != "new" {
		t.Fatalf("case page: %q", b.text("main"))
	}
	caseRef := strings.SplitN(b.text("h1"), ":", 2)[0]
	b.screenshot("case-2-created-from-report")

	// 2b. The edit form: the product's releases as boxes, the fix as a
	// choice, the CVE typed.
	b.step("tick 4.0.0", chromedp.Click(chromedp.CSS(`#edit-affected input[value="4.0.0"]`)))
	b.step("choose the fix", chromedp.SetValue(chromedp.CSS("#edit-fixed"), "4.1.1"))
	b.fill("#edit-cve", "CVE-2026-12345")
	b.submit("save case", "#save-case", http.StatusOK)
	if facts := b.text("main .facts"); !strings.Contains(facts, "4.0.0") || !strings.Contains(facts, "4.1.0") || !strings.Contains(facts, "CVE-2026-12345") ||
		!strings.Contains(facts, "4.1.1") {
		t.Fatalf("after editing: %q", facts)
	}
	b.screenshot("case-2b-edited")

	// 3. Marked actively exploited (awareness: now): three deadlines.
	b.submit("mark exploited", "#mark-exploited", http.StatusOK)
	if n := b.count("#deadlines tbody tr"); n != 3 {
		t.Fatalf("%d deadlines, want 3: %q", n, b.text("main"))
	}
	dl := b.text("#deadlines")
	for _, want := range []string{"early warning", "vulnerability notification", "final report", "24 h left", "3 d 0 h left",
		"due 14 days after a corrective or mitigating measure"} {
		if !strings.Contains(dl, want) {
			t.Errorf("deadlines table lacks %q: %q", want, dl)
		}
	}
	b.screenshot("case-3-three-deadlines")

	// 4. The drafts: both formats, as the links fetch them.
	fetch := func(url string) string {
		t.Helper()
		body, err := chromedp.Run(ctx, chromedp.Evaluate[string](`fetch(`+jsString(url)+`).then(r => r.ok ? r.text() : "status " + r.status)`,
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
	b.step("show the markdown draft", chromedp.Evaluate[chromedp.Void](`(() => {
		const pre = document.createElement("pre"); pre.id = "draft-preview"; pre.textContent = `+jsString(md)+`;
		document.querySelector("main").appendChild(pre); pre.scrollIntoView(); })()`))
	b.screenshot("case-4-early-warning-draft")

	// 5. The early warning's submission, recorded by hand.
	// Not before the awareness (the form has minutes, the awareness
	// seconds): two minutes on, the page's now is past it.
	clk.Advance(2 * time.Minute)
	if st := b.open("/cases/" + caseRef); st != http.StatusOK { // not a reload: that would post the last form again
		t.Fatalf("case page %d", st)
	}
	b.fill("#sub-at", clk.Now().UTC().Format("2006-01-02T15:04"), "#sub-ref", "SRP-2026-000042")
	b.submit("record submission", "#record-submission", http.StatusOK)
	if sub := b.text("#submissions"); !strings.Contains(sub, "SRP-2026-000042") {
		t.Errorf("submission not listed: %q", sub)
	}
	if dl := b.text("#deadlines"); !strings.Contains(dl, "submitted") {
		t.Errorf("early warning not shown submitted: %q", dl)
	}
	b.screenshot("case-5-submission-recorded")

	// The list shows the countdowns.
	b.open("/cases")
	if list := b.text("main table"); !strings.Contains(list, caseRef) || !strings.Contains(list, "h left") {
		t.Errorf("case list: %q", list)
	}
	b.screenshot("case-6-list-with-countdowns")

	time.Sleep(100 * time.Millisecond)
	for _, m := range console.problems(ts.URL) {
		t.Errorf("console: %s", m)
	}
	t.Logf("screenshots in %s", b.shot)
}

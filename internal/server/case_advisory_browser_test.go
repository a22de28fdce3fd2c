package server

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/craft-cra/craft/internal/auth"
	"github.com/craft-cra/craft/internal/browsertest"
	"github.com/craft-cra/craft/internal/store"
)

// TestCaseAdvisoryBrowserWalk is issue 7's whole flow in a browser, under
// the strict CSP: report on the public page → case → actively exploited
// → the three deadlines → drafts → submission recorded → fix released →
// advisory made from the case, reviewed and published → the public
// advisories page lists it and the CSAF provider answers.
func TestCaseAdvisoryBrowserWalk(t *testing.T) {
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
	// The fixed release: a measure may name only a release of the product.
	if _, err := s.store.CreateRelease(bg, store.Release{ProductID: p.ID, Version: "4.1.1"}); err != nil {
		t.Fatal(err)
	}
	if err := s.store.SetProductProfile(bg, p.ID, store.ProductProfile{Manufacturer: "Example Devices GmbH",
		SecurityContact: "psirt@example.eu", MemberStates: []string{"DE"}}); err != nil {
		t.Fatal(err)
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

	// The reporter, without an account.
	b.Open("/report")
	b.Step("choose product", chromedp.SetValue(chromedp.CSS("#product"), p.ID))
	b.Fill("#version", "4.1.0", "#title", "Header overflow", "#description", "A long header overflows the parser buffer. <script>alert(1)</script>",
		"#contact", "mailto:finder@example.org")
	clk.Advance(5 * time.Second)
	b.Submit("submit report", "main form button[type=submit]", http.StatusCreated)
	ref := b.Text("main strong")
	statusURL := b.Text("main p a")

	// The officer: case, actively exploited, three deadlines.
	b.Open("/login")
	b.Fill("#email", "so@example.eu", "#password", browserPassword)
	b.Submit("sign in", "main form button[type=submit]", http.StatusOK)
	b.Open("/cases")
	b.Fill("#from-report", ref)
	b.Submit("create case", "#create-case", http.StatusCreated)
	caseRef := strings.SplitN(b.Text("h1"), ":", 2)[0]
	b.Submit("mark exploited", "#mark-exploited", http.StatusOK)
	if n := b.Count("#deadlines tbody tr"); n != 3 {
		t.Fatalf("%d deadlines, want 3", n)
	}
	if n := b.Count("#deadlines a[href*='/drafts/']"); n != 6 {
		t.Errorf("%d draft links, want 6 (JSON and Markdown per report)", n)
	}
	draft, err := chromedp.Run(ctx, chromedp.Evaluate[string](`fetch(document.querySelector("#deadlines a[href$='format=markdown']").getAttribute("href")).then(r => r.ok ? r.text() : "status " + r.status)`,
		chromedp.EvalAwaitPromise))
	if err != nil || !strings.Contains(draft, caseRef) {
		t.Errorf("early warning draft: %v %q", err, draft)
	}
	// A submission is not before the awareness (the form has minutes, the
	// awareness seconds): two minutes on, the page's now is past it.
	clk.Advance(2 * time.Minute)
	if st := b.Open("/cases/" + caseRef); st != http.StatusOK {
		t.Fatalf("case page %d: %q", st, b.Text("main"))
	}
	b.Fill("#sub-at", clk.Now().UTC().Format("2006-01-02T15:04"), "#sub-ref", "SRP-2026-000042")
	b.Submit("record submission", "#record-submission", http.StatusOK)

	// The fix is released.
	clk.Advance(10 * time.Minute)                               // within the session idle timeout
	if st := b.Open("/cases/" + caseRef); st != http.StatusOK { // the time fields' max is the page's now
		t.Fatalf("case page %d: %q", st, b.Text("main"))
	}
	b.Fill("#measure-at", clk.Now().Add(-time.Minute).UTC().Format("2006-01-02T15:04"), "#fixed-in", "4.1.1")
	b.Submit("record measure", "form[action$='/measure'] button[type=submit]", http.StatusOK)
	if fixed := b.Text("main .facts"); !strings.Contains(fixed, "4.1.1") {
		t.Fatalf("fixed release not shown: %q", fixed)
	}

	// The advisory: a draft made from the case, valid, private.
	b.Submit("create advisory", "#create-advisory", http.StatusCreated)
	if st := b.Text("#advisory-status"); st != "draft" {
		t.Fatalf("advisory status %q", st)
	}
	if v := b.Text("#validation"); !strings.Contains(v, "passes") {
		t.Errorf("validation: %q", v)
	}
	doc := b.Text("#csaf-json")
	for _, want := range []string{`"vendor_fix"`, "4.1.1", `"known_affected"`, "csaf_security_advisory"} {
		if !strings.Contains(doc, want) {
			t.Errorf("draft document lacks %s", want)
		}
	}
	tracking := strings.SplitN(b.Text("h1"), ":", 2)[0]
	b.Screenshot("case-7-advisory-draft")
	if page := b.Open("/advisories"); page != http.StatusOK || strings.Contains(b.Text("main"), tracking) {
		t.Fatalf("draft on the public list (%d)", page)
	}
	b.Open("/advisories/manage")
	b.Submit("open the draft", "#manage-advisories a", http.StatusOK)

	// The draft holds a summary from the facts; the reporter's words are
	// beside it for reference. The officer writes the summary, then publishes.
	if doc := b.Text("#csaf-json"); strings.Contains(doc, "alert(1)") {
		t.Error("the reporter's text is in the draft")
	}
	if ref := b.Text("#case-description"); !strings.Contains(ref, "overflows the parser buffer") {
		t.Errorf("the case description is not shown beside the draft: %q", ref)
	}
	b.Fill("#adv-summary", "A crafted HTTP header overflows a buffer in the parser. Update Widget Firmware to 4.1.1.")
	b.Submit("save draft", "#save-advisory", http.StatusOK)
	b.Submit("publish", "#publish-advisory", http.StatusOK)
	if st := b.Text("#advisory-status"); st != "final" {
		t.Fatalf("after publishing: %q", b.Text("main"))
	}
	if doc := b.Text("#csaf-json"); strings.Contains(doc, "alert(1)") {
		t.Error("the reporter's text was published")
	}
	b.Screenshot("case-8-advisory-published")

	// The reporter's status page links the public advisory, nothing more.
	if st := b.Open(statusURL); st != http.StatusOK {
		t.Fatalf("status page %d", st)
	}
	if state := b.Text("#report-state"); state != "received" {
		t.Errorf("reporter state %q", state)
	}
	if n := b.Count("#report-advisory[href^='/advisories/']"); n != 1 {
		t.Errorf("%d advisory links on the reporter's page, want 1", n)
	}
	b.Screenshot("case-8b-reporter-sees-advisory")

	// Users see it; the provider answers; the case records it.
	b.Open("/advisories")
	if list := b.Text("main"); !strings.Contains(list, tracking) {
		t.Errorf("public list lacks %s: %q", tracking, list)
	}
	b.Screenshot("case-9-public-advisories")
	if st := b.Open("/.well-known/csaf/provider-metadata.json"); st != http.StatusOK {
		t.Errorf("provider metadata: %d", st)
	}
	b.Open("/cases/" + caseRef)
	if h := b.Text("main ol"); !strings.Contains(h, "advisory published "+tracking+" version 1") {
		t.Errorf("case history: %q", h)
	}

	time.Sleep(100 * time.Millisecond)
	for _, m := range console.Problems(ts.URL) {
		t.Errorf("console: %s", m)
	}
	t.Logf("screenshots in %s", b.Shot)
}

package server

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/craft-cra/craft/internal/auth"
	"github.com/craft-cra/craft/internal/browsertest"
	"github.com/craft-cra/craft/internal/store"
)

// TestTriageBrowser: a security officer signs in, opens a finding page,
// decides the finding with the form (strict CSP, CSRF middleware and all),
// and finds the decision in the history. Runs with chromium (see
// web_browser_test.go).
func TestTriageBrowser(t *testing.T) {
	browsertest.NeedChromium(t)
	s, ts, clk := browserServer(t)
	ctx := context.Background()
	st := s.store
	p, err := st.CreateProduct(ctx, store.Product{Name: "router"})
	if err != nil {
		t.Fatal(err)
	}
	u, err := auth.NewAccount(&auth.PasswordHasher{Params: auth.Argon2Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}},
		auth.NewUser{Email: "olivia@example.eu", Password: browserPassword, Role: auth.RoleSecurityOfficer}, clk.Now())
	if err != nil {
		t.Fatal(err)
	}
	if u, err = s.auth.Users.CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	if err := st.SetMembership(ctx, store.Membership{UserID: u.ID, ProductID: p.ID, Role: store.Role(auth.RoleSecurityOfficer)}); err != nil {
		t.Fatal(err)
	}
	rel, _, err := st.PutReleaseSBOM(ctx, store.SBOMUpload{ProductID: p.ID, Version: "1.0", Data: []byte(triageSBOM),
		Info: store.SBOMInfo{ContentType: "application/vnd.cyclonedx+json", Format: "CycloneDX", SpecVersion: "1.5"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.ReplaceReleaseFindings(ctx, store.FindingsUpdate{ReleaseID: rel.ID, ProductID: p.ID, ProductName: p.Name,
		Version: "1.0", Findings: triageFindings()}); err != nil {
		t.Fatal(err)
	}

	bctx := browsertest.Browser(t, 90*time.Second)
	var console browsertest.Console
	console.Collect(bctx)
	b := &browsertest.Tab{T: t, Ctx: bctx, Base: ts.URL, Shot: t.TempDir()}
	if st := b.Open(LoginPagePath); st != http.StatusOK {
		t.Fatalf("login page: %d", st)
	}
	b.Fill("#email", "olivia@example.eu", "#password", browserPassword)
	b.Submit("sign in", "main form button[type=submit]", http.StatusOK)

	findingPath := "/products/" + p.ID + "/releases/1.0/findings/CVE-2020-11023?component=" + url.QueryEscape(jqKey)
	if st := b.Open(findingPath); st != http.StatusOK {
		t.Fatalf("finding page: %d", st)
	}
	if got := b.Text("main"); !strings.Contains(got, article14Flag) || !strings.Contains(got, "Not triaged yet") {
		t.Fatalf("finding page: %q", got)
	}
	b.Fill("#status", "not_affected", "#justification", "vulnerable_code_not_in_execute_path",
		"#comment", "the selector API is never called with user input")
	b.Screenshot("finding")
	// The release page that the redirect leads to belongs to the release
	// pages; only the redirect is checked here.
	b.Load("triage", chromedp.Click(chromedp.CSS("main form.stack button[type=submit]")))
	releasePath := "/products/" + p.ID + "/releases/1.0"
	if got := b.Path(); got != releasePath+"?triaged=1" {
		t.Fatalf("after triage: at %s", got)
	}
	if st := b.Open(findingPath); st != http.StatusOK {
		t.Fatalf("finding page: %d", st)
	}
	if got := b.Text("main"); !strings.Contains(got, "the selector API is never called") || !strings.Contains(got, "vulnerable_code_not_in_execute_path") {
		t.Fatalf("history not shown: %q", got)
	}
	if probs := console.Problems(ts.URL, browsertest.Expected{Status: "404", Path: releasePath + "?triaged=1"}); len(probs) > 0 {
		t.Errorf("console: %v", probs)
	}
}

package server

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/craft-cra/craft/internal/auth"
	"github.com/craft-cra/craft/internal/browsertest"
	"github.com/craft-cra/craft/internal/store"
)

// TestPortfolioBrowser signs a security officer of one product in through
// the sign-in page of a real server in Chromium, and opens the dashboard
// (with a trend of ten daily snapshots, an end-of-life component and an
// overdue Article 14 countdown), a release page with a filter and
// the component search, saving dashboard.png, release.png and
// component-search.png. It fails on any console message (CSP violations
// arrive there). Skips without chromium unless CRAFT_TEST_CHROMIUM=1.
func TestPortfolioBrowser(t *testing.T) {
	browsertest.NeedChromium(t)
	s, ts, clk := browserServer(t)
	ctx := context.Background()
	now := clk.Now()

	alpha, err := s.store.CreateProduct(ctx, store.Product{Name: "Alpha Router"})
	if err != nil {
		t.Fatal(err)
	}
	bravo, err := s.store.CreateProduct(ctx, store.Product{Name: "Bravo Camera"})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.store.SetProductProfile(ctx, alpha.ID, store.ProductProfile{Class: "important-i",
		SupportStart: now.AddDate(-2, 0, 0).Format("2006-01"), SupportEnd: now.AddDate(0, 4, 0).Format("2006-01"),
		SupportJustification: "hardware lifetime", SecurityContact: "security@alpha.example", MemberStates: []string{"DE", "FR"}}); err != nil {
		t.Fatal(err)
	}
	comps := []store.ReleaseComponent{
		{ComponentID: "c1", Name: "org.apache.logging.log4j:log4j-core", Version: "2.14.1", Ecosystem: "Maven",
			PURL: "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1", Relationship: "direct", Licenses: []string{"Apache-2.0"}},
		{ComponentID: "c2", Name: "left-pad", Version: "1.3.0", Ecosystem: "npm", Relationship: "direct"},
		{ComponentID: "c3", Name: "lodash", Version: "4.17.20", Ecosystem: "npm", PURL: "pkg:npm/lodash@4.17.20", Relationship: "transitive"},
	}
	for _, p := range []store.Product{alpha, bravo} {
		rel, _, err := s.store.PutReleaseSBOM(ctx, store.SBOMUpload{ProductID: p.ID, Version: "1.0", ReleasedOn: "2026-06-01",
			Data: []byte("{}"), Info: store.SBOMInfo{ContentType: "application/json", Format: "cyclonedx"}, Components: comps})
		if err != nil {
			t.Fatal(err)
		}
		f := func(vuln, level, kev string, c store.ReleaseComponent) store.Finding {
			return store.Finding{VulnID: vuln, ComponentID: c.ComponentID, ComponentName: c.Name, ComponentVersion: c.Version,
				ComponentPURL: c.PURL, Ecosystem: c.Ecosystem, SeverityLevel: level, KEVDateAdded: kev, MinimumFix: "2.17.1"}
		}
		if _, err := s.store.ReplaceReleaseFindings(ctx, store.FindingsUpdate{ReleaseID: rel.ID, ProductID: p.ID,
			ProductName: p.Name, Version: rel.Version, Findings: []store.Finding{
				f("CVE-2021-44228", "critical", "2021-12-10", comps[0]), f("CVE-2021-45046", "critical", "", comps[0]),
				f("CVE-2021-44832", "medium", "", comps[0]), f("GHSA-left-pad", "low", "", comps[1]),
				f("CVE-2021-23337", "high", "", comps[2])}}); err != nil {
			t.Fatal(err)
		}
	}
	// An end-of-life component and an overdue Article 14 clock of each
	// product; only Alpha's may show.
	for _, p := range []store.Product{alpha, bravo} {
		rels, err := s.store.ListReleases(ctx, p.ID)
		if err != nil || len(rels) != 1 {
			t.Fatalf("releases: %d, %v", len(rels), err)
		}
		if _, err := s.store.RecordEOLEvent(ctx, rels[0].ID, "c3", "4", store.Notification{Kind: KindComponentEOL,
			ProductID: p.ID, Subject: "eol"}); err != nil {
			t.Fatal(err)
		}
		if err := s.store.SetEOLDate(ctx, rels[0].ID, "c3", "4", "2025-10-31"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.store.CreateCase(ctx, store.Case{ProductID: p.ID, Title: p.Name + " log4shell exploited",
			CreatedBy: "user:test", Exploited: true, ExploitedAwareAt: now.Add(-30 * time.Hour)}, "created"); err != nil {
			t.Fatal(err)
		}
	}
	for d := 9; d >= 0; d-- {
		if _, err := s.store.RecordSnapshots(ctx, now.AddDate(0, 0, -d)); err != nil {
			t.Fatal(err)
		}
	}
	u, err := auth.NewAccount(s.auth.Hasher, auth.NewUser{Email: "sofia@example.eu", Password: browserPassword,
		Role: auth.RoleSecurityOfficer}, now)
	if err != nil {
		t.Fatal(err)
	}
	if u, err = s.auth.Users.CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	if err := s.store.SetMembership(ctx, store.Membership{UserID: u.ID, ProductID: alpha.ID, Role: store.RoleSecurityOfficer}); err != nil {
		t.Fatal(err)
	}

	bctx := browsertest.Browser(t, 90*time.Second)
	var console browsertest.Console
	console.Collect(bctx)
	b := &browsertest.Tab{T: t, Ctx: bctx, Base: ts.URL, Shot: t.TempDir()}

	b.Open("/login?next=" + url.QueryEscape("/dashboard"))
	b.Fill("#email", "sofia@example.eu", "#password", browserPassword)
	b.Submit("sign in", "main button[type=submit]", 200)
	if p := b.Path(); p != "/dashboard" {
		t.Fatalf("after sign-in at %s", p)
	}
	if n := b.Count("svg.trend rect"); n == 0 {
		t.Error("the trend chart has no bars")
	}
	if got := b.Text("#open-counts"); !strings.HasPrefix(strings.Join(strings.Fields(got), " "), "5 open 1 KEV-listed") {
		t.Errorf("open counts: %q", got)
	}
	if b.Count("a[href='/products/"+bravo.ID+"']") != 0 {
		t.Error("the dashboard links to another tenant's product")
	}
	if n := b.Count("#eol tbody tr"); n != 1 {
		t.Errorf("end-of-life list: %d rows", n)
	}
	if n := b.Count("#countdowns tbody tr .deadline.overdue"); n != 1 {
		t.Errorf("countdowns: %d overdue rows", n)
	}
	b.Screenshot("dashboard")

	b.Open("/products/" + alpha.ID)
	if n := b.Count("#releases tbody tr"); n != 1 {
		t.Errorf("product page lists %d releases", n)
	}
	if code := b.Open("/products/" + alpha.ID + "/releases/1.0?severity=critical&kev=yes"); code != 200 {
		t.Fatalf("release page: %d", code)
	}
	if n := b.Count("#findings tbody tr"); n != 1 {
		t.Errorf("filtered findings: %d rows", n)
	}
	if n := b.Count("#triage-form input[name=finding]"); n != 1 {
		t.Errorf("triage checkboxes: %d", n)
	}
	b.Open("/products/" + alpha.ID + "/releases/1.0?ecosystem=npm")
	if n := b.Count("#components tbody tr"); n != 2 {
		t.Errorf("npm components: %d rows", n)
	}
	b.Screenshot("release")

	b.Open("/components")
	b.Fill("#s-q", "log4j-core", "#s-version", "2.14.1")
	b.Submit("component search", "#component-search button[type=submit]", 200)
	if n := b.Count("#hits tbody tr"); n != 1 {
		t.Errorf("component search: %d hits", n)
	}
	b.Screenshot("component-search")

	if code := b.Open("/products/" + bravo.ID); code != 403 {
		t.Errorf("another tenant's product page: %d", code)
	}
	for _, p := range console.Problems(ts.URL, browsertest.Expected{Status: "403", Path: "/products/" + bravo.ID}) {
		t.Errorf("browser console: %s", p)
	}
}

package server

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"

	"github.com/craft-cra/craft/internal/auth"
	"github.com/craft-cra/craft/internal/store"
	"github.com/craft-cra/craft/internal/store/storetest"
)

// portfolioEnv is a server with two products: "Alpha" (supported until
// March 2027) with release 1.0 shipping log4j-core 2.14.1 (KEV-listed
// critical finding), a left-pad without purl and a transitive npm package;
// and "Bravo" (another tenant) with release 9.9 shipping log4j-core
// 2.14.1 too. Vera is a viewer of Alpha, Sam a security officer of Alpha.
type portfolioEnv struct {
	*env
	alpha, bravo   store.Product
	vera, sam      string // session tokens
	veraUser       auth.User
	root           string
	bravoComponent string
}

func newPortfolioEnv(t *testing.T, st *store.Store) *portfolioEnv {
	t.Helper()
	e := &portfolioEnv{env: newEnv(t, st, Config{Limits: RateLimits{Disabled: true}})}
	ctx := context.Background()
	e.alpha, e.bravo = e.product("Alpha"), e.product("Bravo")
	if err := st.SetProductProfile(ctx, e.alpha.ID, store.ProductProfile{Class: "important-i", SupportStart: "2022-04",
		SupportEnd: "2027-03", SupportJustification: "hardware lifetime", SecurityContact: "security@alpha.example",
		MemberStates: []string{"DE", "FR"}}); err != nil {
		t.Fatal(err)
	}
	log4j := store.ReleaseComponent{ComponentID: "c1", Name: "org.apache.logging.log4j:log4j-core", Version: "2.14.1",
		Ecosystem: "Maven", PURL: "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1", Relationship: "direct"}
	leftPad := store.ReleaseComponent{ComponentID: "c2", Name: "left-pad", Version: "1.3.0", Ecosystem: "npm", Relationship: "direct"}
	deep := store.ReleaseComponent{ComponentID: "c3", Name: "deep-dep", Version: "0.1.0", Ecosystem: "npm",
		PURL: "pkg:npm/deep-dep@0.1.0", Relationship: "transitive"}
	secret := store.ReleaseComponent{ComponentID: "c9", Name: "bravo-secret-lib", Version: "7.7.7", Ecosystem: "Go",
		PURL: "pkg:golang/example.com/bravo-secret-lib@7.7.7", Relationship: "direct"}
	e.bravoComponent = secret.Name
	put := func(p store.Product, version string, comps ...store.ReleaseComponent) store.Release {
		r, _, err := st.PutReleaseSBOM(ctx, store.SBOMUpload{ProductID: p.ID, Version: version, ReleasedOn: "2026-11-01",
			Data: []byte("{}"), Info: store.SBOMInfo{ContentType: "application/json", Format: "cyclonedx"}, Components: comps})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	finding := func(vuln, level, kev string, c store.ReleaseComponent) store.Finding {
		return store.Finding{VulnID: vuln, ComponentID: c.ComponentID, ComponentName: c.Name, ComponentVersion: c.Version,
			ComponentPURL: c.PURL, Ecosystem: c.Ecosystem, SeverityLevel: level, KEVDateAdded: kev}
	}
	set := func(p store.Product, r store.Release, fs ...store.Finding) {
		if _, err := st.ReplaceReleaseFindings(ctx, store.FindingsUpdate{ReleaseID: r.ID, ProductID: p.ID,
			ProductName: p.Name, Version: r.Version, Findings: fs}); err != nil {
			t.Fatal(err)
		}
	}
	a1 := put(e.alpha, "1.0", log4j, leftPad, deep)
	set(e.alpha, a1, finding("CVE-2021-44228", "critical", "2021-12-10", log4j),
		finding("CVE-2021-44832", "medium", "", log4j),
		finding("GHSA-left-pad", "low", "", leftPad))
	b1 := put(e.bravo, "9.9", log4j, secret)
	set(e.bravo, b1, finding("CVE-2021-44228", "critical", "2021-12-10", log4j),
		finding("CVE-2099-0001", "high", "", secret))
	e.veraUser = e.user("vera@example.eu", auth.RoleViewer)
	e.member(e.veraUser, e.alpha, store.RoleViewer)
	e.vera = e.session(e.veraUser)
	sam := e.user("sam@example.eu", auth.RoleSecurityOfficer)
	e.member(sam, e.alpha, store.RoleSecurityOfficer)
	e.sam = e.session(sam)
	e.root = e.session(e.user("root@example.eu", auth.RoleAdministrator))
	return e
}

// page GETs path with session and parses the HTML, failing unless the
// status is want.
func (e *portfolioEnv) page(path, session string, want int) (*html.Node, string) {
	e.t.Helper()
	w := e.do("GET", path, nil, withCookie(session))
	if w.Code != want {
		e.t.Fatalf("GET %s: %d, want %d: %s", path, w.Code, want, shorten(w.Body.String(), 400))
	}
	doc, err := html.Parse(strings.NewReader(w.Body.String()))
	if err != nil {
		e.t.Fatal(err)
	}
	return doc, w.Body.String()
}

// findAll returns the elements of doc for which match is true.
func findAll(doc *html.Node, match func(n *html.Node) bool) []*html.Node {
	var out []*html.Node
	for n := range doc.Descendants() {
		if n.Type == html.ElementNode && match(n) {
			out = append(out, n)
		}
	}
	return out
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

// byID finds the element with the id, or nil.
func byID(doc *html.Node, id string) *html.Node {
	ns := findAll(doc, func(n *html.Node) bool { return attr(n, "id") == id })
	if len(ns) == 0 {
		return nil
	}
	return ns[0]
}

func textOf(n *html.Node) string {
	if n == nil {
		return ""
	}
	var b strings.Builder
	for d := range n.Descendants() {
		if d.Type == html.TextNode {
			b.WriteString(d.Data + " ")
		}
	}
	return strings.Join(strings.Fields(b.String()), " ")
}

// TestPortfolioIsolation: a viewer of Alpha never sees Bravo on any
// portfolio page or in the component search API, and Bravo's pages are 404.
func TestPortfolioIsolation(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		e := newPortfolioEnv(t, st)
		for _, path := range []string{"/dashboard", "/components?q=log4j-core&version=2.14.1",
			"/components?q=bravo&match=contains", "/components?purl=pkg:golang/example.com/bravo-secret-lib",
			"/products/" + e.alpha.ID, "/products/" + e.alpha.ID + "/releases/1.0"} {
			_, body := e.page(path, e.vera, http.StatusOK)
			// The search form shows what was typed; only the rest must
			// not leak.
			u, _ := url.Parse(path)
			for _, vs := range u.Query() {
				body = strings.ReplaceAll(body, vs[0], "")
			}
			for _, leak := range []string{"Bravo", e.bravo.ID, e.bravoComponent, "9.9", "CVE-2099-0001"} {
				if strings.Contains(body, leak) {
					t.Errorf("%s shows %q to a viewer of Alpha only", path, leak)
				}
			}
		}
		// The router refuses a product the caller may not read with the
		// same answer whether it exists or not (403, as the API does), so
		// the answer says nothing about other tenants.
		for _, path := range []string{"/products/" + e.bravo.ID, "/products/" + e.bravo.ID + "/releases/9.9",
			"/products/nonexistent", "/products/nonexistent/releases/1.0"} {
			_, body := e.page(path, e.vera, http.StatusForbidden)
			if strings.Contains(body, "Bravo") {
				t.Errorf("%s names Bravo", path)
			}
		}
		e.page("/products/"+e.alpha.ID+"/releases/nonexistent", e.vera, http.StatusNotFound)
		w := e.do("GET", "/api/v1/components?name=log4j-core", nil, withCookie(e.vera))
		expectStatus(t, w, http.StatusOK)
		got := decode[Page[componentHitJSON]](t, w)
		if len(got.Items) != 1 || got.Items[0].ProductID != e.alpha.ID || got.Items[0].SupportStatus != "supported" {
			t.Errorf("viewer's API hits %+v", got.Items)
		}
		// The administrator sees both.
		w = e.do("GET", "/api/v1/components?name=log4j-core", nil, withCookie(e.root))
		if got := decode[Page[componentHitJSON]](t, w); len(got.Items) != 2 {
			t.Errorf("administrator's API hits %+v", got.Items)
		}
		doc, _ := e.page("/dashboard", e.root, http.StatusOK)
		if s := textOf(byID(doc, "products")); !strings.Contains(s, "Alpha") || !strings.Contains(s, "Bravo") {
			t.Errorf("administrator's dashboard products: %s", s)
		}
		// Signed out: the pages send to sign-in, the API answers 401.
		if w := e.do("GET", "/dashboard", nil); w.Code != http.StatusSeeOther && w.Code != http.StatusFound {
			t.Errorf("signed-out dashboard: %d", w.Code)
		}
		expectStatus(t, e.do("GET", "/api/v1/components?name=x", nil), http.StatusUnauthorized)
	})
}

func TestPortfolioDashboard(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		e := newPortfolioEnv(t, st)
		live, _ := e.page("/dashboard", e.vera, http.StatusOK)
		if got := textOf(byID(live, "as-of")); got != "Counted now." {
			t.Errorf("before a snapshot: %q", got)
		}
		// Two processes tick at once; one row per product.
		var wg sync.WaitGroup
		for _, h := range []string{"host-a:1", "host-b:2"} {
			wg.Go(func() { e.s.snapshotTick(context.Background(), h) })
		}
		wg.Wait()
		e.s.snapshotTick(context.Background(), "host-a:1")
		days, err := st.ListSnapshots(context.Background(), []string{e.alpha.ID, e.bravo.ID}, "2026-01-01", "2026-12-31")
		if err != nil || len(days) != 1 || days[0].Total() != 5 || days[0].KEV != 2 {
			t.Fatalf("snapshots %+v, %v", days, err)
		}
		doc, _ := e.page("/dashboard", e.vera, http.StatusOK)
		if got := textOf(byID(doc, "as-of")); !strings.HasPrefix(got, "As counted at 2026-12-04 10:00 UTC") {
			t.Errorf("after a snapshot: %q", got)
		}
		for _, id := range []string{"open-counts", "widespread", "support-ending", "products"} {
			if a, b := textOf(byID(live, id)), textOf(byID(doc, id)); a != b {
				t.Errorf("%s live %q, from the snapshot %q", id, a, b)
			}
		}
		if got := textOf(byID(doc, "open-counts")); got != "3 open 1 KEV-listed (actively exploited) 1 critical 0 high 1 medium 1 low 0 no or unknown severity" {
			t.Errorf("open counts: %q", got)
		}
		svg := findAll(doc, func(n *html.Node) bool { return n.Data == "svg" && attr(n, "class") == "trend" })
		if len(svg) != 1 || attr(svg[0], "role") != "img" || !strings.Contains(attr(svg[0], "aria-label"), "Open findings per day") {
			t.Fatalf("trend chart: %d svg", len(svg))
		}
		rects := findAll(svg[0], func(n *html.Node) bool { return n.Data == "rect" })
		if len(rects) != 3 { // critical, medium, low of one day
			t.Errorf("trend chart has %d bars, want 3 segments", len(rects))
		}
		if got := textOf(byID(doc, "support-ending")); !strings.Contains(got, "end of March 2027") || !strings.Contains(got, "Ends soon") {
			t.Errorf("support ending: %q", got)
		}
		if got := textOf(byID(doc, "widespread")); !strings.Contains(got, "org.apache.logging.log4j:log4j-core@2.14.1 1 2 1") {
			t.Errorf("widespread: %q", got)
		}
		nav := findAll(doc, func(n *html.Node) bool { return n.Data == "a" && attr(n, "aria-current") == "page" })
		if len(nav) != 1 || attr(nav[0], "href") != "/dashboard" {
			t.Errorf("nav current: %v", nav)
		}
	})
}

func TestPortfolioProductPage(t *testing.T) {
	e := newPortfolioEnv(t, storetest.SQLite(t))
	doc, _ := e.page("/products/"+e.alpha.ID, e.vera, http.StatusOK)
	facts := textOf(byID(doc, "cra-facts"))
	for _, want := range []string{"Important product, class I", "Module A only if harmonised standards", "April 2022 – March 2027",
		"supported", "security@alpha.example", "DE, FR", "hardware lifetime"} {
		if !strings.Contains(facts, want) {
			t.Errorf("CRA facts lack %q: %s", want, facts)
		}
	}
	if got := textOf(byID(doc, "releases")); !strings.Contains(got, "1.0 2026-11-01 supported 3 3 1 1 0 1 1") {
		t.Errorf("releases: %q", got)
	}
}

func TestPortfolioReleaseFilters(t *testing.T) {
	e := newPortfolioEnv(t, storetest.SQLite(t))
	base := "/products/" + e.alpha.ID + "/releases/1.0"
	rows := func(doc *html.Node, table string) []string {
		var out []string
		if tb := byID(doc, table); tb != nil {
			for _, tr := range findAll(tb, func(n *html.Node) bool { return n.Data == "tr" && n.Parent.Data == "tbody" }) {
				out = append(out, textOf(tr))
			}
		}
		return out
	}
	for _, tc := range []struct {
		query            string
		findings, comps  int
		firstFindingHas  string
		firstComponentIs string
	}{
		{"", 3, 3, "actively exploited — Article 14 reporting may apply", "org.apache.logging.log4j:log4j-core"},
		{"?severity=critical", 1, 3, "CVE-2021-44228", ""},
		{"?severity=high", 0, 3, "", ""},
		{"?kev=yes", 1, 3, "CVE-2021-44228", ""},
		{"?kev=no", 2, 3, "CVE-2021-44832", ""},
		{"?status=under_investigation", 3, 3, "", ""},
		{"?status=fixed", 0, 3, "", ""},
		{"?q=PAD", 3, 1, "", "left-pad"},
		{"?q=pkg:npm", 3, 1, "", "deep-dep"},
		{"?ecosystem=npm", 3, 2, "", "left-pad"},
		{"?relationship=transitive", 3, 1, "", "deep-dep"},
		{"?ecosystem=npm&relationship=direct&severity=low", 1, 1, "GHSA-left-pad", "left-pad"},
	} {
		t.Run(tc.query, func(t *testing.T) {
			doc, _ := e.page(base+tc.query, e.vera, http.StatusOK)
			fs, cs := rows(doc, "findings"), rows(doc, "components")
			if len(fs) != tc.findings || len(cs) != tc.comps {
				t.Fatalf("%d findings, %d components; want %d, %d", len(fs), len(cs), tc.findings, tc.comps)
			}
			if tc.firstFindingHas != "" && !strings.Contains(fs[0], tc.firstFindingHas) {
				t.Errorf("first finding %q", fs[0])
			}
			if tc.firstComponentIs != "" && !strings.HasPrefix(cs[0], tc.firstComponentIs) {
				t.Errorf("first component %q", cs[0])
			}
		})
	}
	for _, bad := range []string{"?severity=bogus", "?status=open", "?kev=maybe", "?relationship=x", "?q=%00",
		"?q=" + strings.Repeat("a", 600), "?ecosystem=%ff"} {
		if w := e.do("GET", base+bad, nil, withCookie(e.vera)); w.Code != http.StatusBadRequest {
			t.Errorf("%s: %d, want 400", shorten(bad, 30), w.Code)
		}
	}
	// The finding links and the downloads.
	doc, _ := e.page(base, e.vera, http.StatusOK)
	links := map[string]bool{}
	for _, a := range findAll(doc, func(n *html.Node) bool { return n.Data == "a" }) {
		links[attr(a, "href")] = true
	}
	for _, want := range []string{
		base + "/findings/CVE-2021-44228?component=" + url.QueryEscape("pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1"),
		base + "/findings/GHSA-left-pad?component=" + url.QueryEscape("npm/left-pad@1.3.0"),
		"/api/v1" + base + "/sbom", "/api/v1" + base + "/vex?format=openvex", "/api/v1" + base + "/vex?format=cyclonedx",
	} {
		if !links[want] {
			t.Errorf("no link %s", want)
		}
	}
}

// TestPortfolioTriageForm: the bulk triage form's contract with the triage
// handler (field names and values), shown only with finding:triage.
func TestPortfolioTriageForm(t *testing.T) {
	e := newPortfolioEnv(t, storetest.SQLite(t))
	base := "/products/" + e.alpha.ID + "/releases/1.0"
	doc, _ := e.page(base, e.vera, http.StatusOK)
	if byID(doc, "triage-form") != nil || len(findAll(doc, func(n *html.Node) bool { return attr(n, "name") == "finding" })) != 0 {
		t.Error("a viewer gets the triage form")
	}
	doc, _ = e.page(base+"?triaged=2", e.sam, http.StatusOK)
	form := byID(doc, "triage-form")
	if form == nil {
		t.Fatal("no triage form for a security officer")
	}
	if attr(form, "method") != "post" || attr(form, "action") != base+"/triage" {
		t.Errorf("form posts %s to %s", attr(form, "method"), attr(form, "action"))
	}
	var values []string
	for _, n := range findAll(form, func(n *html.Node) bool { return attr(n, "name") == "finding" }) {
		if attr(n, "type") != "checkbox" {
			t.Errorf("finding field is %s", attr(n, "type"))
		}
		values = append(values, attr(n, "value"))
	}
	slices.Sort(values)
	want := []string{"CVE-2021-44228|pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1",
		"CVE-2021-44832|pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1", "GHSA-left-pad|npm/left-pad@1.3.0"}
	if !slices.Equal(values, want) {
		t.Errorf("finding values %q, want %q", values, want)
	}
	options := func(name string) []string {
		var out []string
		for _, sel := range findAll(form, func(n *html.Node) bool { return n.Data == "select" && attr(n, "name") == name }) {
			for _, o := range findAll(sel, func(n *html.Node) bool { return n.Data == "option" }) {
				if v := attr(o, "value"); v != "" {
					out = append(out, v)
				}
			}
		}
		return out
	}
	for name, want := range map[string][]string{
		"status": {"under_investigation", "affected", "not_affected", "fixed"},
		"justification": {"component_not_present", "vulnerable_code_not_present", "vulnerable_code_not_in_execute_path",
			"vulnerable_code_cannot_be_controlled_by_adversary", "inline_mitigations_already_exist"},
		"scope": {"release", "all_releases"},
	} {
		if got := options(name); !slices.Equal(got, want) {
			t.Errorf("%s options %q, want %q", name, got, want)
		}
	}
	for _, name := range []string{"action_statement", "comment"} {
		if len(findAll(form, func(n *html.Node) bool { return n.Data == "input" && attr(n, "name") == name })) != 1 {
			t.Errorf("no %s field", name)
		}
	}
	if got := textOf(byID(doc, "triaged")); got != "Done: 2 findings triaged." {
		t.Errorf("confirmation %q", got)
	}
	for _, q := range []string{"?triaged=x", "?triaged=-1", "?triaged=0", "?triaged=%3Cb%3E"} {
		doc, _ := e.page(base+q, e.sam, http.StatusOK)
		if byID(doc, "triaged") != nil {
			t.Errorf("%s shows a confirmation", q)
		}
	}
}

func TestPortfolioComponentSearchAPI(t *testing.T) {
	e := newPortfolioEnv(t, storetest.SQLite(t))
	get := func(q string) Page[componentHitJSON] {
		t.Helper()
		w := e.do("GET", "/api/v1/components?"+q, nil, withCookie(e.root))
		expectStatus(t, w, http.StatusOK)
		return decode[Page[componentHitJSON]](t, w)
	}
	p := get("name=log4j-core&version=2.14.1&limit=1")
	if len(p.Items) != 1 || p.NextCursor == "" || p.Items[0].ProductName != "Alpha" || p.Items[0].URL != "/products/"+e.alpha.ID+"/releases/1.0" {
		t.Fatalf("first page %+v", p)
	}
	p = get("name=log4j-core&version=2.14.1&limit=1&cursor=" + p.NextCursor)
	if len(p.Items) != 1 || p.NextCursor != "" || p.Items[0].ProductName != "Bravo" {
		t.Fatalf("second page %+v", p)
	}
	if p := get("name=log4j-core&version=2.17.1"); len(p.Items) != 0 {
		t.Errorf("other version %+v", p)
	}
	if p := get("purl=pkg:maven/org.apache.logging.log4j/log4j-core"); len(p.Items) != 2 {
		t.Errorf("purl without version %+v", p)
	}
	if p := get("name=LEFT&match=contains"); len(p.Items) != 1 || p.Items[0].PURL != "" || p.Items[0].Ecosystem != "npm" {
		t.Errorf("contains %+v", p)
	}
	for _, bad := range []string{"", "version=1", "name=x&match=regex", "name=%00", "name=x&limit=0", "name=x&cursor=!!",
		"name=" + strings.Repeat("x", 600), "purl=%c3%28"} {
		w := e.do("GET", "/api/v1/components?"+bad, nil, withCookie(e.root))
		if w.Code != http.StatusBadRequest || !strings.Contains(w.Header().Get("Content-Type"), "problem+json") {
			t.Errorf("%s: %d %s", shorten(bad, 30), w.Code, w.Header().Get("Content-Type"))
		}
	}
}

func TestPortfolioComponentSearchPage(t *testing.T) {
	e := newPortfolioEnv(t, storetest.SQLite(t))
	doc, _ := e.page("/components", e.vera, http.StatusOK)
	if byID(doc, "component-search") == nil || byID(doc, "hits") != nil || byID(doc, "no-hits") != nil {
		t.Error("empty search page")
	}
	doc, _ = e.page("/components?q=log4j-core&version=2.14.1", e.vera, http.StatusOK)
	if got := textOf(byID(doc, "hits")); !strings.Contains(got, "Alpha 1.0 supported org.apache.logging.log4j:log4j-core 2.14.1 Maven") {
		t.Errorf("hits %q", got)
	}
	doc, _ = e.page("/components?q=log4j-core&version=9", e.vera, http.StatusOK)
	if byID(doc, "no-hits") == nil {
		t.Error("no 'nothing found'")
	}
	for _, bad := range []string{"?q=%00", "?match=x&q=y"} {
		if w := e.do("GET", "/components"+bad, nil, withCookie(e.vera)); w.Code != http.StatusBadRequest {
			t.Errorf("%s: %d", bad, w.Code)
		}
	}
}

func TestNiceCeiling(t *testing.T) {
	for _, tc := range []struct{ n, want int64 }{{0, 4}, {4, 4}, {5, 8}, {9, 20}, {21, 40}, {81, 200}, {1_000_000, 2_000_000}} {
		if got := niceCeiling(tc.n); got != tc.want {
			t.Errorf("niceCeiling(%d) = %d, want %d", tc.n, got, tc.want)
		}
	}
}

// FuzzPortfolioQuery: the release page's filters and the component search's
// parameters and cursor never panic, and what they accept is bounded,
// valid UTF-8 without control characters.
func FuzzPortfolioQuery(f *testing.F) {
	for _, seed := range []string{"q=log4j&ecosystem=npm&relationship=direct&severity=high&status=fixed&kev=yes",
		"name=log4j-core&version=2.14.1", "purl=pkg:maven/a/b@1&cursor=eyJwIjoiQSJ9", "q=%00", "kev=%ff", "cursor=!!",
		"name=" + strings.Repeat("x", 600)} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		r := httptestRequest("/x?" + raw)
		if fl, err := parseReleaseFilters(r); err == nil {
			for _, v := range []string{fl.Q, fl.Ecosystem, fl.Relationship, fl.Severity, fl.Status, fl.KEV} {
				if len(v) > maxQueryParam || !utf8.ValidString(v) || strings.ContainsFunc(v, unicode.IsControl) {
					t.Errorf("accepted %q", v)
				}
			}
		}
		if pr, err := parsePageRequest(r); err == nil {
			var c store.ComponentCursor
			_, _ = pr.Decode(&c)
		}
	})
}

// httptestRequest is a GET whose URL is target when it parses (the fuzzer
// makes many that do not; those keep "/").
func httptestRequest(target string) *http.Request {
	r := httptest.NewRequest("GET", "https://127.0.0.1:8443/", nil)
	if u, err := url.Parse(target); err == nil {
		r.URL = u
	}
	return r
}

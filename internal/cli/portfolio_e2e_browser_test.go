package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/pquerna/otp/totp"

	"github.com/craft-cra/craft/internal/auth"
	"github.com/craft-cra/craft/internal/browsertest"
	"github.com/craft-cra/craft/internal/notify"
	"github.com/craft-cra/craft/internal/server"
	"github.com/craft-cra/craft/internal/store"
	"github.com/craft-cra/craft/internal/store/storetest"
	"github.com/craft-cra/craft/internal/vex"
)

// TestPortfolioE2EBrowser is issue 6's "done when", tried as a new user
// would, in a real Chromium against craft serve's handler over TLS, on
// SQLite and PostgreSQL: an administrator creates a product, `craft push`
// uploads an SBOM, its finding appears after monitoring, is triaged on the
// release page, shows up in the OpenVEX export, and a new advisory dropped
// into the import folder brings a new finding, its notification on the
// account page and a signed webhook event.
//
// It lives in package cli, not server: cli imports server (craft serve),
// so only here can the test run the real `craft push` and `craft db
// import` in-process next to the real server. The browser harness is
// internal/browsertest, shared with internal/server's browser tests.
//
// Skips without chromium unless CRAFT_TEST_CHROMIUM=1; screenshots go to
// t.TempDir() and, when set, CRAFT_TEST_SCREENSHOTS/<engine>/e2e-N-*.png.
func TestPortfolioE2EBrowser(t *testing.T) {
	browsertest.NeedChromium(t)
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		start := time.Now()
		ctx := context.Background()
		tmp := t.TempDir()
		advDB := filepath.Join(tmp, "advisories.db")
		importDir := filepath.Join(tmp, "import")
		if err := os.Mkdir(importDir, 0o755); err != nil {
			t.Fatal(err)
		}

		// The webhook receiver: plain http on loopback, allowed by the
		// lab options below.
		hooks := &hookReceiver{}
		recv := httptest.NewServer(hooks)
		t.Cleanup(recv.Close)

		key := bytes.Repeat([]byte{5}, auth.SealerKeySize)
		hasher := &auth.PasswordHasher{Params: auth.Argon2Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}}
		svc, err := server.NewAuth(st, server.AuthOptions{Key: key, Hasher: hasher})
		if err != nil {
			t.Fatal(err)
		}
		s, err := server.New(server.Deps{Store: st, Auth: svc, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
			Config: server.Config{Limits: server.RateLimits{Disabled: true}, SealKey: key,
				AdvisoryDB: advDB, AdvisoryImportDir: importDir,
				WebhookAllowHTTP: true, WebhookAllowPrivate: true}})
		if err != nil {
			t.Fatal(err)
		}
		cert, err := server.LoadOrCreateSelfSigned(t.TempDir(), nil, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		ts := httptest.NewUnstartedServer(s.Handler())
		ts.TLS = server.TLSConfig(cert.TLS)
		ts.Config.ErrorLog = nil
		ts.StartTLS()
		t.Cleanup(ts.Close)

		u, err := auth.NewAccount(hasher, auth.NewUser{Email: "ada@example.eu",
			Password: e2ePassword, Role: auth.RoleAdministrator}, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if _, err = svc.Users.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}

		bctx := browsertest.Browser(t, 60*time.Second)
		var console browsertest.Console
		console.Collect(bctx)
		engine := path.Base(t.Name()) // storetest.ForEach's sub-test: sqlite or postgres
		b := &browsertest.Tab{T: t, Ctx: bctx, Base: ts.URL, Shot: t.TempDir(), Prefix: "e2e-", Sub: engine}

		// 1. The administrator signs in, enrols a second factor, creates
		// the product on the products page and records its CRA fields with
		// the product page's form.
		b.Open("/login")
		b.Fill("#email", "ada@example.eu", "#password", e2ePassword)
		b.Submit("sign in", "main form button[type=submit]", http.StatusOK)
		code, err := totp.GenerateCode(strings.ReplaceAll(b.Text("#totp-secret"), " ", ""), time.Now())
		if err != nil {
			t.Fatal(err)
		}
		b.Fill("#code", code)
		b.Submit("confirm enrolment", "main form button[type=submit]", http.StatusOK)
		b.Open("/admin/products")
		b.Fill("#product-name", "Gateway")
		b.Submit("create product", "main form button[type=submit]", http.StatusOK)
		if !strings.Contains(b.Text("main table"), "Gateway") {
			t.Fatalf("product not listed: %q", b.Text("main"))
		}
		ps, err := st.ListProducts(ctx)
		if err != nil || len(ps) != 1 {
			t.Fatalf("products = %+v, %v", ps, err)
		}
		pid := ps[0].ID
		// The new product's name leads to its page, where the CRA
		// information is still to be recorded.
		b.Submit("open the product", "main table a", http.StatusOK)
		if at := b.Path(); at != "/products/"+pid {
			t.Fatalf("product link leads to %s", at)
		}
		if got := b.Text("#cra-facts"); !strings.Contains(got, "Not recorded") {
			t.Errorf("CRA facts of a new product: %q", got)
		}
		b.Step("open the CRA form", chromedp.Click(chromedp.CSS("#cra-edit summary")))
		// Three years of support without a justification: the form comes
		// back with the API's message and the input kept.
		b.Fill("#cra-manufacturer", "Example Devices GmbH", "#cra-description", "Home gateway firmware",
			"#cra-purpose", "Routing a home network to the internet", "#cra-class", "important-i",
			"#cra-start", "2026-01", "#cra-end", "2028-12", "#cra-contact", "security@example.eu")
		b.Step("choose Member States", chromedp.Click(chromedp.CSS(`#cra-states input[value="DE"]`)),
			chromedp.Click(chromedp.CSS(`#cra-states input[value="AT"]`)))
		// The 400 is provoked on purpose: not a console problem.
		shortSupport := browsertest.Expected{Status: "400", Path: "/products/" + pid + "/cra"}
		b.Submit("save a short support period", "#cra-form button[type=submit]", http.StatusBadRequest)
		if got := b.Text("main"); !strings.Contains(got, "shorter than five years") {
			t.Errorf("short support period: %q", got)
		}
		if n := b.Count(`#cra-states input:checked`); n != 2 {
			t.Errorf("%d Member States still checked, want 2", n)
		}
		b.Fill("#cra-end", "2031-12", "#cra-justification", "expected hardware lifetime")
		b.Submit("save the CRA information", "#cra-form button[type=submit]", http.StatusOK)
		if at := b.Path(); at != "/products/"+pid+"?cra=saved" {
			t.Errorf("after saving at %s", at)
		}
		if got := b.Text("#cra-facts"); !strings.Contains(got, "Example Devices GmbH") || !strings.Contains(got, "2031") ||
			!strings.Contains(got, "AT, DE") || !strings.Contains(got, "class I") {
			t.Errorf("CRA facts after the form: %q", got)
		}

		// 2. Two API tokens on the account page: one to read the CRA fields
		// back (administrator), one for CI uploads (contributor).
		adminToken := newToken(b, "admin-script", string(auth.RoleAdministrator))
		ciToken := newToken(b, "ci-upload", string(auth.RoleContributor))
		api := &e2eAPI{t: t, base: ts.URL, token: adminToken, client: ts.Client()}
		// The API answers what the form stored.
		var detail struct {
			Manufacturer  string   `json:"manufacturer"`
			CRAClass      string   `json:"cra_class"`
			MemberStates  []string `json:"member_states"`
			SupportPeriod struct {
				End           string `json:"end"`
				Justification string `json:"justification"`
			} `json:"support_period"`
		}
		if err := json.Unmarshal(api.do("GET", "/api/v1/products/"+pid, nil, http.StatusOK), &detail); err != nil {
			t.Fatal(err)
		}
		if detail.Manufacturer != "Example Devices GmbH" || detail.CRAClass != "important-i" ||
			strings.Join(detail.MemberStates, ",") != "AT,DE" || detail.SupportPeriod.End != "2031-12" ||
			detail.SupportPeriod.Justification != "expected hardware lifetime" {
			t.Errorf("product after the form: %+v", detail)
		}

		bom := filepath.Join("testdata", "e2e6", "bom.cdx.json")
		out, errOut, rc := runCLI(t, map[string]string{EnvToken: ciToken}, "push", "--server", ts.URL,
			"--product", "Gateway", "--version", "1.0.0", "--ca-cert", cert.CertPath, bom)
		if rc != 0 || !strings.Contains(out, "created release 1.0.0 of product Gateway") {
			t.Fatalf("craft push: %d %q %q", rc, out, errOut)
		}

		// 3. The advisory database gets the gin record (craft db
		// import); the monitoring job re-matches; the release page shows
		// the finding.
		out, errOut, rc = runCLI(t, nil, "db", "import", "--db", advDB, filepath.Join("testdata", "e2e6", "osv"))
		if rc != 0 {
			t.Fatalf("craft db import: %d %q %q", rc, out, errOut)
		}
		if res, err := s.MonitorAdvisories(ctx, "e2e:1"); err != nil || !res.Ran || res.Findings != 1 || res.Events != 1 {
			t.Fatalf("first monitoring run = %+v, %v", res, err)
		}
		// Deliver the first event now, before the webhook exists.
		if _, err := s.DeliverNotifications(ctx, "e2e:1"); err != nil {
			t.Fatal(err)
		}
		releasePath := "/products/" + pid + "/releases/1.0.0"
		if st := b.Open(releasePath); st != http.StatusOK {
			t.Fatalf("release page: %d", st)
		}
		if rows := b.Text("#findings tbody"); b.Count("#findings tbody tr") != 1 || !strings.Contains(rows, "CVE-2020-36567") ||
			!strings.Contains(rows, "github.com/gin-gonic/gin@v1.5.0") {
			t.Fatalf("findings on the release page: %q", rows)
		}
		// The components table says how it is ordered, truthfully: by
		// package URL (the SBOM lists gin, xz, uuid).
		if got := b.Text("#components"); !strings.Contains(got, "by package URL") ||
			strings.Index(got, "google/uuid") > strings.Index(got, "ulikunitz/xz") {
			t.Errorf("components table: %q", got)
		}
		b.Screenshot("1-findings")

		// 4. Triage on the release page: select it, not_affected with a
		// justification and a comment.
		b.Step("select the finding", chromedp.Click(chromedp.CSS("#findings input[name=finding]")))
		// The comment the server requires is required in the form too: the
		// browser holds the form back instead of a round trip to an error
		// page that loses the selection.
		if ok, err := chromedp.Run(bctx, chromedp.Evaluate[bool](`document.querySelector("#triage-form").checkValidity()`)); err != nil || ok {
			t.Errorf("the triage form is valid without a comment (%v)", err)
		}
		b.Fill("#t-status", "not_affected", "#t-just", "vulnerable_code_not_in_execute_path",
			"#t-comment", "the gateway never installs gin's default Logger middleware")
		b.Submit("save triage", "#triage-form fieldset button[type=submit]", http.StatusOK)
		if got := b.Text("#triaged"); !strings.Contains(got, "1 finding triaged") {
			t.Errorf("triage confirmation: %q", got)
		}
		if row := b.Text("#findings tbody tr"); !strings.Contains(row, "not_affected") {
			t.Errorf("finding row after triage: %q", row)
		}
		b.Submit("open the finding", "#findings tbody a", http.StatusOK)
		if main := b.Text("main"); !strings.Contains(main, "never installs gin's default Logger") ||
			!strings.Contains(main, "vulnerable_code_not_in_execute_path") {
			t.Errorf("finding history: %q", main)
		}
		// The comment wraps inside the history table instead of making it
		// scroll sideways.
		if over, err := chromedp.Run(bctx, chromedp.Evaluate[bool](
			`[...document.querySelectorAll(".table-wrap")].some(w => w.scrollWidth > w.clientWidth)`)); err != nil || over {
			t.Errorf("the finding page's history scrolls sideways at 1280 pixels (%v)", err)
		}
		b.Screenshot("2-triaged")

		// 5. The release page's VEX links (and its SBOM link), fetched
		// with the browser's session: both VEX documents parse and carry
		// the decision.
		b.Open(releasePath)
		for _, link := range []string{"VEX (OpenVEX)", "VEX (CycloneDX)"} {
			doc := b.FetchLink(link)
			stmts, err := vex.Read(link, strings.NewReader(doc))
			if err != nil {
				t.Fatalf("%s export does not parse: %v\n%s", link, err, doc)
			}
			var found bool
			for _, s := range stmts {
				if (s.Vulnerability == "CVE-2020-36567" || slices.Contains(s.Aliases, "CVE-2020-36567")) &&
					s.Status == vex.StatusNotAffected && s.Justification == vex.VulnerableCodeNotInExecutePath {
					found = true
				}
			}
			if !found {
				t.Errorf("no not_affected statement for CVE-2020-36567 in the %s export: %+v\n%s", link, stmts, doc)
			}
		}
		if pushed, err := os.ReadFile(bom); err != nil || b.FetchLink("SBOM") != string(pushed) {
			t.Errorf("the SBOM link does not give back the pushed document (%v)", err)
		}

		// CI pushes the same release again: the SBOM is replaced, the
		// finding is matched at once and keeps its decision.
		out, errOut, rc = runCLI(t, map[string]string{EnvToken: ciToken}, "push", "--server", ts.URL,
			"--product", "Gateway", "--version", "1.0.0", "--ca-cert", cert.CertPath, bom)
		if rc != 0 || !strings.Contains(out, "replaced the SBOM of release 1.0.0") {
			t.Fatalf("second craft push: %d %q %q", rc, out, errOut)
		}
		b.Open(releasePath)
		if row := b.Text("#findings tbody tr"); !strings.Contains(row, "CVE-2020-36567") || !strings.Contains(row, "not_affected") {
			t.Errorf("finding after the SBOM was pushed again: %q", row)
		}

		// 6. A webhook to the receiver (admin page), then a new advisory in
		// the import folder (craft serve --advisory-import); monitoring
		// finds it, the dashboard counts it, the account page and the
		// webhook get the notification.
		b.Open("/admin/notifications")
		b.Fill("#wh-name", "ops", "#wh-url", recv.URL+"/craft")
		b.Submit("add webhook", `form[action="/admin/notifications/webhooks"] button`, http.StatusOK)
		secret := b.Text("#new-secret")
		hookKey, err := notify.ParseSecret(secret)
		if err != nil {
			t.Fatalf("webhook secret %q: %v", secret, err)
		}
		data, err := os.ReadFile(filepath.Join("testdata", "e2e6", "new", "GO-2020-0016.json"))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(importDir, "GO-2020-0016.json"), data, 0o644); err != nil {
			t.Fatal(err)
		}
		if res, err := s.MonitorAdvisories(ctx, "e2e:1"); err != nil || !res.Ran || res.Findings != 2 || res.Events != 1 {
			t.Fatalf("monitoring after the new advisory = %+v, %v", res, err)
		}
		b.Open(releasePath)
		if rows := b.Text("#findings tbody"); b.Count("#findings tbody tr") != 2 || !strings.Contains(rows, "CVE-2021-29482") ||
			!strings.Contains(rows, "github.com/ulikunitz/xz@v0.5.7") {
			t.Fatalf("findings after the new advisory: %q", rows)
		}
		b.Open("/dashboard")
		if got := strings.Join(strings.Fields(b.Text("#open-counts")), " "); !strings.HasPrefix(got, "1 open") {
			t.Errorf("dashboard open counts: %q, want 1 open (the triaged one is closed)", got)
		}
		b.Screenshot("3-new-finding")

		res, err := s.DeliverNotifications(ctx, "e2e:1")
		if err != nil || res.WebhookAttempts != 1 || res.WebhookFailed != 0 {
			t.Fatalf("delivery = %+v, %v", res, err)
		}
		b.Open("/account/notifications")
		if got := b.Text("#recent ~ .table-wrap"); !strings.Contains(got, "new finding CVE-2021-29482 in product Gateway release 1.0.0") {
			t.Errorf("recent notifications: %q", got)
		}
		b.Screenshot("4-notification")

		got := hooks.all()
		if len(got) != 1 {
			t.Fatalf("webhook received %d requests, want 1", len(got))
		}
		h := got[0]
		if err := notify.Verify(hookKey, h.header.Get(notify.HeaderID), h.header.Get(notify.HeaderTimestamp), h.body,
			h.header.Get(notify.HeaderSignature), time.Now(), 5*time.Minute); err != nil {
			t.Errorf("webhook signature: %v", err)
		}
		if ev := h.header.Get(notify.HeaderEvent); ev != store.EventFindingNew {
			t.Errorf("webhook event %q, want %s", ev, store.EventFindingNew)
		}
		if !bytes.Contains(h.body, []byte("CVE-2021-29482")) || !bytes.Contains(h.body, []byte(pid)) {
			t.Errorf("webhook body: %s", h.body)
		}

		time.Sleep(100 * time.Millisecond) // let the last console events arrive
		for _, m := range console.Problems(ts.URL, shortSupport) {
			t.Errorf("console: %s", m)
		}
		t.Logf("%s walk took %s; screenshots in %s", engine, time.Since(start).Round(time.Millisecond), b.Shot)
	})
}

// hookReceiver records the webhook requests it gets.
type hookReceiver struct {
	mu  sync.Mutex
	got []hookRequest
}

type hookRequest struct {
	header http.Header
	body   []byte
}

func (h *hookReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	h.mu.Lock()
	h.got = append(h.got, hookRequest{header: r.Header.Clone(), body: body})
	h.mu.Unlock()
	w.WriteHeader(http.StatusNoContent)
}

func (h *hookReceiver) all() []hookRequest {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]hookRequest(nil), h.got...)
}

// e2eAPI calls the server's API with a bearer token.
type e2eAPI struct {
	t      *testing.T
	base   string
	token  string
	client *http.Client
}

func (a *e2eAPI) do(method, path string, body any, want int) []byte {
	a.t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			a.t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, a.base+path, rd)
	if err != nil {
		a.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+a.token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := a.client.Do(req)
	if err != nil {
		a.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		a.t.Fatalf("%s %s: %d, want %d: %s", method, path, resp.StatusCode, want, out)
	}
	return out
}

// e2ePassword meets the password policy.
const e2ePassword = "quartz lantern meadow 1987"

// newToken creates an API token on the account page and returns it.
func newToken(b *browsertest.Tab, name, role string) string {
	b.T.Helper()
	b.Open("/account")
	b.Fill("#token-name", name, "#token-role", role)
	b.Submit("create token "+name, "#tokens ~ form button[type=submit]", http.StatusOK)
	tok := b.Text("#new-token")
	if !auth.ValidAPITokenFormat(tok) {
		b.T.Fatalf("new token %q is not a craft token", tok)
	}
	return tok
}

package server

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/craft-cra/craft/internal/auth"
	"github.com/craft-cra/craft/internal/notify"
	"github.com/craft-cra/craft/internal/store"
	"github.com/craft-cra/craft/internal/store/storetest"
)

// notifyConfig lets webhooks reach httptest receivers (http, loopback).
func notifyConfig() Config {
	return Config{Limits: RateLimits{Disabled: true}, WebhookAllowHTTP: true, WebhookAllowPrivate: true,
		SealKey: bytes.Repeat([]byte{9}, auth.SealerKeySize)}
}

// receiver is an httptest webhook receiver that verifies every delivery
// with the secret it is given and answers status.
type receiver struct {
	mu       sync.Mutex
	srv      *httptest.Server
	key      []byte
	status   int
	now      func() time.Time
	got      []notify.Payload
	ids      []string
	verifyOK []bool
}

func newReceiver(t *testing.T, now func() time.Time) *receiver {
	rc := &receiver{status: http.StatusNoContent, now: now}
	rc.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		rc.mu.Lock()
		defer rc.mu.Unlock()
		err := notify.Verify(rc.key, r.Header.Get(notify.HeaderID), r.Header.Get(notify.HeaderTimestamp), body,
			r.Header.Get(notify.HeaderSignature), rc.now(), notify.DefaultTolerance)
		var p notify.Payload
		_ = json.Unmarshal(body, &p)
		rc.got = append(rc.got, p)
		rc.ids = append(rc.ids, r.Header.Get(notify.HeaderDelivery))
		rc.verifyOK = append(rc.verifyOK, err == nil && r.Header.Get(notify.HeaderEvent) == p.Kind)
		w.WriteHeader(rc.status)
	}))
	t.Cleanup(rc.srv.Close)
	return rc
}

func (rc *receiver) count() int {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return len(rc.got)
}

func (e *env) createWebhook(t *testing.T, cookie string, body map[string]any) webhookJSON {
	t.Helper()
	w := e.do("POST", "/api/v1/webhooks", body, withCookie(cookie))
	expectStatus(t, w, http.StatusCreated)
	return decode[webhookJSON](t, w)
}

func TestWebhookDeliverySignedAndLogged(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		e := newEnv(t, st, notifyConfig())
		admin := e.session(e.user("root@example.eu", auth.RoleAdministrator))
		p := e.product("router")
		rc := newReceiver(t, e.clock.Now)
		hook := e.createWebhook(t, admin, map[string]any{"name": "ops", "url": rc.srv.URL + "/hook?token=abc",
			"kinds": []string{"finding.kev"}})
		if !strings.HasPrefix(hook.Secret, notify.SecretPrefix) || !hook.Enabled {
			t.Fatalf("created = %+v", hook)
		}
		rc.key, _ = notify.ParseSecret(hook.Secret)
		got := decode[webhookJSON](t, e.do("GET", "/api/v1/webhooks/"+hook.ID, nil, withCookie(admin)))
		if got.Secret != "" || got.URL != hook.URL {
			t.Fatalf("GET shows %+v", got)
		}
		kev, _ := st.AddNotification(ctx, store.Notification{Kind: store.EventFindingKEV, ProductID: p.ID,
			Subject: "finding CVE-2024-0001 in product router release 1.0 is now KEV-listed (actively exploited)", Reference: "CVE-2024-0001"})
		if _, err := st.AddNotification(ctx, store.Notification{Kind: store.EventFindingNew, ProductID: p.ID, Subject: "new"}); err != nil {
			t.Fatal(err)
		}
		res, err := e.s.DeliverNotifications(ctx, "host-a:1")
		if err != nil || !res.Ran || res.FannedOut != 2 || res.WebhookAttempts != 1 {
			t.Fatalf("deliver = %+v, %v", res, err)
		}
		if rc.count() != 1 || !rc.verifyOK[0] || rc.got[0].ID != kev.ID || rc.got[0].Subject != kev.Subject ||
			rc.got[0].Product != p.ID || rc.got[0].Reference != "CVE-2024-0001" {
			t.Fatalf("receiver got %+v (verified %v)", rc.got, rc.verifyOK)
		}
		// A second run sends nothing again.
		if res, _ := e.s.DeliverNotifications(ctx, "host-b:2"); res.WebhookAttempts != 0 || rc.count() != 1 {
			t.Fatalf("second run = %+v", res)
		}
		log := decode[map[string][]deliveryJSON](t, e.do("GET", "/api/v1/webhooks/"+hook.ID+"/deliveries", nil, withCookie(admin)))
		ds := log["deliveries"]
		if len(ds) != 1 || ds[0].State != store.DeliveryDelivered || len(ds[0].Log) != 1 || ds[0].Log[0].Status != 204 ||
			ds[0].ID != rc.ids[0] {
			t.Fatalf("deliveries = %+v", ds)
		}
		// The test button signs too, and answers with the attempt.
		tw := e.do("POST", "/api/v1/webhooks/"+hook.ID+"/test", nil, withCookie(admin))
		expectStatus(t, tw, http.StatusOK)
		if d := decode[deliveryJSON](t, tw); d.State != store.DeliveryDelivered || rc.count() != 2 || !rc.verifyOK[1] ||
			rc.got[1].Kind != KindWebhookTest {
			t.Fatalf("test = %+v, receiver %+v", d, rc.got)
		}
		// A changed secret is used from then on.
		newSecret, _ := notify.GenerateSecret()
		expectStatus(t, e.do("PATCH", "/api/v1/webhooks/"+hook.ID, map[string]any{"secret": newSecret}, withCookie(admin)), http.StatusOK)
		rc.mu.Lock()
		rc.key, _ = notify.ParseSecret(newSecret)
		rc.mu.Unlock()
		expectStatus(t, e.do("POST", "/api/v1/webhooks/"+hook.ID+"/test", nil, withCookie(admin)), http.StatusOK)
		if !rc.verifyOK[2] {
			t.Fatal("delivery after the secret change does not verify")
		}
		// Audit: create, update, tests; no secret, no URL token.
		evs, err := st.ListAudit(ctx, store.AuditFilter{Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		actions := map[string]int{}
		for _, ev := range evs {
			actions[ev.Action]++
			if bad := store.FindSecretLike(ev); len(bad) > 0 {
				t.Errorf("audit %s holds secret-like %v", ev.Action, bad)
			}
			b, _ := json.Marshal(ev)
			if strings.Contains(string(b), "token=abc") || strings.Contains(string(b), strings.TrimPrefix(hook.Secret, "whsec_")) {
				t.Errorf("audit %s holds the URL token or the secret: %s", ev.Action, b)
			}
		}
		if actions[ActWebhookCreate] != 1 || actions[ActWebhookUpdate] != 1 || actions[ActWebhookTest] != 2 {
			t.Fatalf("audit actions = %v", actions)
		}
		if strings.Contains(e.log.String(), hook.Secret) {
			t.Fatal("the log holds the secret")
		}
		expectStatus(t, e.do("DELETE", "/api/v1/webhooks/"+hook.ID, nil, withCookie(admin)), http.StatusNoContent)
		expectStatus(t, e.do("GET", "/api/v1/webhooks/"+hook.ID, nil, withCookie(admin)), http.StatusNotFound)
	})
}

func TestWebhookRetriesThenGivesUp(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, storetest.SQLite(t), notifyConfig())
	admin := e.session(e.user("root@example.eu", auth.RoleAdministrator))
	rc := newReceiver(t, e.clock.Now)
	rc.status = http.StatusServiceUnavailable
	hook := e.createWebhook(t, admin, map[string]any{"url": rc.srv.URL})
	rc.key, _ = notify.ParseSecret(hook.Secret)
	if _, err := e.st.AddNotification(ctx, store.Notification{Kind: NotifyReportNew, Subject: "new report CRAFT-2026-0001"}); err != nil {
		t.Fatal(err)
	}
	attempts := 0
	for i := 0; i < 400 && attempts < notify.MaxAttempts+1; i++ {
		res, err := e.s.DeliverNotifications(ctx, "host-a:1")
		if err != nil {
			t.Fatal(err)
		}
		attempts += res.WebhookAttempts
		e.clock.Advance(5 * time.Minute) // the job interval
	}
	if attempts != notify.MaxAttempts || rc.count() != notify.MaxAttempts {
		t.Fatalf("attempts = %d, receiver saw %d; want %d", attempts, rc.count(), notify.MaxAttempts)
	}
	for i, ok := range rc.verifyOK {
		if !ok || rc.ids[i] != rc.ids[0] {
			t.Fatalf("attempt %d: verified %v, id %s (first %s)", i+1, ok, rc.ids[i], rc.ids[0])
		}
	}
	ds, err := e.st.ListWebhookDeliveries(ctx, hook.ID, 10)
	if err != nil || len(ds) != 1 || ds[0].State != store.DeliveryFailed || len(ds[0].Log) != notify.MaxAttempts {
		t.Fatalf("deliveries = %+v, %v", ds, err)
	}
	// The gaps follow the schedule within its ±20 % jitter, rounded up to
	// the five-minute job interval.
	for i := 1; i < len(ds[0].Log); i++ {
		gap := ds[0].Log[i].At.Sub(ds[0].Log[i-1].At)
		want := notify.RetrySchedule[i-1]
		if gap < want*8/10 || gap > want*12/10+5*time.Minute {
			t.Errorf("gap before attempt %d = %v, want about %v", i+1, gap, want)
		}
	}
	if !strings.Contains(ds[0].Log[0].Error, "503") {
		t.Fatalf("log error = %q", ds[0].Log[0].Error)
	}
}

func TestWebhookAddressPolicy(t *testing.T) {
	ctx := context.Background()
	strict := newEnv(t, storetest.SQLite(t), Config{Limits: RateLimits{Disabled: true},
		SealKey: bytes.Repeat([]byte{9}, auth.SealerKeySize)})
	admin := strict.session(strict.user("root@example.eu", auth.RoleAdministrator))
	for _, u := range []string{"https://127.0.0.1/h", "https://10.0.0.1/h", "https://169.254.169.254/latest", "https://[::1]/h",
		"http://hooks.example.com/h", "ftp://hooks.example.com/", "https://u:p@hooks.example.com/"} {
		w := strict.do("POST", "/api/v1/webhooks", map[string]any{"url": u}, withCookie(admin))
		expectStatus(t, w, http.StatusBadRequest)
		if !strings.Contains(w.Body.String(), "url") {
			t.Errorf("%s: detail %s does not name the url", u, w.Body.String())
		}
	}
	// A name that resolves to loopback passes configuration but is
	// refused where the connection is made.
	rc := newReceiver(t, strict.clock.Now)
	_, port, _ := net.SplitHostPort(rc.srv.Listener.Addr().String())
	hook := strict.createWebhook(t, admin, map[string]any{"url": "https://localhost:" + port + "/h"})
	w := strict.do("POST", "/api/v1/webhooks/"+hook.ID+"/test", nil, withCookie(admin))
	expectStatus(t, w, http.StatusOK)
	d := decode[deliveryJSON](t, w)
	if d.State != store.DeliveryPending || len(d.Log) != 1 || !strings.Contains(d.Log[0].Error, "loopback") || rc.count() != 0 {
		t.Fatalf("delivery to localhost = %+v", d)
	}
	// Unknown fields, kinds and products are refused by name.
	for body, want := range map[string]string{
		`{"url":"https://hooks.example.com/","kinds":["finding.nope"]}`: "kinds",
		`{"url":"https://hooks.example.com/","products":["nope"]}`:      "products",
		`{"url":"https://hooks.example.com/","secret":"short"}`:         "secret",
		`{"url":"https://hooks.example.com/","colour":"red"}`:           "colour",
		`{"url":"https://hooks.example.com/"`:                           "",
	} {
		w := strict.do("POST", "/api/v1/webhooks", body, withCookie(admin), withHeader("Content-Type", "application/json"))
		expectStatus(t, w, http.StatusBadRequest)
		if !strings.Contains(w.Body.String(), want) {
			t.Errorf("%s: %s", body, w.Body.String())
		}
	}
	if hooks, _ := strict.st.ListWebhooks(ctx); len(hooks) != 1 {
		t.Fatalf("refused requests stored webhooks: %d", len(hooks))
	}
	// Only administrators manage webhooks.
	viewer := strict.session(strict.user("vic@example.eu", auth.RoleViewer))
	expectStatus(t, strict.do("GET", "/api/v1/webhooks", nil, withCookie(viewer)), http.StatusForbidden)
}

// fakeMailbox is an SMTP server (no TLS: the lab setting) that keeps every
// message it is given.
type fakeMailbox struct {
	mu    sync.Mutex
	addr  string
	mails []string
}

func startMailbox(t *testing.T) *fakeMailbox {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	mb := &fakeMailbox{addr: ln.Addr().String()}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go mb.serve(c)
		}
	}()
	return mb
}

func (mb *fakeMailbox) serve(c net.Conn) {
	defer c.Close()
	r := bufio.NewReader(c)
	say := func(s string) { io.WriteString(c, s+"\r\n") }
	say("220 mailbox")
	var rcpt string
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		switch verb := strings.ToUpper(strings.Fields(line + " x")[0]); verb {
		case "EHLO", "HELO":
			say("250 mailbox")
		case "RCPT":
			rcpt = strings.TrimSpace(line)
			say("250 ok")
		case "MAIL", "RSET", "NOOP":
			say("250 ok")
		case "DATA":
			say("354 go")
			var b strings.Builder
			for {
				l, err := r.ReadString('\n')
				if err != nil || l == ".\r\n" {
					break
				}
				b.WriteString(l)
			}
			mb.mu.Lock()
			mb.mails = append(mb.mails, rcpt+"\n"+b.String())
			mb.mu.Unlock()
			say("250 queued")
		case "QUIT":
			say("221 bye")
			return
		default:
			say("502 no")
		}
	}
}

func (mb *fakeMailbox) take() []string {
	mb.mu.Lock()
	defer mb.mu.Unlock()
	out := mb.mails
	mb.mails = nil
	return out
}

func (mb *fakeMailbox) settings(t *testing.T) map[string]any {
	host, port, _ := net.SplitHostPort(mb.addr)
	n, _ := strconv.Atoi(port)
	return map[string]any{"host": host, "port": n, "from": "craft@example.eu", "disable_starttls": true,
		"digest_hour_utc": 7, "base_url": "https://craft.example.eu"}
}

func mailsTo(mails []string, addr string) []string {
	var out []string
	for _, m := range mails {
		if strings.Contains(strings.SplitN(m, "\n", 2)[0], "<"+addr+">") {
			out = append(out, m)
		}
	}
	return out
}

func TestMailPreferencesIsolationAndDigest(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		e := newEnv(t, st, notifyConfig())
		e.clock.Advance(-5 * time.Hour) // 05:00 UTC, before the digest hour
		mb := startMailbox(t)
		adminU := e.user("root@example.eu", auth.RoleAdministrator)
		admin := e.session(adminU)
		expectStatus(t, e.do("PUT", "/api/v1/settings/smtp", mb.settings(t), withCookie(admin)), http.StatusOK)
		p, q := e.product("router"), e.product("camera")
		officer := e.user("sofia@example.eu", auth.RoleSecurityOfficer)
		e.member(officer, p, store.RoleSecurityOfficer)
		viewer := e.user("victor@example.eu", auth.RoleViewer)
		e.member(viewer, p, store.RoleViewer)
		outsider := e.user("olga@example.eu", auth.RoleSecurityOfficer)
		e.member(outsider, q, store.RoleSecurityOfficer)
		// The officer wants findings of the router at once.
		expectStatus(t, e.do("PUT", "/api/v1/me/notification-preferences", map[string]any{"preferences": []map[string]string{
			{"product_id": p.ID, "group": "findings", "mode": "immediate"}}}, withCookie(e.session(officer))), http.StatusOK)
		// Adding a preference for a product one cannot see is refused like a missing one.
		expectStatus(t, e.do("PUT", "/api/v1/me/notification-preferences", map[string]any{"preferences": []map[string]string{
			{"product_id": q.ID, "group": "kev", "mode": "off"}}}, withCookie(e.session(viewer))), http.StatusBadRequest)

		for _, n := range []store.Notification{
			{Kind: store.EventFindingKEV, ProductID: p.ID, Subject: "finding CVE-1 in product router release 1 is now KEV-listed (actively exploited)"},
			{Kind: store.EventFindingNew, ProductID: p.ID, Subject: "new finding CVE-2 in product router release 1"},
			{Kind: NotifyReportNew, ProductID: p.ID, Subject: "new report CRAFT-2026-0001 on product " + p.ID, Reference: "CRAFT-2026-0001"},
		} {
			if _, err := st.AddNotification(ctx, n); err != nil {
				t.Fatal(err)
			}
		}
		res, err := e.s.DeliverNotifications(ctx, "host-a:1")
		if err != nil {
			t.Fatal(err)
		}
		mails := mb.take()
		count := func(addr string) int { return len(mailsTo(mails, addr)) }
		// Defaults: administrators and officers get KEV and reports at once;
		// the officer's own choice adds findings; viewers only a digest;
		// a member of another product nothing.
		if count("root@example.eu") != 2 || count("sofia@example.eu") != 3 || count("victor@example.eu") != 0 ||
			count("olga@example.eu") != 0 || res.Mails != 5 || res.Digests != 0 {
			t.Fatalf("res %+v, mails:\n%s", res, strings.Join(mails, "\n---\n"))
		}
		for _, m := range mails {
			if !strings.Contains(m, "https://craft.example.eu/account/notifications") || strings.Contains(m, "description") {
				t.Fatalf("mail:\n%s", m)
			}
		}
		// Digest hour: one digest per user per day, even with two processes.
		e.clock.Advance(3 * time.Hour)
		for _, h := range []string{"host-a:1", "host-b:2", "host-a:1"} {
			if _, err := e.s.DeliverNotifications(ctx, h); err != nil {
				t.Fatal(err)
			}
		}
		digests := mb.take()
		v := mailsTo(digests, "victor@example.eu")
		if len(v) != 1 || !strings.Contains(v[0], "daily digest: 1 notification") || !strings.Contains(v[0], "KEV-listed") {
			t.Fatalf("viewer digest = %q", v)
		}
		if len(mailsTo(digests, "olga@example.eu")) != 0 || len(mailsTo(digests, "sofia@example.eu")) != 0 {
			t.Fatalf("unexpected digests:\n%s", strings.Join(digests, "\n---\n"))
		}
		if a := mailsTo(digests, "root@example.eu"); len(a) != 1 || !strings.Contains(a[0], "new finding CVE-2") {
			t.Fatalf("admin digest = %q", a)
		}
		// Later the same day nothing more.
		e.clock.Advance(time.Hour)
		if _, err := e.s.DeliverNotifications(ctx, "host-b:2"); err != nil || len(mb.take()) != 0 {
			t.Fatalf("second digest the same day (%v)", err)
		}
	})
}

func TestNotificationsListIsolation(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, storetest.SQLite(t), notifyConfig())
	p, q := e.product("router"), e.product("camera")
	viewerU := e.user("victor@example.eu", auth.RoleViewer)
	e.member(viewerU, p, store.RoleViewer)
	viewer := e.session(viewerU)
	admin := e.session(e.user("root@example.eu", auth.RoleAdministrator))
	for i, n := range []store.Notification{
		{Kind: store.EventFindingNew, ProductID: p.ID, Subject: "p finding 1"},
		{Kind: store.EventFindingNew, ProductID: q.ID, Subject: "q finding"},
		{Kind: NotifyReportNew, ProductID: p.ID, Subject: "p report"},
		{Kind: NotifyReportNew, Subject: "report without product"},
		{Kind: KindComponentEOL, ProductID: p.ID, Subject: "p eol"},
		{Kind: store.EventFindingKEV, ProductID: p.ID, Subject: "p kev"},
	} {
		if _, err := e.st.AddNotification(ctx, n); err != nil {
			t.Fatal(err)
		}
		e.clock.Advance(time.Duration(i+1) * time.Second)
	}
	walk := func(cookie string) []string {
		var subjects []string
		cursor := ""
		for range 10 {
			w := e.do("GET", "/api/v1/notifications?limit=1&cursor="+cursor, nil, withCookie(cookie))
			expectStatus(t, w, http.StatusOK)
			pg := decode[Page[notificationJSON]](t, w)
			for _, it := range pg.Items {
				subjects = append(subjects, it.Subject)
			}
			if pg.NextCursor == "" {
				break
			}
			cursor = pg.NextCursor
		}
		return subjects
	}
	if got := strings.Join(walk(viewer), "|"); got != "p kev|p eol|p finding 1" {
		t.Fatalf("viewer sees %q", got)
	}
	if got := len(walk(admin)); got != 6 {
		t.Fatalf("admin sees %d", got)
	}
	expectStatus(t, e.do("GET", "/api/v1/notifications?cursor=bm90LWEtY3Vyc29y!!", nil, withCookie(viewer)), http.StatusBadRequest)
	expectStatus(t, e.do("GET", "/api/v1/notifications?limit=0", nil, withCookie(viewer)), http.StatusBadRequest)
}

func TestPreferencesAPI(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t), notifyConfig())
	p := e.product("router")
	u := e.user("cora@example.eu", auth.RoleContributor)
	e.member(u, p, store.RoleContributor)
	c := e.session(u)
	got := decode[preferencesJSON](t, e.do("GET", "/api/v1/me/notification-preferences", nil, withCookie(c)))
	want := map[string]string{"findings": "digest", "kev": "immediate", "eol": "digest", "reports": "off"}
	for g, m := range want {
		if got.Effective[p.ID][g] != m {
			t.Fatalf("defaults = %+v", got.Effective)
		}
	}
	for _, tc := range []struct {
		body   string
		status int
	}{
		{`{"preferences":[{"group":"kev","mode":"sometimes"}]}`, 400},
		{`{"preferences":[{"group":"spam","mode":"off"}]}`, 400},
		{`{"preferences":[{"group":"kev","mode":"off"},{"group":"kev","mode":"digest"}]}`, 400},
		{`{"preferences":[{"group":"kev","mode":"off","extra":1}]}`, 400},
		{`{"effective":{}}`, 400},
		{`{"preferences":[{"product_id":"nope","group":"kev","mode":"off"}]}`, 400},
		{`{"preferences":[{"group":"kev","mode":"off"}]}`, 200},
		{`{"preferences":[{"product_id":"` + p.ID + `","group":"eol","mode":"immediate"}]}`, 200},
	} {
		w := e.do("PUT", "/api/v1/me/notification-preferences", tc.body, withCookie(c), withHeader("Content-Type", "application/json"))
		expectStatus(t, w, tc.status)
	}
	got = decode[preferencesJSON](t, e.do("GET", "/api/v1/me/notification-preferences", nil, withCookie(c)))
	if got.Effective[p.ID]["eol"] != "immediate" || got.Effective[p.ID]["kev"] != "immediate" || len(got.Preferences) != 1 {
		t.Fatalf("after PUT = %+v", got)
	}
}

func TestSMTPSettingsPasswordWriteOnly(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, storetest.SQLite(t), notifyConfig())
	admin := e.session(e.user("root@example.eu", auth.RoleAdministrator))
	const pw = "Tr0ub4dor&3-smtp-password"
	body := map[string]any{"host": "smtp.example.eu", "port": 587, "username": "craft", "password": pw,
		"from": "craft <craft@example.eu>"}
	w := e.do("PUT", "/api/v1/settings/smtp", body, withCookie(admin))
	expectStatus(t, w, http.StatusOK)
	if strings.Contains(w.Body.String(), pw) || !strings.Contains(w.Body.String(), `"password_set":true`) {
		t.Fatalf("PUT answer %s", w.Body.String())
	}
	raw, err := e.st.GetSetting(ctx, SettingNotify)
	if err != nil || strings.Contains(raw, pw) {
		t.Fatalf("stored %q, %v", raw, err)
	}
	c, _ := e.s.loadNotifySettings(ctx)
	sc, err := e.s.smtpConfig(c)
	if err != nil || sc.Password != pw || sc.DisableStartTLS {
		t.Fatalf("unsealed %+v, %v", sc, err)
	}
	// A PUT without password keeps it.
	delete(body, "password")
	expectStatus(t, e.do("PUT", "/api/v1/settings/smtp", body, withCookie(admin)), http.StatusOK)
	if got := decode[smtpJSON](t, e.do("GET", "/api/v1/settings/smtp", nil, withCookie(admin))); !got.PasswordSet || got.Password != nil {
		t.Fatalf("GET = %+v", got)
	}
	for _, bad := range []map[string]any{
		{"host": "smtp.example.eu", "port": 0, "from": "craft@example.eu"},
		{"host": "smtp.example.eu", "port": 25, "from": "nobody"},
		{"host": "smtp.example.eu", "port": 25, "from": "a@b.c", "digest_hour_utc": 24},
		{"host": "smtp.example.eu", "port": 25, "from": "a@b.c", "base_url": "javascript:alert(1)"},
		{"host": "smtp.example.eu", "port": 25, "from": "a@b.c", "password": "a\r\nb"},
	} {
		expectStatus(t, e.do("PUT", "/api/v1/settings/smtp", bad, withCookie(admin)), http.StatusBadRequest)
	}
	evs, _ := e.st.ListAudit(ctx, store.AuditFilter{Action: ActSettingChange})
	for _, ev := range evs {
		b, _ := json.Marshal(ev)
		if strings.Contains(string(b), pw) || len(store.FindSecretLike(ev)) > 0 {
			t.Fatalf("audit holds the password: %s", b)
		}
	}
	if len(evs) != 2 {
		t.Fatalf("audit events = %d", len(evs))
	}
}

func TestEOLEventOnce(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		tmp := t.TempDir()
		imp := filepath.Join(tmp, "import")
		if err := os.Mkdir(imp, 0o755); err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile("testdata/notify/express.yaml")
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(imp, "express.yaml"), b, 0o644); err != nil {
			t.Fatal(err)
		}
		cfg := notifyConfig()
		cfg.AdvisoryDB, cfg.AdvisoryImportDir = filepath.Join(tmp, "advisories.db"), imp
		e := newEnv(t, st, cfg)
		p := e.product("Edge Router")
		admin := e.session(e.user("root@example.eu", auth.RoleAdministrator))
		sbom := `{"bomFormat": "CycloneDX", "specVersion": "1.5", "version": 1, "components": [
		  {"type": "library", "bom-ref": "ex", "name": "express", "version": "3.21.2", "purl": "pkg:npm/express@3.21.2"},
		  {"type": "library", "bom-ref": "jq", "name": "jquery", "version": "3.4.1", "purl": "pkg:npm/jquery@3.4.1"}]}`
		expectStatus(t, e.do("POST", "/api/v1/products/"+p.ID+"/releases/2.0/sbom", []byte(sbom), withCookie(admin),
			withHeader("Content-Type", "application/vnd.cyclonedx+json")), http.StatusCreated)
		for run := range 2 {
			if _, err := e.s.MonitorAdvisories(ctx, "host-a:1"); err != nil {
				t.Fatal(err)
			}
			if err := st.ReleaseLease(ctx, monitorLease, "host-a:1"); err != nil {
				t.Fatal(err)
			}
			var eol []store.Notification
			ns, _ := st.ListNotifications(ctx, store.NotificationFilter{All: true}, nil, 100)
			for _, n := range ns {
				if n.Kind == KindComponentEOL {
					eol = append(eol, n)
				}
			}
			if len(eol) != 1 || eol[0].Subject != "component express 3.21.2 in product Edge Router release 2.0 reached end of life on 2015-07-05" ||
				eol[0].ProductID != p.ID {
				t.Fatalf("run %d: eol events = %+v", run, eol)
			}
		}
	})
}

// TestDeliveryResumesAfterRestart: a second Server on the same database
// (a restart, or another process) continues a delivery where the first
// left it, sends the notification once and keeps the log.
func TestDeliveryResumesAfterRestart(t *testing.T) {
	ctx := context.Background()
	st := storetest.SQLite(t)
	first := newEnv(t, st, notifyConfig())
	admin := first.session(first.user("root@example.eu", auth.RoleAdministrator))
	rc := newReceiver(t, first.clock.Now)
	rc.status = http.StatusBadGateway
	hook := first.createWebhook(t, admin, map[string]any{"url": rc.srv.URL})
	rc.key, _ = notify.ParseSecret(hook.Secret)
	if _, err := st.AddNotification(ctx, store.Notification{Kind: store.EventFindingNew, Subject: "new finding"}); err != nil {
		t.Fatal(err)
	}
	if res, err := first.s.DeliverNotifications(ctx, "host-a:1"); err != nil || res.WebhookAttempts != 1 {
		t.Fatalf("first = %+v, %v", res, err)
	}
	second := newEnv(t, st, notifyConfig())
	second.clock.Advance(2 * time.Minute)
	rc.mu.Lock()
	rc.status, rc.now = http.StatusOK, second.clock.Now
	rc.mu.Unlock()
	res, err := second.s.DeliverNotifications(ctx, "host-b:2")
	if err != nil || res.FannedOut != 0 || res.WebhookAttempts != 1 {
		t.Fatalf("second = %+v, %v", res, err)
	}
	ds, _ := st.ListWebhookDeliveries(ctx, hook.ID, 10)
	if rc.count() != 2 || rc.ids[0] != rc.ids[1] || !rc.verifyOK[1] || len(ds) != 1 || ds[0].State != store.DeliveryDelivered ||
		len(ds[0].Log) != 2 || ds[0].Log[0].Status != http.StatusBadGateway {
		t.Fatalf("receiver %v %v; deliveries %+v", rc.ids, rc.verifyOK, ds)
	}
}

package server

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/craft-cra/craft/internal/auth"
	"github.com/craft-cra/craft/internal/store"
	"github.com/craft-cra/craft/internal/store/storetest"
)

func form(v url.Values) (string, reqOpt) {
	return v.Encode(), withHeader("Content-Type", "application/x-www-form-urlencoded")
}

func TestNotifyPages(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		cfg := notifyConfig()
		cfg.WebhookAllowHTTP, cfg.WebhookAllowPrivate = false, false
		e := newEnv(t, st, cfg)
		admin := e.session(e.user("root@example.eu", auth.RoleAdministrator))
		p := e.product("router")
		vu := e.user("vera@example.eu", auth.RoleViewer)
		e.member(vu, p, store.RoleViewer)
		viewer := e.session(vu)

		w := e.do("GET", "/admin/notifications", nil, withCookie(admin))
		expectStatus(t, w, http.StatusOK)
		if !strings.Contains(w.Body.String(), "No webhooks yet") {
			t.Fatalf("admin page:\n%s", w.Body.String())
		}
		// A refused URL shows the form again with the reason and what was typed.
		body, ct := form(url.Values{"name": {"ops"}, "url": {"https://10.0.0.1/hook"}})
		w = e.do("POST", "/admin/notifications/webhooks", body, withCookie(admin), ct)
		expectStatus(t, w, http.StatusBadRequest)
		if !strings.Contains(w.Body.String(), "private address") || !strings.Contains(w.Body.String(), `value="https://10.0.0.1/hook"`) {
			t.Fatalf("refused form:\n%s", w.Body.String())
		}
		body, ct = form(url.Values{"name": {"<b>ops</b>"}, "url": {"https://hooks.example.com/x"}, "kinds": {"finding.kev", "component.eol"}})
		w = e.do("POST", "/admin/notifications/webhooks", body, withCookie(admin), ct)
		expectStatus(t, w, http.StatusOK)
		hooks, _ := st.ListWebhooks(ctx)
		if len(hooks) != 1 || len(hooks[0].Kinds) != 2 || !strings.Contains(w.Body.String(), `id="new-secret">whsec_`) ||
			strings.Contains(w.Body.String(), "<b>ops</b>") {
			t.Fatalf("created %+v; page:\n%s", hooks, w.Body.String())
		}
		// The secret is shown once: not on the next visit.
		if w := e.do("GET", "/admin/notifications", nil, withCookie(admin)); strings.Contains(w.Body.String(), `id="new-secret"`) {
			t.Fatal("secret shown again")
		}
		body, ct = form(url.Values{"host": {"smtp.example.eu"}, "port": {"587"}, "from": {"craft@example.eu"},
			"password": {"s3cret-pass"}, "digest_hour_utc": {"6"}, "base_url": {"https://craft.example.eu"}})
		w = e.do("POST", "/admin/notifications/smtp", body, withCookie(admin), ct)
		expectStatus(t, w, http.StatusOK)
		if strings.Contains(w.Body.String(), "s3cret-pass") || !strings.Contains(w.Body.String(), "set; leave empty to keep it") {
			t.Fatalf("smtp page:\n%s", w.Body.String())
		}
		body, ct = form(url.Values{"host": {"smtp.example.eu"}, "port": {"x"}, "from": {"craft@example.eu"}, "digest_hour_utc": {"6"}})
		expectStatus(t, e.do("POST", "/admin/notifications/smtp", body, withCookie(admin), ct), http.StatusBadRequest)
		body, ct = form(url.Values{})
		expectStatus(t, e.do("POST", "/admin/notifications/webhooks/"+hooks[0].ID+"/delete", body, withCookie(admin), ct), http.StatusOK)
		if hooks, _ := st.ListWebhooks(ctx); len(hooks) != 0 {
			t.Fatal("not deleted")
		}
		// Viewers have no admin page, but their own.
		expectStatus(t, e.do("GET", "/admin/notifications", nil, withCookie(viewer)), http.StatusForbidden)
		if _, err := st.AddNotification(ctx, store.Notification{Kind: store.EventFindingKEV, ProductID: p.ID, Subject: "kev <i>x</i>"}); err != nil {
			t.Fatal(err)
		}
		if _, err := st.AddNotification(ctx, store.Notification{Kind: NotifyReportNew, ProductID: p.ID, Subject: "secret report"}); err != nil {
			t.Fatal(err)
		}
		w = e.do("GET", "/account/notifications", nil, withCookie(viewer))
		expectStatus(t, w, http.StatusOK)
		if !strings.Contains(w.Body.String(), "kev &lt;i&gt;x&lt;/i&gt;") || strings.Contains(w.Body.String(), "secret report") {
			t.Fatalf("account page:\n%s", w.Body.String())
		}
		body, ct = form(url.Values{"mode_kev": {"immediate"}, "mode_findings": {"default"}})
		expectStatus(t, e.do("POST", "/account/notifications", body, withCookie(viewer), ct), http.StatusOK)
		prefs, _ := st.ListNotificationPreferences(ctx, vu.ID)
		if len(prefs) != 1 || prefs[0].Mode != store.ModeImmediate {
			t.Fatalf("prefs = %+v", prefs)
		}
		body, ct = form(url.Values{"mode_kev": {"loud"}})
		expectStatus(t, e.do("POST", "/account/notifications", body, withCookie(viewer), ct), http.StatusBadRequest)
	})
}

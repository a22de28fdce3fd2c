package server

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/craft-cra/craft/internal/auth"
	"github.com/craft-cra/craft/internal/store"
	"github.com/craft-cra/craft/internal/store/storetest"
)

// BenchmarkDeliverNotifications: one run of the delivery job over 200
// fresh notifications of one product, fanned out to two webhooks (a local
// receiver answering 204, so 400 signed POSTs) and 50 members' mail rows
// (the mails themselves are not sent: SMTP points nowhere until the
// digest hour).
func BenchmarkDeliverNotifications(b *testing.B) {
	ctx := context.Background()
	e := newEnv(b, storetest.SQLite(b), notifyConfig())
	e.clock.Advance(-9 * time.Hour) // 01:00 UTC, before the digest hour
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) }))
	b.Cleanup(rcv.Close)
	admin := e.session(e.user("root@example.eu", auth.RoleAdministrator))
	for range 2 {
		w := e.do("POST", "/api/v1/webhooks", map[string]any{"url": rcv.URL}, withCookie(admin))
		if w.Code != http.StatusCreated {
			b.Fatal(w.Body.String())
		}
	}
	p := e.product("router")
	for i := range 50 {
		u := e.user(fmt.Sprintf("u%d@example.eu", i), auth.RoleViewer)
		e.member(u, p, store.RoleContributor)
	}
	// Immediate mails would go to a closed port: keep them to digests.
	if err := e.st.SetSetting(ctx, SettingNotify, `{"host":"127.0.0.1","port":9,"from":"c@example.eu","disable_starttls":true,"digest_hour_utc":23}`); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		b.StopTimer()
		for i := range 200 {
			if _, err := e.st.AddNotification(ctx, store.Notification{Kind: store.EventFindingNew, ProductID: p.ID,
				Subject: fmt.Sprintf("new finding CVE-2026-%05d in product router release 1.0", i)}); err != nil {
				b.Fatal(err)
			}
		}
		b.StartTimer()
		res, err := e.s.DeliverNotifications(ctx, "bench:1")
		if err != nil || res.FannedOut != 200 || res.WebhookAttempts != 400 {
			b.Fatalf("%+v, %v", res, err)
		}
	}
}

package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/craft-cra/craft/internal/store"
	"github.com/craft-cra/craft/internal/store/storetest"
)

func sealed(id string) ([]byte, error) { return []byte("sealed:" + id), nil }

func TestWebhooksAndDeliveries(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		p, err := s.CreateProduct(ctx, store.Product{Name: "Router"})
		if err != nil {
			t.Fatal(err)
		}
		w, err := s.CreateWebhook(ctx, store.Webhook{Name: "ops", URL: "https://hooks.example.com/x",
			Kinds: []string{"finding.kev"}, Products: []string{p.ID}, Enabled: true}, sealed)
		if err != nil || string(w.SecretSealed) != "sealed:"+w.ID {
			t.Fatalf("create = %+v, %v", w, err)
		}
		if _, err := s.CreateWebhook(ctx, store.Webhook{URL: "https://x", Kinds: []string{"a\nb"}}, sealed); !errors.Is(err, store.ErrInvalid) {
			t.Fatalf("kind with newline: %v", err)
		}
		w.Enabled, w.Kinds = false, nil
		if w, err = s.UpdateWebhook(ctx, w); err != nil || w.Enabled || len(w.Kinds) != 0 || len(w.Products) != 1 {
			t.Fatalf("update = %+v, %v", w, err)
		}
		n, err := s.AddNotification(ctx, store.Notification{Kind: "finding.kev", ProductID: p.ID, Subject: "s"})
		if err != nil {
			t.Fatal(err)
		}
		u, err := s.CreateUser(ctx, store.User{Email: "ann@example.eu", DisplayName: "Ann", PasswordHash: "x", Role: store.RoleViewer})
		if err != nil {
			t.Fatal(err)
		}
		fo := store.NotificationFanOut{NotificationID: n.ID,
			Deliveries: []store.WebhookDelivery{{WebhookID: w.ID, Kind: n.Kind, Payload: `{"id":"` + n.ID + `"}`}},
			Mails:      []store.NotificationMail{{UserID: u.ID, Mode: store.ModeImmediate}}}
		for range 2 { // a second fan-out (another process, a retry) adds nothing
			if err := s.FanOutNotification(ctx, fo); err != nil {
				t.Fatal(err)
			}
		}
		if pending, _ := s.ListPendingNotifications(ctx); len(pending) != 0 {
			t.Fatalf("still pending: %+v", pending)
		}
		now := time.Now()
		due, err := s.DueWebhookDeliveries(ctx, now.Add(time.Second), 10)
		if err != nil || len(due) != 1 || due[0].Payload != `{"id":"`+n.ID+`"}` {
			t.Fatalf("due = %+v, %v", due, err)
		}
		d := due[0]
		if err := s.RecordWebhookAttempt(ctx, d.ID, store.WebhookAttempt{At: now, Status: 500, Error: "receiver answered 500",
			Duration: 120 * time.Millisecond}, store.DeliveryPending, now.Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
		if due, _ := s.DueWebhookDeliveries(ctx, now.Add(30*time.Second), 10); len(due) != 0 {
			t.Fatalf("due before back-off: %+v", due)
		}
		if err := s.RecordWebhookAttempt(ctx, d.ID, store.WebhookAttempt{At: now.Add(time.Minute), Status: 204},
			store.DeliveryDelivered, now.Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
		log, err := s.ListWebhookDeliveries(ctx, w.ID, 10)
		if err != nil || len(log) != 1 || log[0].State != store.DeliveryDelivered || log[0].Attempts != 2 || len(log[0].Log) != 2 ||
			log[0].Log[0].Status != 500 || log[0].Log[0].Duration != 120*time.Millisecond || log[0].Log[1].Attempt != 2 {
			t.Fatalf("log = %+v, %v", log, err)
		}
		mails, err := s.PendingImmediateMails(ctx, 10)
		if err != nil || len(mails) != 1 || mails[0].Notification.Subject != "s" || mails[0].UserID != u.ID {
			t.Fatalf("mails = %+v, %v", mails, err)
		}
		if err := s.MarkMailSent(ctx, u.ID, n.ID, now, ""); err != nil {
			t.Fatal(err)
		}
		if mails, _ := s.PendingImmediateMails(ctx, 10); len(mails) != 0 {
			t.Fatalf("mail still pending")
		}
		if err := s.DeleteWebhook(ctx, w.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.GetWebhook(ctx, w.ID); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("deleted webhook: %v", err)
		}
	})
}

func TestNotificationPreferencesAndDigest(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		u, err := s.CreateUser(ctx, store.User{Email: "bo@example.eu", DisplayName: "Bo", PasswordHash: "x", Role: store.RoleViewer})
		if err != nil {
			t.Fatal(err)
		}
		prefs := []store.NotificationPreference{{Group: store.GroupKEV, Mode: store.ModeImmediate},
			{ProductID: "p1", Group: store.GroupFindings, Mode: store.ModeOff}}
		if err := s.ReplaceNotificationPreferences(ctx, u.ID, prefs); err != nil {
			t.Fatal(err)
		}
		if err := s.ReplaceNotificationPreferences(ctx, u.ID, []store.NotificationPreference{{Group: "spam", Mode: "off"}}); !errors.Is(err, store.ErrInvalid) {
			t.Fatalf("bad group: %v", err)
		}
		got, err := s.ListNotificationPreferences(ctx, u.ID)
		if err != nil || len(got) != 2 || got[0] != prefs[0] || got[1] != prefs[1] {
			t.Fatalf("prefs = %+v, %v", got, err)
		}
		n, _ := s.AddNotification(ctx, store.Notification{Kind: "component.eol", Subject: "eol"})
		if err := s.FanOutNotification(ctx, store.NotificationFanOut{NotificationID: n.ID,
			Mails: []store.NotificationMail{{UserID: u.ID, Mode: store.ModeDigest}}}); err != nil {
			t.Fatal(err)
		}
		users, err := s.UsersWithPendingDigest(ctx)
		if err != nil || len(users) != 1 {
			t.Fatalf("digest users = %v, %v", users, err)
		}
		items, err := s.PendingDigestMails(ctx, u.ID, time.Now().Add(-24*time.Hour))
		if err != nil || len(items) != 1 || items[0].Notification.Subject != "eol" {
			t.Fatalf("digest items = %+v, %v", items, err)
		}
		ok1, err1 := s.ClaimDigest(ctx, u.ID, "2026-12-04", time.Now())
		ok2, err2 := s.ClaimDigest(ctx, u.ID, "2026-12-04", time.Now())
		if !ok1 || ok2 || err1 != nil || err2 != nil {
			t.Fatalf("claims = %v %v, %v %v", ok1, ok2, err1, err2)
		}
		if err := s.CompleteDigest(ctx, u.ID, "2026-12-04", 1, time.Now()); err != nil {
			t.Fatal(err)
		}
		if users, _ := s.UsersWithPendingDigest(ctx); len(users) != 0 {
			t.Fatalf("digest still pending for %v", users)
		}
	})
}

func TestEOLEventOnceAndListing(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		p, _ := s.CreateProduct(ctx, store.Product{Name: "Router"})
		q, _ := s.CreateProduct(ctx, store.Product{Name: "Other"})
		r, err := s.CreateRelease(ctx, store.Release{ProductID: p.ID, Version: "2.0"})
		if err != nil {
			t.Fatal(err)
		}
		n := store.Notification{Kind: "component.eol", ProductID: p.ID, Subject: "component openssl 1.1.1 reached end of life"}
		for i, want := range []bool{true, false} {
			added, err := s.RecordEOLEvent(ctx, r.ID, "pkg:generic/openssl@1.1.1", "1.1.1", n)
			if err != nil || added != want {
				t.Fatalf("run %d: added = %v, %v", i, added, err)
			}
		}
		if _, err := s.AddNotification(ctx, store.Notification{Kind: "report.new", ProductID: q.ID, Subject: "other"}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.AddNotification(ctx, store.Notification{Kind: "report.new", Subject: "no product"}); err != nil {
			t.Fatal(err)
		}
		mine, err := s.ListNotifications(ctx, store.NotificationFilter{Products: []string{p.ID}}, nil, 10)
		if err != nil || len(mine) != 1 || mine[0].Subject != n.Subject {
			t.Fatalf("visible = %+v, %v", mine, err)
		}
		if none, _ := s.ListNotifications(ctx, store.NotificationFilter{}, nil, 10); len(none) != 0 {
			t.Fatalf("empty filter shows %+v", none)
		}
		all, err := s.ListNotifications(ctx, store.NotificationFilter{All: true}, nil, 2)
		if err != nil || len(all) != 2 {
			t.Fatalf("page 1 = %+v, %v", all, err)
		}
		last := all[1]
		rest, err := s.ListNotifications(ctx, store.NotificationFilter{All: true},
			&store.NotificationCursor{CreatedAt: last.CreatedAt.UnixNano(), ID: last.ID}, 2)
		if err != nil || len(rest) != 1 || rest[0].ID == all[0].ID || rest[0].ID == last.ID {
			t.Fatalf("page 2 = %+v, %v", rest, err)
		}
	})
}

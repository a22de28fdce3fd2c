package store

import (
	"context"
	"time"
)

// populateNotify fills the tables of migration 00006 for the backup
// round trip (every table must hold a row).
func populateNotify(ctx context.Context, s *Store, userID, productID, notificationID string) error {
	w, err := s.CreateWebhook(ctx, Webhook{URL: "https://hooks.example.com/", Enabled: true},
		func(id string) ([]byte, error) { return []byte{0, 1, 2}, nil })
	if err != nil {
		return err
	}
	if err := s.FanOutNotification(ctx, NotificationFanOut{NotificationID: notificationID,
		Deliveries: []WebhookDelivery{{WebhookID: w.ID, Kind: "report.new", Payload: "{}"}},
		Mails:      []NotificationMail{{UserID: userID, Mode: ModeDigest}}}); err != nil {
		return err
	}
	due, err := s.DueWebhookDeliveries(ctx, fixedNow.Add(100*365*24*time.Hour), 1)
	if err != nil || len(due) == 0 {
		return err
	}
	if err := s.RecordWebhookAttempt(ctx, due[0].ID, WebhookAttempt{At: fixedNow, Status: 204}, DeliveryDelivered, fixedNow); err != nil {
		return err
	}
	if err := s.ReplaceNotificationPreferences(ctx, userID, []NotificationPreference{{Group: GroupKEV, Mode: ModeImmediate}}); err != nil {
		return err
	}
	if _, err := s.ClaimDigest(ctx, userID, "2026-12-04", fixedNow); err != nil {
		return err
	}
	rels, err := s.ListReleases(ctx, productID)
	if err != nil || len(rels) == 0 {
		return err
	}
	_, err = s.RecordEOLEvent(ctx, rels[0].ID, "c", "1", Notification{Kind: "component.eol", ProductID: productID, Subject: "eol"})
	return err
}

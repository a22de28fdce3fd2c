package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
)

// Webhook is an administrator's webhook receiver. SecretSealed is the
// "whsec_…" secret sealed by the server; the store never sees it in clear.
type Webhook struct {
	ID           string
	Name         string
	URL          string
	SecretSealed []byte
	// Kinds and Products filter what is sent; empty means all.
	Kinds     []string
	Products  []string
	Enabled   bool
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Webhook delivery states.
const (
	DeliveryPending   = "pending"
	DeliveryDelivered = "delivered"
	DeliveryFailed    = "failed"
)

// WebhookDelivery is one notification (or test) to send to one webhook,
// with the attempts made so far (newest last) when listed.
type WebhookDelivery struct {
	ID             string
	WebhookID      string
	NotificationID string // "" for a test delivery
	Kind           string
	Payload        string
	State          string
	Attempts       int
	NextAttemptAt  time.Time
	CreatedAt      time.Time
	UpdatedAt      time.Time
	Log            []WebhookAttempt
}

// WebhookAttempt is one line of the delivery log.
type WebhookAttempt struct {
	Attempt  int
	At       time.Time
	Status   int
	Error    string
	Duration time.Duration
}

// Notification preference groups and modes.
const (
	GroupFindings = "findings"
	GroupKEV      = "kev"
	GroupEOL      = "eol"
	GroupReports  = "reports"

	ModeImmediate = "immediate"
	ModeDigest    = "digest"
	ModeOff       = "off"
)

// NotificationPreference is a user's choice for one group, on one product
// or ("" ProductID) on every product without its own choice.
type NotificationPreference struct {
	ProductID string
	Group     string
	Mode      string
}

// NotificationMail is an e-mail owed to a user for a notification.
type NotificationMail struct {
	UserID       string
	Mode         string // ModeImmediate or ModeDigest
	Attempts     int
	Notification Notification
}

// NotificationFanOut is everything one notification becomes: webhook
// deliveries (WebhookID, Kind and Payload set) and mails (UserID, Mode).
type NotificationFanOut struct {
	NotificationID string
	// At is when the fan-out happens (the caller's clock: deliveries are
	// due and mails dated from it); zero means the store's clock.
	At         time.Time
	Deliveries []WebhookDelivery
	Mails      []NotificationMail
}

func checkWebhook(w Webhook) error {
	if w.URL == "" || len(w.SecretSealed) == 0 {
		return fmt.Errorf("%w: webhook needs a URL and a sealed secret", ErrInvalid)
	}
	for _, v := range append(append([]string{}, w.Kinds...), w.Products...) {
		if v == "" || strings.ContainsAny(v, "\n\r") {
			return fmt.Errorf("%w: webhook kinds and products must be non-empty single lines", ErrInvalid)
		}
	}
	return nil
}

// CreateWebhook stores a new webhook. seal is called with the new ID and
// returns the sealed secret (bound to that ID).
func (s *Store) CreateWebhook(ctx context.Context, w Webhook, seal func(id string) ([]byte, error)) (Webhook, error) {
	id, err := newID()
	if err != nil {
		return Webhook{}, fmt.Errorf("store: create webhook: %w", err)
	}
	w.ID = id
	if w.SecretSealed, err = seal(id); err != nil {
		return Webhook{}, fmt.Errorf("store: create webhook: %w", err)
	}
	if err := checkWebhook(w); err != nil {
		return Webhook{}, fmt.Errorf("store: create webhook: %w", err)
	}
	w.CreatedAt = fromDB(toDB(s.now()))
	w.UpdatedAt = w.CreatedAt
	err = s.inTx(ctx, "create webhook", func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO webhooks (id, name, url, secret_sealed, kinds, products, enabled, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, w.ID, w.Name, w.URL, w.SecretSealed, joinLines(w.Kinds),
			joinLines(w.Products), boolToDB(w.Enabled), toDB(w.CreatedAt), toDB(w.UpdatedAt))
		return err
	})
	if err != nil {
		return Webhook{}, err
	}
	return w, nil
}

const webhookColumns = `id, name, url, secret_sealed, kinds, products, enabled, created_at, updated_at`

func scanWebhook(row interface{ Scan(...any) error }) (Webhook, error) {
	var (
		w            Webhook
		kinds, prods string
		enabled      int64
		created, upd int64
	)
	if err := row.Scan(&w.ID, &w.Name, &w.URL, &w.SecretSealed, &kinds, &prods, &enabled, &created, &upd); err != nil {
		return Webhook{}, err
	}
	w.Kinds, w.Products, w.Enabled = splitLines(kinds), splitLines(prods), enabled == 1
	w.CreatedAt, w.UpdatedAt = fromDB(created), fromDB(upd)
	return w, nil
}

// GetWebhook returns one webhook or ErrNotFound.
func (s *Store) GetWebhook(ctx context.Context, id string) (Webhook, error) {
	w, err := scanWebhook(s.q().QueryRowContext(ctx, `SELECT `+webhookColumns+` FROM webhooks WHERE id = $1`, id))
	if err != nil {
		return Webhook{}, fmt.Errorf("store: get webhook: %w", notFound(err))
	}
	return w, nil
}

// ListWebhooks returns every webhook, oldest first.
func (s *Store) ListWebhooks(ctx context.Context) ([]Webhook, error) {
	rows, err := s.q().QueryContext(ctx, `SELECT `+webhookColumns+` FROM webhooks ORDER BY created_at, id`)
	if err != nil {
		return nil, fmt.Errorf("store: list webhooks: %w", err)
	}
	defer rows.Close()
	var out []Webhook
	for rows.Next() {
		w, err := scanWebhook(rows)
		if err != nil {
			return nil, fmt.Errorf("store: list webhooks: %w", err)
		}
		out = append(out, w)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: list webhooks: %w", err)
	}
	return out, nil
}

// UpdateWebhook replaces a webhook's name, URL, secret, filters and
// enabled flag; ErrNotFound when it is gone.
func (s *Store) UpdateWebhook(ctx context.Context, w Webhook) (Webhook, error) {
	if err := checkWebhook(w); err != nil {
		return Webhook{}, fmt.Errorf("store: update webhook: %w", err)
	}
	w.UpdatedAt = fromDB(toDB(s.now()))
	err := s.inTx(ctx, "update webhook", func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE webhooks SET name = $2, url = $3, secret_sealed = $4, kinds = $5,
			products = $6, enabled = $7, updated_at = $8 WHERE id = $1`, w.ID, w.Name, w.URL, w.SecretSealed,
			joinLines(w.Kinds), joinLines(w.Products), boolToDB(w.Enabled), toDB(w.UpdatedAt))
		if err != nil {
			return err
		}
		return affectedOne(res)
	})
	if err != nil {
		return Webhook{}, err
	}
	return s.GetWebhook(ctx, w.ID)
}

// DeleteWebhook removes a webhook with its deliveries and their log.
func (s *Store) DeleteWebhook(ctx context.Context, id string) error {
	return s.inTx(ctx, "delete webhook", func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM webhooks WHERE id = $1`, id)
		if err != nil {
			return err
		}
		return affectedOne(res)
	})
}

// FanOutNotification records what a pending notification becomes and
// marks it delivered, in one transaction. Running it twice for one
// notification adds nothing (the keys of deliveries and mails are unique,
// and a notification already marked is left alone).
func (s *Store) FanOutNotification(ctx context.Context, f NotificationFanOut) error {
	if f.At.IsZero() {
		f.At = s.now()
	}
	now := toDB(f.At)
	return s.inTx(ctx, "fan out notification", func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE notifications SET delivered_at = $2 WHERE id = $1 AND delivered_at IS NULL`,
			f.NotificationID, now)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return err // already fanned out by another run: nothing to add
		}
		for _, d := range f.Deliveries {
			id, err := newID()
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO webhook_deliveries (id, webhook_id, notification_id, kind, payload,
				state, attempts, next_attempt_at, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, 'pending', 0, $6, $6, $6)
				ON CONFLICT DO NOTHING`, id, d.WebhookID, f.NotificationID, d.Kind, d.Payload, now); err != nil {
				return err
			}
		}
		for _, m := range f.Mails {
			if _, err := tx.ExecContext(ctx, `INSERT INTO notification_mails (user_id, notification_id, mode, created_at)
				VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`, m.UserID, f.NotificationID, m.Mode, now); err != nil {
				return err
			}
		}
		return nil
	})
}

// AddWebhookDelivery queues one delivery outside a fan-out (a test
// delivery), due at once: at d.CreatedAt, or the store's clock when zero.
func (s *Store) AddWebhookDelivery(ctx context.Context, d WebhookDelivery) (WebhookDelivery, error) {
	id, err := newID()
	if err != nil {
		return WebhookDelivery{}, fmt.Errorf("store: add webhook delivery: %w", err)
	}
	now := d.CreatedAt
	if now.IsZero() {
		now = s.now()
	}
	now = fromDB(toDB(now))
	d.ID, d.State, d.Attempts, d.NextAttemptAt, d.CreatedAt, d.UpdatedAt = id, DeliveryPending, 0, now, now, now
	var nid any
	if d.NotificationID != "" {
		nid = d.NotificationID
	}
	err = s.inTx(ctx, "add webhook delivery", func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO webhook_deliveries (id, webhook_id, notification_id, kind, payload, state,
			attempts, next_attempt_at, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, 'pending', 0, $6, $6, $6)`,
			d.ID, d.WebhookID, nid, d.Kind, d.Payload, toDB(now))
		return err
	})
	if err != nil {
		return WebhookDelivery{}, err
	}
	return d, nil
}

const deliveryColumns = `id, webhook_id, notification_id, kind, payload, state, attempts, next_attempt_at, created_at, updated_at`

func scanDelivery(row interface{ Scan(...any) error }) (WebhookDelivery, error) {
	var (
		d                  WebhookDelivery
		nid                sql.NullString
		att                int64
		next, created, upd int64
	)
	if err := row.Scan(&d.ID, &d.WebhookID, &nid, &d.Kind, &d.Payload, &d.State, &att, &next, &created, &upd); err != nil {
		return d, err
	}
	d.NotificationID, d.Attempts = nid.String, int(att)
	d.NextAttemptAt, d.CreatedAt, d.UpdatedAt = fromDB(next), fromDB(created), fromDB(upd)
	return d, nil
}

func (s *Store) queryDeliveries(ctx context.Context, what, query string, args ...any) ([]WebhookDelivery, error) {
	rows, err := s.q().QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("store: %s: %w", what, err)
	}
	defer rows.Close()
	var out []WebhookDelivery
	for rows.Next() {
		d, err := scanDelivery(rows)
		if err != nil {
			return nil, fmt.Errorf("store: %s: %w", what, err)
		}
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: %s: %w", what, err)
	}
	return out, nil
}

// DueWebhookDeliveries returns up to limit pending deliveries whose next
// attempt is due at now, the most overdue first.
func (s *Store) DueWebhookDeliveries(ctx context.Context, now time.Time, limit int) ([]WebhookDelivery, error) {
	return s.queryDeliveries(ctx, "due webhook deliveries", `SELECT `+deliveryColumns+` FROM webhook_deliveries
		WHERE state = 'pending' AND next_attempt_at <= $1 ORDER BY next_attempt_at, id LIMIT $2`, toDB(now), limit)
}

// RecordWebhookAttempt appends an attempt to the delivery log and moves
// the delivery to state (pending again with next, delivered or failed),
// in one transaction. The attempt number is the delivery's count plus one.
func (s *Store) RecordWebhookAttempt(ctx context.Context, deliveryID string, a WebhookAttempt, state string, next time.Time) error {
	switch state {
	case DeliveryPending, DeliveryDelivered, DeliveryFailed:
	default:
		return fmt.Errorf("store: record webhook attempt: %w: state %q", ErrInvalid, state)
	}
	return s.inTx(ctx, "record webhook attempt", func(tx *sql.Tx) error {
		var att int64
		if err := tx.QueryRowContext(ctx, `SELECT attempts FROM webhook_deliveries WHERE id = $1`, deliveryID).Scan(&att); err != nil {
			return notFound(err)
		}
		att++
		if _, err := tx.ExecContext(ctx, `INSERT INTO webhook_attempts (delivery_id, attempt, at, status, error, duration_ms)
			VALUES ($1, $2, $3, $4, $5, $6)`, deliveryID, att, toDB(a.At), a.Status, a.Error, a.Duration.Milliseconds()); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE webhook_deliveries SET attempts = $2, state = $3, next_attempt_at = $4,
			updated_at = $5 WHERE id = $1`, deliveryID, att, state, toDB(next), toDB(a.At))
		return err
	})
}

// ListWebhookDeliveries returns a webhook's latest deliveries (newest
// first, at most limit) with their attempts.
func (s *Store) ListWebhookDeliveries(ctx context.Context, webhookID string, limit int) ([]WebhookDelivery, error) {
	out, err := s.queryDeliveries(ctx, "list webhook deliveries", `SELECT `+deliveryColumns+` FROM webhook_deliveries
		WHERE webhook_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2`, webhookID, limit)
	if err != nil {
		return nil, err
	}
	for i := range out {
		rows, err := s.q().QueryContext(ctx, `SELECT attempt, at, status, error, duration_ms FROM webhook_attempts
			WHERE delivery_id = $1 ORDER BY attempt`, out[i].ID)
		if err != nil {
			return nil, fmt.Errorf("store: list webhook attempts: %w", err)
		}
		for rows.Next() {
			var a WebhookAttempt
			var n, at, status, ms int64
			if err := rows.Scan(&n, &at, &status, &a.Error, &ms); err != nil {
				rows.Close()
				return nil, fmt.Errorf("store: list webhook attempts: %w", err)
			}
			a.Attempt, a.At, a.Status, a.Duration = int(n), fromDB(at), int(status), time.Duration(ms)*time.Millisecond
			out[i].Log = append(out[i].Log, a)
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, fmt.Errorf("store: list webhook attempts: %w", err)
		}
	}
	return out, nil
}

// ValidPreference reports whether group and mode are known.
func ValidPreference(p NotificationPreference) bool {
	switch p.Group {
	case GroupFindings, GroupKEV, GroupEOL, GroupReports:
	default:
		return false
	}
	switch p.Mode {
	case ModeImmediate, ModeDigest, ModeOff:
		return true
	}
	return false
}

// ListNotificationPreferences returns a user's stored choices.
func (s *Store) ListNotificationPreferences(ctx context.Context, userID string) ([]NotificationPreference, error) {
	rows, err := s.q().QueryContext(ctx, `SELECT product_id, grp, mode FROM notification_preferences WHERE user_id = $1
		ORDER BY product_id, grp`, userID)
	if err != nil {
		return nil, fmt.Errorf("store: list notification preferences: %w", err)
	}
	defer rows.Close()
	var out []NotificationPreference
	for rows.Next() {
		var p NotificationPreference
		if err := rows.Scan(&p.ProductID, &p.Group, &p.Mode); err != nil {
			return nil, fmt.Errorf("store: list notification preferences: %w", err)
		}
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: list notification preferences: %w", err)
	}
	return out, nil
}

// ReplaceNotificationPreferences makes prefs the user's choices (those
// not given fall back to the role's defaults).
func (s *Store) ReplaceNotificationPreferences(ctx context.Context, userID string, prefs []NotificationPreference) error {
	for _, p := range prefs {
		if !ValidPreference(p) {
			return fmt.Errorf("store: notification preferences: %w: group %q mode %q", ErrInvalid, p.Group, p.Mode)
		}
	}
	now := toDB(s.now())
	return s.inTx(ctx, "replace notification preferences", func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM notification_preferences WHERE user_id = $1`, userID); err != nil {
			return err
		}
		for _, p := range prefs {
			if _, err := tx.ExecContext(ctx, `INSERT INTO notification_preferences (user_id, product_id, grp, mode, updated_at)
				VALUES ($1, $2, $3, $4, $5) ON CONFLICT (user_id, product_id, grp) DO UPDATE SET mode = excluded.mode`,
				userID, p.ProductID, p.Group, p.Mode, now); err != nil {
				return err
			}
		}
		return nil
	})
}

const mailColumns = `m.user_id, m.mode, m.attempts, n.id, n.kind, n.product_id, n.subject, n.reference, n.created_at`

func (s *Store) queryMails(ctx context.Context, what, query string, args ...any) ([]NotificationMail, error) {
	rows, err := s.q().QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("store: %s: %w", what, err)
	}
	defer rows.Close()
	var out []NotificationMail
	for rows.Next() {
		var (
			m   NotificationMail
			att int64
			pid sql.NullString
			at  int64
		)
		if err := rows.Scan(&m.UserID, &m.Mode, &att, &m.Notification.ID, &m.Notification.Kind, &pid,
			&m.Notification.Subject, &m.Notification.Reference, &at); err != nil {
			return nil, fmt.Errorf("store: %s: %w", what, err)
		}
		m.Attempts, m.Notification.ProductID, m.Notification.CreatedAt = int(att), pid.String, fromDB(at)
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: %s: %w", what, err)
	}
	return out, nil
}

// PendingImmediateMails returns up to limit immediate mails not yet sent,
// oldest first.
func (s *Store) PendingImmediateMails(ctx context.Context, limit int) ([]NotificationMail, error) {
	return s.queryMails(ctx, "pending mails", `SELECT `+mailColumns+` FROM notification_mails m
		JOIN notifications n ON n.id = m.notification_id
		WHERE m.sent_at IS NULL AND m.mode = 'immediate' ORDER BY m.created_at, n.id LIMIT $1`, limit)
}

// MarkMailSent records that a mail went out (or, with a non-empty
// giveUpReason, that it never will).
func (s *Store) MarkMailSent(ctx context.Context, userID, notificationID string, at time.Time, giveUpReason string) error {
	return s.inTx(ctx, "mark mail sent", func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE notification_mails SET sent_at = $3, error = $4, attempts = attempts + 1
			WHERE user_id = $1 AND notification_id = $2`, userID, notificationID, toDB(at), giveUpReason)
		return err
	})
}

// RecordMailFailure counts a failed attempt and keeps its error.
func (s *Store) RecordMailFailure(ctx context.Context, userID, notificationID, errText string) error {
	return s.inTx(ctx, "record mail failure", func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE notification_mails SET attempts = attempts + 1, error = $3
			WHERE user_id = $1 AND notification_id = $2`, userID, notificationID, errText)
		return err
	})
}

// UsersWithPendingDigest returns the users with unsent digest mails.
func (s *Store) UsersWithPendingDigest(ctx context.Context) ([]string, error) {
	rows, err := s.q().QueryContext(ctx, `SELECT DISTINCT user_id FROM notification_mails
		WHERE sent_at IS NULL AND mode = 'digest' ORDER BY user_id`)
	if err != nil {
		return nil, fmt.Errorf("store: digest users: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("store: digest users: %w", err)
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// PendingDigestMails returns a user's unsent digest mails created after
// since, oldest first.
func (s *Store) PendingDigestMails(ctx context.Context, userID string, since time.Time) ([]NotificationMail, error) {
	return s.queryMails(ctx, "digest mails", `SELECT `+mailColumns+` FROM notification_mails m
		JOIN notifications n ON n.id = m.notification_id
		WHERE m.user_id = $1 AND m.sent_at IS NULL AND m.mode = 'digest' AND m.created_at > $2
		ORDER BY m.created_at, n.id`, userID, toDB(since))
}

// ClaimDigest records that the user's digest of day ("2026-12-04") is
// being sent; false when it already was (by this or another process).
func (s *Store) ClaimDigest(ctx context.Context, userID, day string, at time.Time) (bool, error) {
	var got bool
	err := s.inTx(ctx, "claim digest", func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO notification_digests (user_id, day, sent_at) VALUES ($1, $2, $3)
			ON CONFLICT DO NOTHING`, userID, day, toDB(at))
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		got = n == 1
		return err
	})
	return got, err
}

// UnclaimDigest gives a claim back after the mail could not be sent, so a
// later run of the same day tries again.
func (s *Store) UnclaimDigest(ctx context.Context, userID, day string) error {
	return s.inTx(ctx, "unclaim digest", func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM notification_digests WHERE user_id = $1 AND day = $2`, userID, day)
		return err
	})
}

// CompleteDigest marks every unsent digest mail of the user created up to
// at as sent (those older than the digest's 24 hours included: a digest
// covers one day, a missed one is not sent later) and records the count.
func (s *Store) CompleteDigest(ctx context.Context, userID, day string, items int, at time.Time) error {
	return s.inTx(ctx, "complete digest", func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE notification_mails SET sent_at = $2 WHERE user_id = $1
			AND sent_at IS NULL AND mode = 'digest' AND created_at <= $2`, userID, toDB(at)); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE notification_digests SET items = $3 WHERE user_id = $1 AND day = $2`,
			userID, day, items)
		return err
	})
}

// RecordEOLEvent queues n (kind component.eol) unless an end-of-life event
// was already raised for this component and cycle of the release; it
// reports whether it queued one. Both happen in one transaction.
func (s *Store) RecordEOLEvent(ctx context.Context, releaseID, componentID, cycle string, n Notification) (bool, error) {
	if releaseID == "" || componentID == "" || n.Kind == "" || n.Subject == "" {
		return false, fmt.Errorf("store: eol event: %w: release, component, kind and subject are required", ErrInvalid)
	}
	id, err := newID()
	if err != nil {
		return false, fmt.Errorf("store: eol event: %w", err)
	}
	now := toDB(s.now())
	var added bool
	err = s.inTx(ctx, "eol event", func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO eol_events (release_id, component_id, cycle, created_at)
			VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`, releaseID, componentID, cycle, now)
		if err != nil {
			return err
		}
		k, err := res.RowsAffected()
		if err != nil || k == 0 {
			return err
		}
		var pid any
		if n.ProductID != "" {
			pid = n.ProductID
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO notifications (id, kind, product_id, subject, reference, created_at)
			VALUES ($1, $2, $3, $4, $5, $6)`, id, n.Kind, pid, n.Subject, n.Reference, now); err != nil {
			return err
		}
		added = true
		return nil
	})
	return added, err
}

// NotificationCursor is the sort key of ListNotifications pages.
type NotificationCursor struct {
	CreatedAt int64  `json:"t"`
	ID        string `json:"i"`
}

// NotificationFilter says which notifications a caller may see: all, or
// those of Products, and (WithoutProduct) those of no known product.
type NotificationFilter struct {
	All            bool
	Products       []string
	WithoutProduct bool
}

// ListNotifications returns up to limit notifications the filter allows,
// newest first, after the cursor (nil for the first page).
func (s *Store) ListNotifications(ctx context.Context, f NotificationFilter, after *NotificationCursor, limit int) ([]Notification, error) {
	var (
		where []string
		args  []any
	)
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	if !f.All {
		var alts []string
		if len(f.Products) > 0 {
			ph := make([]string, len(f.Products))
			for i, p := range f.Products {
				ph[i] = arg(p)
			}
			alts = append(alts, "product_id IN ("+strings.Join(ph, ", ")+")")
		}
		if f.WithoutProduct {
			alts = append(alts, "product_id IS NULL")
		}
		if len(alts) == 0 {
			return nil, nil
		}
		where = append(where, "("+strings.Join(alts, " OR ")+")")
	}
	if after != nil {
		t, i := arg(after.CreatedAt), arg(after.ID)
		where = append(where, fmt.Sprintf("(created_at < %s OR (created_at = %s AND id < %s))", t, t, i))
	}
	q := `SELECT id, kind, product_id, subject, reference, created_at, delivered_at FROM notifications`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY created_at DESC, id DESC LIMIT " + arg(limit)
	rows, err := s.q().QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("store: list notifications: %w", err)
	}
	defer rows.Close()
	var out []Notification
	for rows.Next() {
		var (
			n   Notification
			pid sql.NullString
			at  int64
			del sql.NullInt64
		)
		if err := rows.Scan(&n.ID, &n.Kind, &pid, &n.Subject, &n.Reference, &at, &del); err != nil {
			return nil, fmt.Errorf("store: list notifications: %w", err)
		}
		n.ProductID, n.CreatedAt, n.DeliveredAt = pid.String, fromDB(at), optFromDB(del)
		out = append(out, n)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: list notifications: %w", err)
	}
	return out, nil
}

package server

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/craft-cra/craft/internal/auth"
	"github.com/craft-cra/craft/internal/notify"
	"github.com/craft-cra/craft/internal/store"
)

// Notification delivery (issue 6, item 3): every job tick, under the
// notify lease, pending notifications are fanned out to webhook deliveries
// and per-user mails (store.FanOutNotification, one transaction each),
// due webhook deliveries are attempted, immediate mails sent and, once the
// digest hour has come, each user's daily digest. All state is in the
// database: a restart resumes where the last run stopped. Webhooks are
// at-least-once (a crash between the receiver's answer and the log write
// repeats the delivery, with the same webhook-id).
const (
	notifyLease    = "notify"
	notifyLeaseTTL = 4 * time.Minute
	// notifyBatch bounds the work of one tick per stage (the rest waits
	// five minutes for the next tick).
	notifyBatch = 1000
	// mailMaxAttempts: an immediate mail is given up after this many
	// failed tries (one per tick, five minutes apart).
	mailMaxAttempts = 6
	// KindComponentEOL is the notification kind of end-of-life events.
	KindComponentEOL = "component.eol"
	// KindWebhookTest is the kind of POST /webhooks/{id}/test deliveries.
	KindWebhookTest = "webhook.test"
)

// notifyKinds are the notification kinds a webhook may filter on.
var notifyKinds = []string{store.EventFindingNew, store.EventFindingKEV, store.EventFindingSeverity,
	KindComponentEOL, NotifyReportNew, NotifyReportMessage}

// groupOf is the preference group of a notification kind.
func groupOf(kind string) string {
	switch {
	case kind == store.EventFindingKEV:
		return store.GroupKEV
	case kind == KindComponentEOL:
		return store.GroupEOL
	case strings.HasPrefix(kind, "report."), strings.HasPrefix(kind, "case."):
		return store.GroupReports
	}
	return store.GroupFindings
}

// groupPerm is what a user needs on the product to hear of a group.
func groupPerm(group string) auth.Permission {
	if group == store.GroupReports {
		return auth.PermCaseRead
	}
	return auth.PermProductRead
}

// mayHear reports whether p may see a notification of group on product
// (auth.Authorize; a notification without a product only administrators).
func mayHear(p auth.Principal, group, productID string) bool {
	if productID == "" {
		return p.Role == auth.RoleAdministrator && auth.Authorize(p, auth.PermSettingsRead, "") == nil
	}
	return auth.Authorize(p, groupPerm(group), productID) == nil
}

// defaultMode is a role's default choice for a group on a product (the
// table in docs/notifications.md): people who handle vulnerabilities get
// KEV and reports at once and the rest as a digest; viewers only hear of
// KEV, in the digest.
func defaultMode(p auth.Principal, group, productID string) string {
	officer := productID == "" && p.Role == auth.RoleAdministrator ||
		productID != "" && auth.Authorize(p, auth.PermCaseRead, productID) == nil
	contributor := productID != "" && auth.Authorize(p, auth.PermProductWrite, productID) == nil
	switch group {
	case store.GroupKEV:
		if officer || contributor {
			return store.ModeImmediate
		}
		return store.ModeDigest
	case store.GroupReports:
		if officer {
			return store.ModeImmediate
		}
		return store.ModeOff
	default: // findings, eol
		if officer || contributor {
			return store.ModeDigest
		}
		return store.ModeOff
	}
}

// modeFor is the user's mode for a group on a product: their choice for
// that product, else their choice for all products, else the default.
func modeFor(p auth.Principal, prefs []store.NotificationPreference, group, productID string) string {
	mode := ""
	for _, x := range prefs {
		if x.Group != group {
			continue
		}
		if x.ProductID == productID && productID != "" {
			return x.Mode
		}
		if x.ProductID == "" {
			mode = x.Mode
		}
	}
	if mode != "" {
		return mode
	}
	return defaultMode(p, group, productID)
}

// recipient is an account that may get mail.
type recipient struct {
	p     auth.Principal
	prefs []store.NotificationPreference
}

// NotifyResult says what one delivery run did.
type NotifyResult struct {
	Ran             bool
	FannedOut       int // notifications fanned out
	WebhookAttempts int
	WebhookFailed   int // deliveries given up
	Mails           int // immediate mails sent
	Digests         int // digests sent
}

// notifyTick delivers pending notifications from the job loop.
func (s *Server) notifyTick(ctx context.Context, holder string) {
	if _, err := s.DeliverNotifications(ctx, holder); err != nil && ctx.Err() == nil {
		s.log.Error("notify job", slog.String("error", err.Error()))
	}
}

// DeliverNotifications is the delivery job, if holder gets the notify
// lease. The job loop calls it every five minutes; tests call it directly
// with a fake clock.
func (s *Server) DeliverNotifications(ctx context.Context, holder string) (NotifyResult, error) {
	ok, err := s.store.AcquireLease(ctx, notifyLease, holder, notifyLeaseTTL)
	if err != nil {
		s.m.jobs.WithLabelValues(notifyLease, "failed").Inc()
		return NotifyResult{}, fmt.Errorf("notify: lease: %w", err)
	}
	if !ok {
		s.m.jobs.WithLabelValues(notifyLease, "skipped").Inc()
		return NotifyResult{}, nil
	}
	defer s.store.ReleaseLease(context.WithoutCancel(ctx), notifyLease, holder)
	res := NotifyResult{Ran: true}
	cfg, err := s.loadNotifySettings(ctx)
	if err == nil {
		err = s.fanOut(ctx, cfg, &res)
	}
	if err == nil {
		err = s.sendWebhooks(ctx, holder, &res)
	}
	if err == nil && cfg.smtpEnabled() {
		err = s.sendMails(ctx, cfg, &res)
	}
	if err != nil {
		s.m.jobs.WithLabelValues(notifyLease, "failed").Inc()
		return res, fmt.Errorf("notify: %w", err)
	}
	s.m.jobs.WithLabelValues(notifyLease, "ran").Inc()
	if res.FannedOut+res.WebhookAttempts+res.Mails+res.Digests > 0 {
		s.log.Info("notify", slog.Int("notifications", res.FannedOut), slog.Int("webhook_attempts", res.WebhookAttempts),
			slog.Int("webhook_failed", res.WebhookFailed), slog.Int("mails", res.Mails), slog.Int("digests", res.Digests))
	}
	return res, nil
}

// recipients are the enabled accounts with their memberships and choices.
func (s *Server) recipients(ctx context.Context) ([]recipient, error) {
	users, err := s.store.ListUsers(ctx)
	if err != nil {
		return nil, err
	}
	ms, err := s.store.ListMemberships(ctx, "", "")
	if err != nil {
		return nil, err
	}
	var out []recipient
	for _, u := range users {
		if !u.DisabledAt.IsZero() {
			continue
		}
		p := auth.Principal{Kind: auth.KindUser, UserID: u.ID, Email: u.Email, Role: auth.Role(u.Role),
			Memberships: map[string]auth.Role{}}
		for _, m := range ms {
			if m.UserID == u.ID {
				p.Memberships[m.ProductID] = auth.Role(m.Role)
			}
		}
		prefs, err := s.store.ListNotificationPreferences(ctx, u.ID)
		if err != nil {
			return nil, err
		}
		out = append(out, recipient{p: p, prefs: prefs})
	}
	return out, nil
}

// webhookWants reports whether w takes notification n.
func webhookWants(w store.Webhook, n store.Notification) bool {
	if !w.Enabled {
		return false
	}
	if len(w.Kinds) > 0 && !slices.Contains(w.Kinds, n.Kind) {
		return false
	}
	return len(w.Products) == 0 || n.ProductID != "" && slices.Contains(w.Products, n.ProductID)
}

func itemOf(n store.Notification, link string) notify.Item {
	return notify.Item{ID: n.ID, Kind: n.Kind, ProductID: n.ProductID, Subject: n.Subject, Reference: n.Reference,
		CreatedAt: n.CreatedAt, Link: link}
}

// fanOut turns every pending notification into deliveries and mails.
func (s *Server) fanOut(ctx context.Context, cfg notifySettings, res *NotifyResult) error {
	pending, err := s.store.ListPendingNotifications(ctx)
	if err != nil || len(pending) == 0 {
		return err
	}
	hooks, err := s.store.ListWebhooks(ctx)
	if err != nil {
		return err
	}
	var people []recipient
	if cfg.smtpEnabled() {
		if people, err = s.recipients(ctx); err != nil {
			return err
		}
	}
	for i, n := range pending {
		if i == notifyBatch {
			break
		}
		fo := store.NotificationFanOut{NotificationID: n.ID, At: s.now()}
		body, err := json.Marshal(notify.PayloadOf(itemOf(n, cfg.link())))
		if err != nil {
			return err
		}
		for _, w := range hooks {
			if webhookWants(w, n) {
				fo.Deliveries = append(fo.Deliveries, store.WebhookDelivery{WebhookID: w.ID, Kind: n.Kind, Payload: string(body)})
			}
		}
		group := groupOf(n.Kind)
		for _, r := range people {
			if !mayHear(r.p, group, n.ProductID) {
				continue
			}
			if m := modeFor(r.p, r.prefs, group, n.ProductID); m != store.ModeOff {
				fo.Mails = append(fo.Mails, store.NotificationMail{UserID: r.p.UserID, Mode: m})
			}
		}
		if err := s.store.FanOutNotification(ctx, fo); err != nil {
			return err
		}
		res.FannedOut++
	}
	return nil
}

// webhookClient is the client with the server's address policy.
func (s *Server) webhookClient() *notify.Client {
	return notify.NewClient(notify.ClientOptions{AllowHTTP: s.cfg.WebhookAllowHTTP,
		AllowPrivate: s.cfg.WebhookAllowPrivate})
}

// webhookKey opens a webhook's sealed secret.
func (s *Server) webhookKey(w store.Webhook) ([]byte, error) {
	sl, err := s.sealer()
	if err != nil {
		return nil, err
	}
	secret, err := sl.Open(w.SecretSealed, []byte(sealWebhookPfx+w.ID))
	if err != nil {
		return nil, fmt.Errorf("webhook %s: secret: %w", w.ID, err)
	}
	return notify.ParseSecret(string(secret))
}

// jitter is a number in [0, 1) fixed per delivery and attempt: retries
// spread out without a random source the tests would have to pin.
func jitter(deliveryID string, attempt int) func() float64 {
	h := sha256.Sum256([]byte(fmt.Sprintf("%s/%d", deliveryID, attempt)))
	v := float64(binary.BigEndian.Uint64(h[:8])>>11) / (1 << 53)
	return func() float64 { return v }
}

// errLeaseLost stops a run whose lease another process has taken over.
var errLeaseLost = errors.New("the notify lease was lost; another process continues")

// sendWebhooks attempts the due deliveries, renewing the lease before
// each so that a run slowed by timeouts (10 s each) never overlaps
// another process's run on the same deliveries.
func (s *Server) sendWebhooks(ctx context.Context, holder string, res *NotifyResult) error {
	due, err := s.store.DueWebhookDeliveries(ctx, s.now(), notifyBatch)
	if err != nil || len(due) == 0 {
		return err
	}
	client := s.webhookClient()
	for _, d := range due {
		ok, err := s.store.RenewLease(ctx, notifyLease, holder, notifyLeaseTTL)
		if err != nil {
			return err
		}
		if !ok {
			return errLeaseLost
		}
		if err := s.attemptDelivery(ctx, client, d, res); err != nil {
			return err
		}
	}
	return nil
}

// attemptDelivery makes one attempt and records it with the next state.
func (s *Server) attemptDelivery(ctx context.Context, client *notify.Client, d store.WebhookDelivery, res *NotifyResult) error {
	now := s.now()
	w, err := s.store.GetWebhook(ctx, d.WebhookID)
	if errors.Is(err, store.ErrNotFound) {
		return nil // deleted meanwhile; its deliveries went with it
	}
	if err != nil {
		return err
	}
	var out notify.Result
	switch key, kerr := s.webhookKey(w); {
	case !w.Enabled && d.Kind != KindWebhookTest:
		out.Err = "webhook disabled"
	case kerr != nil:
		out.Err = "cannot open the webhook's secret"
		s.log.Error("webhook secret", slog.String("webhook", w.ID), slog.String("error", kerr.Error()))
	default:
		out = client.Send(ctx, notify.Delivery{URL: w.URL, Key: key, ID: d.ID, Kind: d.Kind, Body: []byte(d.Payload)}, now)
	}
	res.WebhookAttempts++
	state, next := store.DeliveryDelivered, now
	if !out.OK() {
		var retry bool
		next, retry = notify.NextAttempt(d.Attempts+1, now, jitter(d.ID, d.Attempts+1))
		state = store.DeliveryPending
		if !retry || out.Err == "webhook disabled" {
			state, next = store.DeliveryFailed, now
			res.WebhookFailed++
		}
	}
	return s.store.RecordWebhookAttempt(ctx, d.ID, store.WebhookAttempt{At: now, Status: out.Status, Error: out.Err,
		Duration: out.Duration}, state, next)
}

// sendMails sends the immediate mails and, from the digest hour on, each
// user's digest of the day.
func (s *Server) sendMails(ctx context.Context, cfg notifySettings, res *NotifyResult) error {
	smtpCfg, err := s.smtpConfig(cfg)
	if err != nil {
		return err
	}
	users := map[string]store.User{}
	userOf := func(id string) (store.User, bool, error) {
		if u, ok := users[id]; ok {
			return u, u.DisabledAt.IsZero(), nil
		}
		u, err := s.store.GetUser(ctx, id)
		if errors.Is(err, store.ErrNotFound) {
			return u, false, nil
		}
		users[id] = u
		return u, err == nil && u.DisabledAt.IsZero(), err
	}
	mails, err := s.store.PendingImmediateMails(ctx, notifyBatch)
	if err != nil {
		return err
	}
	for _, m := range mails {
		u, ok, err := userOf(m.UserID)
		if err != nil {
			return err
		}
		if !ok {
			if err := s.store.MarkMailSent(ctx, m.UserID, m.Notification.ID, s.now(), "account disabled"); err != nil {
				return err
			}
			continue
		}
		if err := notify.Send(ctx, smtpCfg, notify.ImmediateMail(u.Email, itemOf(m.Notification, cfg.link()))); err != nil {
			s.log.Warn("notification mail failed", slog.String("user", u.ID), slog.String("error", err.Error()))
			if m.Attempts+1 >= mailMaxAttempts {
				err = s.store.MarkMailSent(ctx, m.UserID, m.Notification.ID, s.now(), "gave up: "+err.Error())
			} else {
				err = s.store.RecordMailFailure(ctx, m.UserID, m.Notification.ID, err.Error())
			}
			if err != nil {
				return err
			}
			continue
		}
		if err := s.store.MarkMailSent(ctx, m.UserID, m.Notification.ID, s.now(), ""); err != nil {
			return err
		}
		res.Mails++
	}
	return s.sendDigests(ctx, cfg, smtpCfg, userOf, res)
}

// sendDigests sends each user one digest a day, at or after the digest
// hour (UTC). A claim row per user and day (store.ClaimDigest) makes it
// once a day whatever the number of processes; a failed send gives the
// claim back for the next tick.
func (s *Server) sendDigests(ctx context.Context, cfg notifySettings, smtpCfg notify.SMTPConfig,
	userOf func(string) (store.User, bool, error), res *NotifyResult) error {
	now := s.now().UTC()
	if now.Hour() < cfg.DigestHourUTC {
		return nil
	}
	day := now.Format(time.DateOnly)
	ids, err := s.store.UsersWithPendingDigest(ctx)
	if err != nil {
		return err
	}
	for _, id := range ids {
		u, ok, err := userOf(id)
		if err != nil {
			return err
		}
		claimed, err := s.store.ClaimDigest(ctx, id, day, now)
		if err != nil {
			return err
		}
		if !claimed {
			continue
		}
		items, err := s.store.PendingDigestMails(ctx, id, now.Add(-24*time.Hour))
		if err != nil {
			return err
		}
		if ok && len(items) > 0 {
			its := make([]notify.Item, len(items))
			for i, m := range items {
				its[i] = itemOf(m.Notification, "")
			}
			if err := notify.Send(ctx, smtpCfg, notify.DigestMail(u.Email, now, its, cfg.link())); err != nil {
				s.log.Warn("digest mail failed", slog.String("user", id), slog.String("error", err.Error()))
				if err := s.store.UnclaimDigest(ctx, id, day); err != nil {
					return err
				}
				continue
			}
			res.Digests++
		}
		if err := s.store.CompleteDigest(ctx, id, day, len(items), now); err != nil {
			return err
		}
	}
	return nil
}

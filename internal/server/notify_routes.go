package server

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/craft-cra/craft/internal/auth"
	"github.com/craft-cra/craft/internal/notify"
	"github.com/craft-cra/craft/internal/store"
)

// Notification channels: webhooks, e-mail, preferences (issue 6, item 3).
// The delivery job is in notify_job.go, the settings in notify_settings.go.

// Audit actions of this feature. Details never hold secrets, passwords or
// a webhook URL's path and query (which may carry a receiver's token).
const (
	ActWebhookCreate    = "webhook.create"
	ActWebhookUpdate    = "webhook.update"
	ActWebhookDelete    = "webhook.delete"
	ActWebhookTest      = "webhook.test"
	ActNotifyPrefChange = "notification_preferences.change"
)

// Limits of webhook and preference input.
const (
	maxWebhookName       = 200
	maxWebhookFilter     = 100
	maxDeliveriesListed  = 100
	maxPreferencesPerPut = 4 * 1000
)

// notifyRoutes returns the routes of this feature; router.go and the route-table
// tests take them through [Server.Routes].
func (s *Server) notifyRoutes() []Route {
	const v1 = "/api/v1"
	return append([]Route{
		{Method: "GET", Pattern: v1 + "/webhooks", Perm: auth.PermSettingsRead, Handler: s.listWebhooks},
		{Method: "POST", Pattern: v1 + "/webhooks", Perm: auth.PermSettingsWrite, Handler: s.createWebhook},
		{Method: "GET", Pattern: v1 + "/webhooks/{id}", Perm: auth.PermSettingsRead, Handler: s.getWebhook},
		{Method: "PATCH", Pattern: v1 + "/webhooks/{id}", Perm: auth.PermSettingsWrite, Handler: s.updateWebhook},
		{Method: "DELETE", Pattern: v1 + "/webhooks/{id}", Perm: auth.PermSettingsWrite, Handler: s.deleteWebhook},
		{Method: "POST", Pattern: v1 + "/webhooks/{id}/test", Perm: auth.PermSettingsWrite, Handler: s.testWebhook},
		{Method: "GET", Pattern: v1 + "/webhooks/{id}/deliveries", Perm: auth.PermSettingsRead, Handler: s.listDeliveries},
		{Method: "GET", Pattern: v1 + "/me/notification-preferences", Perm: auth.PermAccountManage, Handler: s.getPreferences},
		{Method: "PUT", Pattern: v1 + "/me/notification-preferences", Perm: auth.PermAccountManage, Handler: s.putPreferences},
		{Method: "GET", Pattern: v1 + "/notifications", Perm: auth.PermProductList, Handler: s.listNotifications},
		{Method: "GET", Pattern: v1 + "/settings/smtp", Perm: auth.PermSettingsRead, Handler: s.getSMTPSettings},
		{Method: "PUT", Pattern: v1 + "/settings/smtp", Perm: auth.PermSettingsWrite, Handler: s.putSMTPSettings},
	}, s.notifyPageRoutes()...)
}

// auditedChange runs change and appends one audit event in the same
// transaction.
func (s *Server) auditedChange(r *http.Request, action, target string, detail map[string]string,
	change func(tx *store.Store) error) error {
	ctx := r.Context()
	d := map[string]string{"request_id": RequestID(ctx)}
	for k, v := range detail {
		d[k] = v
	}
	err := s.store.InTx(ctx, func(tx *store.Store) error {
		if err := change(tx); err != nil {
			return err
		}
		_, err := tx.AppendAudit(ctx, store.Event{At: s.now(), Actor: actorOf(r), Action: action, Target: target,
			SourceIP: ClientIP(r), Detail: d})
		return err
	})
	if err != nil {
		return err
	}
	s.m.audit.Inc()
	return nil
}

// webhookJSON is a webhook as the API shows it: never its secret.
type webhookJSON struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	URL       string    `json:"url"`
	Kinds     []string  `json:"kinds"`
	Products  []string  `json:"products"`
	Enabled   bool      `json:"enabled"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	// Secret is set once, in the answer that generated it.
	Secret string `json:"secret,omitempty"`
}

func toWebhookJSON(w store.Webhook) webhookJSON {
	return webhookJSON{ID: w.ID, Name: w.Name, URL: w.URL, Kinds: nonNil(w.Kinds), Products: nonNil(w.Products),
		Enabled: w.Enabled, CreatedAt: w.CreatedAt, UpdatedAt: w.UpdatedAt}
}

// webhookRequest is the body of POST and PATCH; absent fields keep their
// value on PATCH.
type webhookRequest struct {
	Name     *string   `json:"name"`
	URL      *string   `json:"url"`
	Secret   *string   `json:"secret"`
	Kinds    *[]string `json:"kinds"`
	Products *[]string `json:"products"`
	Enabled  *bool     `json:"enabled"`
}

// apply validates req onto w; it returns the new secret when one was sent.
func (s *Server) applyWebhookRequest(ctx context.Context, req webhookRequest, w *store.Webhook) (string, error) {
	if req.Name != nil {
		n := strings.TrimSpace(*req.Name)
		if len(n) > maxWebhookName || hasControl(n) {
			return "", badRequest("name: at most %d characters without control characters", maxWebhookName)
		}
		w.Name = n
	}
	if req.URL != nil {
		if err := s.webhookClient().CheckURL(*req.URL); err != nil {
			return "", badRequest("%s", err.Error())
		}
		w.URL = *req.URL
	}
	if req.Kinds != nil {
		ks := slices.Compact(slices.Sorted(slices.Values(*req.Kinds)))
		if len(ks) > maxWebhookFilter {
			return "", badRequest("kinds: at most %d", maxWebhookFilter)
		}
		for _, k := range ks {
			if !slices.Contains(notifyKinds, k) {
				return "", badRequest("kinds: unknown kind %q; known: %s", k, strings.Join(notifyKinds, ", "))
			}
		}
		w.Kinds = ks
	}
	if req.Products != nil {
		ps := slices.Compact(slices.Sorted(slices.Values(*req.Products)))
		if len(ps) > maxWebhookFilter {
			return "", badRequest("products: at most %d", maxWebhookFilter)
		}
		for _, id := range ps {
			if _, err := s.store.GetProduct(ctx, id); errors.Is(err, store.ErrNotFound) {
				return "", badRequest("products: no product with id %q", id)
			} else if err != nil {
				return "", err
			}
		}
		w.Products = ps
	}
	if req.Enabled != nil {
		w.Enabled = *req.Enabled
	}
	if req.Secret != nil {
		if _, err := notify.ParseSecret(*req.Secret); err != nil {
			return "", badRequest("%s", err.Error())
		}
		return *req.Secret, nil
	}
	return "", nil
}

func hasControl(v string) bool {
	return strings.ContainsFunc(v, func(r rune) bool { return r < 0x20 || r == 0x7f })
}

// webhookHost is the part of a URL the audit log keeps.
func webhookHost(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return u.Scheme + "://" + u.Host
}

func (s *Server) sealWebhookSecret(id, secret string) ([]byte, error) {
	sl, err := s.sealer()
	if err != nil {
		return nil, err
	}
	return sl.Seal([]byte(secret), []byte(sealWebhookPfx+id))
}

func (s *Server) listWebhooks(w http.ResponseWriter, r *http.Request) error {
	hooks, err := s.store.ListWebhooks(r.Context())
	if err != nil {
		return err
	}
	out := make([]webhookJSON, len(hooks))
	for i, h := range hooks {
		out[i] = toWebhookJSON(h)
	}
	return writeJSON(w, http.StatusOK, map[string]any{"webhooks": out})
}

func (s *Server) createWebhook(w http.ResponseWriter, r *http.Request) error {
	var req webhookRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	out, err := s.addWebhook(r, req)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, out)
}

// addWebhook validates and stores a new webhook (API and page); the
// answer carries the secret when craft generated it.
func (s *Server) addWebhook(r *http.Request, req webhookRequest) (webhookJSON, error) {
	if req.URL == nil || *req.URL == "" {
		return webhookJSON{}, badRequest("url: required")
	}
	hook := store.Webhook{Enabled: true}
	secret, err := s.applyWebhookRequest(r.Context(), req, &hook)
	if err != nil {
		return webhookJSON{}, err
	}
	generated := secret == ""
	if generated {
		if secret, err = notify.GenerateSecret(); err != nil {
			return webhookJSON{}, err
		}
	}
	var created store.Webhook
	err = s.store.InTx(r.Context(), func(tx *store.Store) error {
		var err error
		created, err = tx.CreateWebhook(r.Context(), hook, func(id string) ([]byte, error) { return s.sealWebhookSecret(id, secret) })
		if err != nil {
			return err
		}
		_, err = tx.AppendAudit(r.Context(), store.Event{At: s.now(), Actor: actorOf(r), Action: ActWebhookCreate,
			Target: "webhook:" + created.ID, SourceIP: ClientIP(r), Detail: map[string]string{
				"host": webhookHost(created.URL), "key_source": map[bool]string{true: "generated", false: "supplied"}[generated],
				"request_id": RequestID(r.Context())}})
		return err
	})
	if err != nil {
		return webhookJSON{}, err
	}
	s.m.audit.Inc()
	out := toWebhookJSON(created)
	if generated {
		out.Secret = secret
	}
	return out, nil
}

func (s *Server) webhookOr404(ctx context.Context, id string) (store.Webhook, error) {
	h, err := s.store.GetWebhook(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return h, notFound()
	}
	return h, err
}

func (s *Server) getWebhook(w http.ResponseWriter, r *http.Request) error {
	h, err := s.webhookOr404(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, toWebhookJSON(h))
}

func (s *Server) updateWebhook(w http.ResponseWriter, r *http.Request) error {
	h, err := s.webhookOr404(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	var req webhookRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	secret, err := s.applyWebhookRequest(r.Context(), req, &h)
	if err != nil {
		return err
	}
	if secret != "" {
		if h.SecretSealed, err = s.sealWebhookSecret(h.ID, secret); err != nil {
			return err
		}
	}
	var changed []string
	for name, set := range map[string]bool{"name": req.Name != nil, "url": req.URL != nil, "secret": req.Secret != nil,
		"kinds": req.Kinds != nil, "products": req.Products != nil, "enabled": req.Enabled != nil} {
		if set {
			changed = append(changed, name)
		}
	}
	slices.Sort(changed)
	err = s.auditedChange(r, ActWebhookUpdate, "webhook:"+h.ID, map[string]string{"fields": strings.Join(changed, ","),
		"host": webhookHost(h.URL), "enabled": boolString(h.Enabled)}, func(tx *store.Store) error {
		var err error
		h, err = tx.UpdateWebhook(r.Context(), h)
		return err
	})
	if errors.Is(err, store.ErrNotFound) {
		return notFound()
	}
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, toWebhookJSON(h))
}

func (s *Server) deleteWebhook(w http.ResponseWriter, r *http.Request) error {
	if err := s.removeWebhook(r, r.PathValue("id")); err != nil {
		return err
	}
	return noContent(w)
}

// removeWebhook deletes a webhook (API and page); 404 when it is gone.
func (s *Server) removeWebhook(r *http.Request, id string) error {
	err := s.auditedChange(r, ActWebhookDelete, "webhook:"+id, nil, func(tx *store.Store) error {
		return tx.DeleteWebhook(r.Context(), id)
	})
	if errors.Is(err, store.ErrNotFound) {
		return notFound()
	}
	return err
}

// deliveryJSON is one delivery with its log.
type deliveryJSON struct {
	ID             string        `json:"id"`
	NotificationID string        `json:"notification_id,omitempty"`
	Kind           string        `json:"kind"`
	State          string        `json:"state"`
	Attempts       int           `json:"attempts"`
	NextAttemptAt  *time.Time    `json:"next_attempt_at,omitempty"`
	CreatedAt      time.Time     `json:"created_at"`
	Log            []attemptJSON `json:"log"`
}

type attemptJSON struct {
	Attempt    int       `json:"attempt"`
	At         time.Time `json:"at"`
	Status     int       `json:"status,omitempty"`
	Error      string    `json:"error,omitempty"`
	DurationMS int64     `json:"duration_ms"`
}

func toDeliveryJSON(d store.WebhookDelivery) deliveryJSON {
	out := deliveryJSON{ID: d.ID, NotificationID: d.NotificationID, Kind: d.Kind, State: d.State, Attempts: d.Attempts,
		CreatedAt: d.CreatedAt, Log: []attemptJSON{}}
	if d.State == store.DeliveryPending {
		t := d.NextAttemptAt
		out.NextAttemptAt = &t
	}
	for _, a := range d.Log {
		out.Log = append(out.Log, attemptJSON{Attempt: a.Attempt, At: a.At, Status: a.Status, Error: a.Error,
			DurationMS: a.Duration.Milliseconds()})
	}
	return out
}

// testWebhook is POST /webhooks/{id}/test: one signed delivery of kind
// webhook.test, attempted at once (retried like any other when it fails).
func (s *Server) testWebhook(w http.ResponseWriter, r *http.Request) error {
	h, err := s.webhookOr404(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	now := s.now()
	body, err := json.Marshal(notify.Payload{ID: "test-" + now.UTC().Format("20060102T150405Z"), Kind: KindWebhookTest,
		Subject: "test delivery from craft", CreatedAt: now.UTC()})
	if err != nil {
		return err
	}
	var d store.WebhookDelivery
	err = s.auditedChange(r, ActWebhookTest, "webhook:"+h.ID, map[string]string{"host": webhookHost(h.URL)},
		func(tx *store.Store) error {
			var err error
			d, err = tx.AddWebhookDelivery(r.Context(), store.WebhookDelivery{WebhookID: h.ID, Kind: KindWebhookTest,
				Payload: string(body), CreatedAt: now})
			return err
		})
	if err != nil {
		return err
	}
	var res NotifyResult
	if err := s.attemptDelivery(r.Context(), s.webhookClient(), d, &res); err != nil {
		return err
	}
	list, err := s.store.ListWebhookDeliveries(r.Context(), h.ID, maxDeliveriesListed)
	if err != nil {
		return err
	}
	for _, x := range list {
		if x.ID == d.ID {
			return writeJSON(w, http.StatusOK, toDeliveryJSON(x))
		}
	}
	return writeJSON(w, http.StatusOK, toDeliveryJSON(d))
}

func (s *Server) listDeliveries(w http.ResponseWriter, r *http.Request) error {
	h, err := s.webhookOr404(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	list, err := s.store.ListWebhookDeliveries(r.Context(), h.ID, maxDeliveriesListed)
	if err != nil {
		return err
	}
	out := make([]deliveryJSON, len(list))
	for i, d := range list {
		out[i] = toDeliveryJSON(d)
	}
	return writeJSON(w, http.StatusOK, map[string]any{"deliveries": out})
}

// preferenceJSON is one choice; product_id "" (or absent) is every product.
type preferenceJSON struct {
	ProductID string `json:"product_id,omitempty"`
	Group     string `json:"group"`
	Mode      string `json:"mode"`
}

type preferencesJSON struct {
	Preferences []preferenceJSON `json:"preferences"`
	// Effective is every visible product's mode per group after choices
	// and role defaults (GET only).
	Effective map[string]map[string]string `json:"effective,omitempty"`
}

var prefGroups = []string{store.GroupFindings, store.GroupKEV, store.GroupEOL, store.GroupReports}

func (s *Server) getPreferences(w http.ResponseWriter, r *http.Request) error {
	p := PrincipalFrom(r.Context())
	prefs, err := s.store.ListNotificationPreferences(r.Context(), p.UserID)
	if err != nil {
		return err
	}
	out := preferencesJSON{Preferences: []preferenceJSON{}, Effective: map[string]map[string]string{}}
	for _, x := range prefs {
		out.Preferences = append(out.Preferences, preferenceJSON(x))
	}
	products, err := s.store.ListProducts(r.Context())
	if err != nil {
		return err
	}
	for _, prod := range products {
		if auth.Authorize(p, auth.PermProductRead, prod.ID) != nil {
			continue
		}
		m := map[string]string{}
		for _, g := range prefGroups {
			if mayHear(p, g, prod.ID) {
				m[g] = modeFor(p, prefs, g, prod.ID)
			} else {
				m[g] = store.ModeOff
			}
		}
		out.Effective[prod.ID] = m
	}
	return writeJSON(w, http.StatusOK, out)
}

func (s *Server) putPreferences(w http.ResponseWriter, r *http.Request) error {
	var req preferencesJSON
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	if req.Effective != nil {
		return badRequest("effective: read-only; send preferences only")
	}
	if err := s.savePreferences(r, req.Preferences); err != nil {
		return err
	}
	return s.getPreferences(w, r)
}

// savePreferences validates and replaces the caller's choices (API and
// page).
func (s *Server) savePreferences(r *http.Request, in []preferenceJSON) error {
	p := PrincipalFrom(r.Context())
	if len(in) > maxPreferencesPerPut {
		return badRequest("preferences: at most %d", maxPreferencesPerPut)
	}
	seen := map[[2]string]bool{}
	prefs := make([]store.NotificationPreference, 0, len(in))
	for i, x := range in {
		sp := store.NotificationPreference(x)
		if !store.ValidPreference(sp) {
			return badRequest("preferences[%d]: group must be one of %s and mode immediate, digest or off", i,
				strings.Join(prefGroups, ", "))
		}
		// A product the caller may not read is answered like one that
		// does not exist.
		if sp.ProductID != "" && auth.Authorize(p, auth.PermProductRead, sp.ProductID) != nil {
			return badRequest("preferences[%d]: no product with id %q", i, sp.ProductID)
		}
		k := [2]string{sp.ProductID, sp.Group}
		if seen[k] {
			return badRequest("preferences[%d]: a second choice for group %q of the same product", i, sp.Group)
		}
		seen[k] = true
		prefs = append(prefs, sp)
	}
	return s.auditedChange(r, ActNotifyPrefChange, "user:"+p.UserID, map[string]string{"count": fmt.Sprint(len(prefs))},
		func(tx *store.Store) error { return tx.ReplaceNotificationPreferences(r.Context(), p.UserID, prefs) })
}

// notificationJSON is one notification as the API lists it.
type notificationJSON struct {
	ID          string     `json:"id"`
	Kind        string     `json:"kind"`
	ProductID   string     `json:"product_id,omitempty"`
	Subject     string     `json:"subject"`
	Reference   string     `json:"reference,omitempty"`
	CreatedAt   time.Time  `json:"created_at"`
	DeliveredAt *time.Time `json:"delivered_at,omitempty"`
}

// listNotifications is GET /notifications: the notifications of products
// the caller may read (reports only where they may read cases), newest
// first, with cursor pagination.
func (s *Server) listNotifications(w http.ResponseWriter, r *http.Request) error {
	pr, err := parsePageRequest(r)
	if err != nil {
		return err
	}
	var cur store.NotificationCursor
	has, err := pr.Decode(&cur)
	if err != nil {
		return err
	}
	p := PrincipalFrom(r.Context())
	all, ids := p.ProductFilter()
	f := store.NotificationFilter{All: all, Products: ids, WithoutProduct: mayHear(p, store.GroupReports, "")}
	var after *store.NotificationCursor
	if has {
		after = &cur
	}
	var items []notificationJSON
	var last store.Notification
	more, exhausted := false, false
	// Rows the caller may not see (a report on a product where they are a
	// viewer) are skipped, so a page may take several queries.
	for len(items) < pr.Limit && !exhausted {
		batch, err := s.store.ListNotifications(r.Context(), f, after, pr.Limit+1)
		if err != nil {
			return err
		}
		exhausted = len(batch) <= pr.Limit
		consumed := 0
		for _, n := range batch {
			if len(items) == pr.Limit {
				break
			}
			last, consumed = n, consumed+1
			if !mayHear(p, groupOf(n.Kind), n.ProductID) {
				continue
			}
			j := notificationJSON{ID: n.ID, Kind: n.Kind, ProductID: n.ProductID, Subject: n.Subject,
				Reference: n.Reference, CreatedAt: n.CreatedAt}
			if !n.DeliveredAt.IsZero() {
				t := n.DeliveredAt
				j.DeliveredAt = &t
			}
			items = append(items, j)
		}
		if consumed < len(batch) {
			more = true
			break
		}
		after = &store.NotificationCursor{CreatedAt: last.CreatedAt.UnixNano(), ID: last.ID}
	}
	if len(items) == pr.Limit && !exhausted {
		more = true
	}
	page := Page[notificationJSON]{Items: items}
	if page.Items == nil {
		page.Items = []notificationJSON{}
	}
	if more {
		page.NextCursor = encodeCursor(store.NotificationCursor{CreatedAt: last.CreatedAt.UnixNano(), ID: last.ID})
	}
	return writeJSON(w, http.StatusOK, page)
}

// smtpJSON is GET/PUT /settings/smtp. Password is write-only: GET shows
// password_set instead; a PUT without password keeps the stored one, and
// "" removes it.
type smtpJSON struct {
	Host            string  `json:"host"`
	Port            int     `json:"port"`
	Username        string  `json:"username"`
	Password        *string `json:"password,omitempty"`
	PasswordSet     bool    `json:"password_set"`
	From            string  `json:"from"`
	DisableStartTLS bool    `json:"disable_starttls"`
	DigestHourUTC   *int    `json:"digest_hour_utc"`
	BaseURL         string  `json:"base_url"`
}

func smtpJSONOf(c notifySettings) smtpJSON {
	h := c.DigestHourUTC
	return smtpJSON{Host: c.Host, Port: c.Port, Username: c.Username, PasswordSet: c.PasswordSealed != "",
		From: c.From, DisableStartTLS: c.DisableStartTLS, DigestHourUTC: &h, BaseURL: c.BaseURL}
}

func (s *Server) getSMTPSettings(w http.ResponseWriter, r *http.Request) error {
	c, err := s.loadNotifySettings(r.Context())
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, smtpJSONOf(c))
}

// putSMTPSettings replaces the e-mail settings; an empty host switches
// e-mail off. Audited with the fields' names, never the password.
func (s *Server) putSMTPSettings(w http.ResponseWriter, r *http.Request) error {
	var req smtpJSON
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	out, err := s.saveSMTPSettings(r, req)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, out)
}

// saveSMTPSettings validates, seals and stores the e-mail settings (API
// and page).
func (s *Server) saveSMTPSettings(r *http.Request, req smtpJSON) (smtpJSON, error) {
	c, err := s.loadNotifySettings(r.Context())
	if err != nil {
		return smtpJSON{}, err
	}
	if req.PasswordSet {
		return smtpJSON{}, badRequest("password_set: read-only; send password to change it")
	}
	next := notifySettings{Host: strings.TrimSpace(req.Host), Port: req.Port, Username: req.Username,
		From: strings.TrimSpace(req.From), DisableStartTLS: req.DisableStartTLS, DigestHourUTC: c.DigestHourUTC,
		PasswordSealed: c.PasswordSealed, BaseURL: strings.TrimSpace(req.BaseURL)}
	if req.DigestHourUTC != nil {
		if *req.DigestHourUTC < 0 || *req.DigestHourUTC > 23 {
			return smtpJSON{}, badRequest("digest_hour_utc: want 0 to 23, got %d", *req.DigestHourUTC)
		}
		next.DigestHourUTC = *req.DigestHourUTC
	}
	if next.BaseURL != "" && !validBaseURL(next.BaseURL) {
		return smtpJSON{}, badRequest("base_url: want craft's own address, e.g. https://craft.example.eu")
	}
	if next.Host != "" {
		if err := (notify.SMTPConfig{Host: next.Host, Port: next.Port, Username: next.Username, From: next.From}).Validate(); err != nil {
			return smtpJSON{}, badRequest("%s", err.Error())
		}
	}
	if req.Password != nil {
		next.PasswordSealed = ""
		if *req.Password != "" {
			if hasControl(*req.Password) || len(*req.Password) > 1024 {
				return smtpJSON{}, badRequest("password: at most 1024 characters without control characters")
			}
			sl, err := s.sealer()
			if err != nil {
				return smtpJSON{}, err
			}
			b, err := sl.Seal([]byte(*req.Password), []byte(sealSMTPPassword))
			if err != nil {
				return smtpJSON{}, err
			}
			next.PasswordSealed = base64.StdEncoding.EncodeToString(b)
		}
	}
	b, err := json.Marshal(next)
	if err != nil {
		return smtpJSON{}, err
	}
	detail := map[string]string{"enabled": boolString(next.smtpEnabled()), "starttls": boolString(!next.DisableStartTLS),
		"credentials_changed": boolString(req.Password != nil)}
	err = s.auditedChange(r, ActSettingChange, "setting:"+SettingNotify, detail, func(tx *store.Store) error {
		return tx.SetSetting(r.Context(), SettingNotify, string(b))
	})
	if err != nil {
		return smtpJSON{}, err
	}
	return smtpJSONOf(next), nil
}

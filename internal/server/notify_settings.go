package server

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/craft-cra/craft/internal/auth"
	"github.com/craft-cra/craft/internal/notify"
	"github.com/craft-cra/craft/internal/store"
)

// SettingNotify names the setting that holds e-mail delivery (SMTP, the
// digest hour, the link base) as JSON; the SMTP password in it is sealed.
const SettingNotify = "notify"

// Seal contexts: a sealed value only opens where it was sealed.
const (
	sealSMTPPassword = "smtp-password"
	sealWebhookPfx   = "webhook-secret:"
)

// notifySettings is the stored form of the notify setting.
type notifySettings struct {
	// SMTP is off while Host is empty.
	Host     string `json:"host,omitempty"`
	Port     int    `json:"port,omitempty"`
	Username string `json:"username,omitempty"`
	// PasswordSealed is the base64 sealed password; never the password.
	PasswordSealed  string `json:"password_sealed,omitempty"`
	From            string `json:"from,omitempty"`
	DisableStartTLS bool   `json:"disable_starttls,omitempty"`
	// DigestHourUTC is when daily digests go out (0–23).
	DigestHourUTC int `json:"digest_hour_utc"`
	// BaseURL is craft's address as users reach it, for links in mails
	// and webhooks ("https://craft.example.eu").
	BaseURL string `json:"base_url,omitempty"`
}

// smtpEnabled reports whether e-mail is configured.
func (n notifySettings) smtpEnabled() bool { return n.Host != "" }

// defaultDigestHour is 07:00 UTC: before the working day in most of the EU.
const defaultDigestHour = 7

func (s *Server) sealer() (*auth.Sealer, error) {
	if len(s.cfg.SealKey) == 0 {
		return nil, errors.New("server: no sealing key configured (Config.SealKey)")
	}
	return auth.NewSealer(s.cfg.SealKey)
}

func (s *Server) loadNotifySettings(ctx context.Context) (notifySettings, error) {
	c := notifySettings{DigestHourUTC: defaultDigestHour}
	v, err := s.store.GetSetting(ctx, SettingNotify)
	if errors.Is(err, store.ErrNotFound) {
		return c, nil
	}
	if err != nil {
		return c, err
	}
	if err := json.Unmarshal([]byte(v), &c); err != nil {
		return c, fmt.Errorf("setting %s: %w", SettingNotify, err)
	}
	return c, nil
}

// smtpConfig opens the sealed password and builds the sender's settings.
func (s *Server) smtpConfig(c notifySettings) (notify.SMTPConfig, error) {
	cfg := notify.SMTPConfig{Host: c.Host, Port: c.Port, Username: c.Username, From: c.From,
		DisableStartTLS: c.DisableStartTLS}
	if c.PasswordSealed != "" {
		sl, err := s.sealer()
		if err != nil {
			return cfg, err
		}
		b, err := base64.StdEncoding.DecodeString(c.PasswordSealed)
		if err != nil {
			return cfg, fmt.Errorf("setting %s: password: %w", SettingNotify, err)
		}
		pw, err := sl.Open(b, []byte(sealSMTPPassword))
		if err != nil {
			return cfg, fmt.Errorf("setting %s: password: %w", SettingNotify, err)
		}
		cfg.Password = string(pw)
	}
	return cfg, nil
}

// link is the page a notification points to: the notifications page,
// where a signed-in user with access sees the product.
func (c notifySettings) link() string {
	if c.BaseURL == "" {
		return ""
	}
	return strings.TrimRight(c.BaseURL, "/") + "/account/notifications"
}

func validBaseURL(v string) bool {
	u, err := url.Parse(v)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != "" && u.User == nil &&
		u.RawQuery == "" && u.Fragment == ""
}

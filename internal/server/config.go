package server

import (
	"net/netip"
	"time"
)

// Config is how craft serve runs. Zero fields mean the defaults
// (DefaultConfig); internal/cli fills it from flags, CRAFT_* variables and
// the config file (docs/server.md).
type Config struct {
	// Listen is the main listener's address (default 127.0.0.1:8443).
	Listen string
	// MetricsListen, when set, serves Prometheus metrics on a second
	// listener (off by default; bind it to loopback).
	MetricsListen string
	// DataDir holds the SQLite database, mfa.key and the generated
	// certificate.
	DataDir string
	// TLSCert and TLSKey are PEM files; empty means a self-signed
	// certificate in DataDir.
	TLSCert, TLSKey string
	// InsecureHTTP serves plain HTTP (warned at start, flagged in every
	// response with X-Craft-Insecure-Transport: 1).
	InsecureHTTP bool
	// TrustedProxies are the peers whose X-Forwarded-For is believed (the
	// right-most untrusted address is the client). Empty: the peer is the
	// client.
	TrustedProxies []netip.Prefix
	// Limits are the rate limits.
	Limits RateLimits
	// Timeouts of the HTTP server.
	ReadHeaderTimeout, ReadTimeout, WriteTimeout, IdleTimeout, ShutdownTimeout time.Duration
	// MaxHeaderBytes bounds request headers.
	MaxHeaderBytes int
	// MFARequiredForAll extends the MFA requirement from administrators to
	// every account.
	MFARequiredForAll bool
	// SessionIdleTimeout and SessionAbsoluteTimeout; zero means auth's
	// defaults (30 min, 12 h).
	SessionIdleTimeout, SessionAbsoluteTimeout time.Duration
	// AdvisoryDB is the advisory database releases are matched against;
	// "" means advisories.db in DataDir (no monitoring without either).
	AdvisoryDB string
	// AdvisoryUpdateInterval is how often the monitoring job updates the
	// advisory database from the network (or imports AdvisoryImportDir)
	// and re-matches the releases in support; 0 disables the job.
	// DefaultConfig sets 6 h; withDefaults leaves 0 alone.
	AdvisoryUpdateInterval time.Duration
	// AdvisoryImportDir, when set, is imported instead of downloading:
	// for sites without Internet access.
	AdvisoryImportDir string
	// AdvisoryFullRematch makes every monitoring run re-match the whole
	// portfolio; by default a run re-matches only the releases the
	// advisory update touched (monitor_incremental.go), with a full pass
	// once a day and whenever it cannot tell.
	AdvisoryFullRematch bool
	// CSAFSigner, when set, signs the published CSAF documents (.asc next
	// to each file) and its public key is published and listed in
	// provider-metadata.json, which then claims the role
	// csaf_trusted_provider (docs/advisories-publishing.md).
	CSAFSigner *AdvisorySigner
	// CSAFPublisherName is the publisher named in provider-metadata.json;
	// "" means the host name of the server's public URL.
	CSAFPublisherName string
	// WebhookAllowHTTP permits http:// webhook URLs (a lab receiver);
	// by default only https is accepted.
	WebhookAllowHTTP bool
	// WebhookAllowPrivate permits webhook receivers on loopback, private,
	// link-local and cloud-metadata addresses (checked where the
	// connection is made); by default they are refused.
	WebhookAllowPrivate bool
	// SealKey is the 32-byte key (mfa.key) that seals webhook secrets and
	// the SMTP password at rest; without it webhooks and SMTP cannot be
	// configured.
	SealKey []byte
}

// RateLimits are token buckets: Rate requests per second on average and
// Burst at once, per key.
type RateLimits struct {
	// PerIP counts every request of a client address.
	PerIP Bucket
	// PerPrincipal counts every authenticated request of one session user
	// or API token.
	PerPrincipal Bucket
	// Auth counts sign-in, MFA and setup requests of a client address.
	Auth Bucket
	// Disabled turns every limit off (benchmarks only; never in
	// production).
	Disabled bool
}

// Bucket is one token-bucket limit.
type Bucket struct {
	Rate  float64 // tokens per second
	Burst int
}

// DefaultConfig is craft serve's secure default: loopback only, TLS, tight
// timeouts.
func DefaultConfig() Config {
	return Config{
		Listen:            "127.0.0.1:8443",
		Limits:            DefaultRateLimits(),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		ShutdownTimeout:   20 * time.Second,
		MaxHeaderBytes:    32 << 10,

		AdvisoryUpdateInterval: 6 * time.Hour,
	}
}

// DefaultRateLimits: 20 requests/s (burst 100) per address and per
// principal, enough for a page with its assets and a busy script; sign-in,
// MFA and setup 10 at once then one every 6 seconds per address, on top of
// auth's per-account and per-address throttling.
func DefaultRateLimits() RateLimits {
	return RateLimits{
		PerIP:        Bucket{Rate: 20, Burst: 100},
		PerPrincipal: Bucket{Rate: 20, Burst: 100},
		Auth:         Bucket{Rate: 1.0 / 6, Burst: 10},
	}
}

// withDefaults fills zero fields from DefaultConfig.
func (c Config) withDefaults() Config {
	d := DefaultConfig()
	if c.Listen == "" {
		c.Listen = d.Listen
	}
	if c.Limits.PerIP.Rate == 0 {
		c.Limits.PerIP = d.Limits.PerIP
	}
	if c.Limits.PerPrincipal.Rate == 0 {
		c.Limits.PerPrincipal = d.Limits.PerPrincipal
	}
	if c.Limits.Auth.Rate == 0 {
		c.Limits.Auth = d.Limits.Auth
	}
	if c.ReadHeaderTimeout == 0 {
		c.ReadHeaderTimeout = d.ReadHeaderTimeout
	}
	if c.ReadTimeout == 0 {
		c.ReadTimeout = d.ReadTimeout
	}
	if c.WriteTimeout == 0 {
		c.WriteTimeout = d.WriteTimeout
	}
	if c.IdleTimeout == 0 {
		c.IdleTimeout = d.IdleTimeout
	}
	if c.ShutdownTimeout == 0 {
		c.ShutdownTimeout = d.ShutdownTimeout
	}
	if c.MaxHeaderBytes == 0 {
		c.MaxHeaderBytes = d.MaxHeaderBytes
	}
	return c
}

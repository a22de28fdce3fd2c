package cli

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"
	"gopkg.in/yaml.v3"

	"github.com/craft-cra/craft/internal/auth"
	"github.com/craft-cra/craft/internal/server"
	"github.com/craft-cra/craft/internal/store"
)

// serveFile is the optional configuration file of craft serve (YAML, given
// with --config or $CRAFT_CONFIG). Flags override CRAFT_* variables, which
// override the file, which overrides the defaults.
type serveFile struct {
	Data              string   `yaml:"data"`
	Database          string   `yaml:"database"`
	Listen            string   `yaml:"listen"`
	TLSCert           string   `yaml:"tls_cert"`
	TLSKey            string   `yaml:"tls_key"`
	InsecureHTTP      bool     `yaml:"insecure_http"`
	MetricsListen     string   `yaml:"metrics_listen"`
	TrustedProxies    []string `yaml:"trusted_proxies"`
	MFARequiredForAll bool     `yaml:"mfa_required_for_all"`
	// Monitoring (docs/server.md): the advisory database, how often it is
	// updated ("6h"; "0" disables) and the folder imported instead of
	// downloading.
	AdvisoryDB             string `yaml:"advisory_db"`
	AdvisoryUpdateInterval string `yaml:"advisory_update_interval"`
	AdvisoryImport         string `yaml:"advisory_import"`
	// CSAF publication (docs/advisories-publishing.md): the armored
	// OpenPGP private key that signs published advisories (its passphrase
	// only from CRAFT_CSAF_SIGNING_PASSPHRASE, never a flag or the file)
	// and the publisher named in provider-metadata.json.
	CSAFSigningKey    string `yaml:"csaf_signing_key"`
	CSAFPublisherName string `yaml:"csaf_publisher_name"`
	// Webhooks (docs/notifications.md): permit http:// receivers, and
	// receivers on loopback, private or metadata addresses (labs only).
	WebhookAllowHTTP    bool `yaml:"webhook_allow_http"`
	WebhookAllowPrivate bool `yaml:"webhook_allow_private"`
}

// serveSettings are the resolved settings of one craft serve run.
type serveSettings struct {
	serveFile
	config string
}

// newServeCmd is `craft serve`.
func newServeCmd(app *App) *cobra.Command {
	var fl serveSettings
	var proxies string
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run craft's server: accounts, products and the audit log behind a hardened HTTPS listener",
		Long: `serve runs craft's server on 127.0.0.1:8443 with HTTPS. Without --tls-cert and
--tls-key it generates a self-signed ECDSA P-256 certificate into the data
folder at first start and prints its SHA-256 fingerprint. On a database
without accounts it prints a one-time setup link (valid one hour) that
creates the first administrator; there are no default credentials.

Configuration: flags override CRAFT_* environment variables, which override
the YAML file named by --config or $CRAFT_CONFIG (docs/server.md):

  --data            CRAFT_DATA             data:
  --database        CRAFT_DATABASE         database:
  --listen          CRAFT_LISTEN           listen:
  --tls-cert        CRAFT_TLS_CERT         tls_cert:
  --tls-key         CRAFT_TLS_KEY          tls_key:
  --insecure-http   CRAFT_INSECURE_HTTP    insecure_http:
  --metrics-listen  CRAFT_METRICS_LISTEN   metrics_listen:
  --trusted-proxies CRAFT_TRUSTED_PROXIES  trusted_proxies:
  --mfa-required-for-all CRAFT_MFA_REQUIRED_FOR_ALL mfa_required_for_all:
  --advisory-db     CRAFT_ADVISORY_DB      advisory_db:
  --advisory-update-interval CRAFT_ADVISORY_UPDATE_INTERVAL advisory_update_interval:
  --advisory-import CRAFT_ADVISORY_IMPORT  advisory_import:
  --webhook-allow-http CRAFT_WEBHOOK_ALLOW_HTTP webhook_allow_http:
  --webhook-allow-private CRAFT_WEBHOOK_ALLOW_PRIVATE webhook_allow_private:
  --csaf-signing-key CRAFT_CSAF_SIGNING_KEY csaf_signing_key:
  --csaf-publisher-name CRAFT_CSAF_PUBLISHER_NAME csaf_publisher_name:

CSAF advisories: with --csaf-signing-key FILE (an armored OpenPGP private
key; its passphrase in CRAFT_CSAF_SIGNING_PASSPHRASE) every published
advisory gets a detached signature and the provider becomes a CSAF trusted
provider (docs/advisories-publishing.md).

Monitoring: the advisory database (default advisories.db in the data folder)
is updated every --advisory-update-interval (default 6h, 0 disables) as
craft db update does, or imported from the --advisory-import folder on sites
without Internet access; then every release in support is re-matched.

Stops gracefully on SIGINT or SIGTERM. Exit codes: 0 stopped; 1 the server
failed; 2 bad configuration.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			set := func(name string) bool { return cmd.Flags().Changed(name) }
			st, err := resolveServe(app, fl, proxies, set)
			if err != nil {
				return err
			}
			return runServe(cmd, app, st)
		},
	}
	f := cmd.Flags()
	f.StringVar(&fl.config, "config", "", "YAML configuration file (default $CRAFT_CONFIG)")
	f.StringVar(&fl.Data, "data", "", "data folder (default $CRAFT_DATA or craft in the user data folder)")
	f.StringVar(&fl.Database, "database", "", "PostgreSQL URL instead of SQLite in the data folder (default $CRAFT_DATABASE)")
	f.StringVar(&fl.Listen, "listen", "127.0.0.1:8443", "address to listen on")
	f.StringVar(&fl.TLSCert, "tls-cert", "", "TLS certificate (PEM); default a self-signed one in the data folder")
	f.StringVar(&fl.TLSKey, "tls-key", "", "TLS private key (PEM)")
	f.BoolVar(&fl.InsecureHTTP, "insecure-http", false, "serve plain HTTP (only behind a TLS-terminating proxy on the same host)")
	f.StringVar(&fl.MetricsListen, "metrics-listen", "", "serve Prometheus metrics on this address, e.g. 127.0.0.1:9464 (off by default)")
	f.StringVar(&proxies, "trusted-proxies", "", "comma-separated addresses or CIDRs of reverse proxies whose X-Forwarded-For is believed")
	f.BoolVar(&fl.MFARequiredForAll, "mfa-required-for-all", false, "require multi-factor authentication of every account, not only administrators")
	f.StringVar(&fl.AdvisoryDB, "advisory-db", "", "advisory database releases are matched against (default advisories.db in the data folder)")
	f.StringVar(&fl.AdvisoryUpdateInterval, "advisory-update-interval", "6h", "how often to update the advisory database and re-match releases; 0 disables")
	f.StringVar(&fl.AdvisoryImport, "advisory-import", "", "import advisories from this folder instead of downloading (air-gapped sites)")
	f.StringVar(&fl.CSAFSigningKey, "csaf-signing-key", "", "armored OpenPGP private key that signs published CSAF advisories (passphrase in $CRAFT_CSAF_SIGNING_PASSPHRASE)")
	f.StringVar(&fl.CSAFPublisherName, "csaf-publisher-name", "", "publisher named in /.well-known/csaf/provider-metadata.json (default the server's host name)")
	f.BoolVar(&fl.WebhookAllowHTTP, "webhook-allow-http", false, "permit http:// webhook receivers (a lab; by default https only)")
	f.BoolVar(&fl.WebhookAllowPrivate, "webhook-allow-private", false, "permit webhook receivers on loopback, private, link-local or cloud-metadata addresses")
	return cmd
}

// resolveServe merges flags, environment and file (in that order of
// precedence) and checks the result.
func resolveServe(app *App, fl serveSettings, proxies string, set func(string) bool) (serveSettings, error) {
	var out serveSettings
	cfgPath := fl.config
	if cfgPath == "" {
		cfgPath = app.Getenv("CRAFT_CONFIG")
	}
	if cfgPath != "" {
		file, err := readServeFile(cfgPath)
		if err != nil {
			return out, err
		}
		out.serveFile = file
	}
	str := func(dst *string, flag string, val string, env string) {
		switch {
		case set(flag):
			*dst = val
		case app.Getenv(env) != "":
			*dst = app.Getenv(env)
		}
	}
	boolean := func(dst *bool, flag string, val bool, env string) error {
		switch {
		case set(flag):
			*dst = val
		case app.Getenv(env) != "":
			b, err := strconv.ParseBool(app.Getenv(env))
			if err != nil {
				return usageError("serve: %s=%q is not true or false", env, app.Getenv(env))
			}
			*dst = b
		}
		return nil
	}
	str(&out.Data, "data", fl.Data, "CRAFT_DATA")
	str(&out.Database, "database", fl.Database, "CRAFT_DATABASE")
	str(&out.Listen, "listen", fl.Listen, "CRAFT_LISTEN")
	str(&out.TLSCert, "tls-cert", fl.TLSCert, "CRAFT_TLS_CERT")
	str(&out.TLSKey, "tls-key", fl.TLSKey, "CRAFT_TLS_KEY")
	str(&out.MetricsListen, "metrics-listen", fl.MetricsListen, "CRAFT_METRICS_LISTEN")
	str(&out.AdvisoryDB, "advisory-db", fl.AdvisoryDB, "CRAFT_ADVISORY_DB")
	str(&out.AdvisoryUpdateInterval, "advisory-update-interval", fl.AdvisoryUpdateInterval, "CRAFT_ADVISORY_UPDATE_INTERVAL")
	str(&out.AdvisoryImport, "advisory-import", fl.AdvisoryImport, "CRAFT_ADVISORY_IMPORT")
	str(&out.CSAFSigningKey, "csaf-signing-key", fl.CSAFSigningKey, "CRAFT_CSAF_SIGNING_KEY")
	str(&out.CSAFPublisherName, "csaf-publisher-name", fl.CSAFPublisherName, "CRAFT_CSAF_PUBLISHER_NAME")
	if _, err := advisoryInterval(out.AdvisoryUpdateInterval); err != nil {
		return out, err
	}
	if err := boolean(&out.InsecureHTTP, "insecure-http", fl.InsecureHTTP, "CRAFT_INSECURE_HTTP"); err != nil {
		return out, err
	}
	if err := boolean(&out.MFARequiredForAll, "mfa-required-for-all", fl.MFARequiredForAll, "CRAFT_MFA_REQUIRED_FOR_ALL"); err != nil {
		return out, err
	}
	if err := boolean(&out.WebhookAllowHTTP, "webhook-allow-http", fl.WebhookAllowHTTP, "CRAFT_WEBHOOK_ALLOW_HTTP"); err != nil {
		return out, err
	}
	if err := boolean(&out.WebhookAllowPrivate, "webhook-allow-private", fl.WebhookAllowPrivate, "CRAFT_WEBHOOK_ALLOW_PRIVATE"); err != nil {
		return out, err
	}
	switch {
	case set("trusted-proxies"):
		out.TrustedProxies = splitList(proxies)
	case app.Getenv("CRAFT_TRUSTED_PROXIES") != "":
		out.TrustedProxies = splitList(app.Getenv("CRAFT_TRUSTED_PROXIES"))
	}
	if out.Listen == "" {
		out.Listen = server.DefaultConfig().Listen
	}
	if _, _, err := net.SplitHostPort(out.Listen); err != nil {
		return out, usageError("serve: --listen %q: %v", out.Listen, err)
	}
	if (out.TLSCert == "") != (out.TLSKey == "") {
		return out, usageError("serve: give both --tls-cert and --tls-key, or neither")
	}
	if out.InsecureHTTP && out.TLSCert != "" {
		return out, usageError("serve: --insecure-http and --tls-cert exclude each other")
	}
	if out.MetricsListen != "" {
		if _, _, err := net.SplitHostPort(out.MetricsListen); err != nil {
			return out, usageError("serve: --metrics-listen %q: %v", out.MetricsListen, err)
		}
		if out.MetricsListen == out.Listen {
			return out, usageError("serve: metrics must not share the main listener")
		}
	}
	dir, err := serverDataDir(app, out.Data)
	if err != nil {
		return out, err
	}
	out.Data = dir
	return out, nil
}

// readServeFile reads the YAML configuration strictly: unknown keys are an
// error, so a typo does not silently leave a default in place.
func readServeFile(path string) (serveFile, error) {
	var f serveFile
	b, err := os.ReadFile(path)
	if err != nil {
		return f, usageError("serve: config: %v", err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil && !errors.Is(err, io.EOF) {
		return f, usageError("serve: config %s: %v", path, err)
	}
	return f, nil
}

func splitList(s string) []string {
	var out []string
	for _, x := range strings.Split(s, ",") {
		if x = strings.TrimSpace(x); x != "" {
			out = append(out, x)
		}
	}
	return out
}

// parsePrefixes reads addresses and CIDRs.
func parsePrefixes(list []string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, x := range list {
		if p, err := netip.ParsePrefix(x); err == nil {
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(x)
		if err != nil {
			return nil, usageError("serve: trusted proxy %q is not an address or CIDR", x)
		}
		out = append(out, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
	}
	return out, nil
}

// runServe opens the database, prepares TLS and the setup link, prints the
// banner and serves until SIGINT or SIGTERM.
func runServe(cmd *cobra.Command, app *App, st serveSettings) error {
	ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	logger := slog.New(slog.NewJSONHandler(app.Stderr, nil))
	proxies, err := parsePrefixes(st.TrustedProxies)
	if err != nil {
		return err
	}
	failed := func(err error) error { return &ExitError{Code: ExitFindings, Err: err} }

	db, err := store.Open(ctx, store.ConfigFor(st.Data, st.Database))
	if err != nil {
		return failed(fmt.Errorf("serve: %w", err))
	}
	defer db.Close()
	key, err := auth.LoadOrCreateKey(filepath.Join(st.Data, auth.SealerKeyFile))
	if err != nil {
		return failed(fmt.Errorf("serve: %w", err))
	}
	svc, err := server.NewAuth(db, server.AuthOptions{Key: key, MFARequiredForAll: st.MFARequiredForAll, Now: app.Now})
	if err != nil {
		return failed(fmt.Errorf("serve: %w", err))
	}
	cfg := server.Config{Listen: st.Listen, MetricsListen: st.MetricsListen, DataDir: st.Data,
		TLSCert: st.TLSCert, TLSKey: st.TLSKey, InsecureHTTP: st.InsecureHTTP,
		TrustedProxies: proxies, MFARequiredForAll: st.MFARequiredForAll,
		AdvisoryDB: st.AdvisoryDB, AdvisoryImportDir: st.AdvisoryImport, CSAFPublisherName: st.CSAFPublisherName,
		WebhookAllowHTTP: st.WebhookAllowHTTP, WebhookAllowPrivate: st.WebhookAllowPrivate, SealKey: key}
	if st.CSAFSigningKey != "" {
		cfg.CSAFSigner, err = server.LoadAdvisorySigner(st.CSAFSigningKey, []byte(app.Getenv("CRAFT_CSAF_SIGNING_PASSPHRASE")))
		if err != nil {
			return &ExitError{Code: ExitUsage, Err: fmt.Errorf("serve: %w", err)}
		}
	}
	if cfg.AdvisoryUpdateInterval, err = advisoryInterval(st.AdvisoryUpdateInterval); err != nil {
		return err
	}
	srv, err := server.New(server.Deps{Store: db, Auth: svc, Logger: logger, Now: app.Now, Config: cfg})
	if err != nil {
		return failed(err)
	}

	var l server.Listeners
	host, _, _ := net.SplitHostPort(st.Listen)
	var cert server.Certificate
	if !st.InsecureHTTP {
		if st.TLSCert != "" {
			cert, err = server.LoadCertificate(st.TLSCert, st.TLSKey)
		} else {
			cert, err = server.LoadOrCreateSelfSigned(st.Data, []string{host}, app.Now())
		}
		if err != nil {
			return &ExitError{Code: ExitUsage, Err: fmt.Errorf("serve: %w", err)}
		}
		l.TLS = server.TLSConfig(cert.TLS)
	}
	l.Main, err = net.Listen("tcp", st.Listen)
	if err != nil {
		return failed(fmt.Errorf("serve: listen: %w", err))
	}
	if st.MetricsListen != "" {
		if l.Metrics, err = net.Listen("tcp", st.MetricsListen); err != nil {
			l.Main.Close()
			return failed(fmt.Errorf("serve: metrics listen: %w", err))
		}
	}
	base := origin(l.Main.Addr(), st.InsecureHTTP)
	out := app.Stdout
	fmt.Fprintf(out, "craft serve %s listening on %s\n", Version, base)
	fmt.Fprintf(out, "data folder: %s; database: %s\n", st.Data, db.Driver())
	if st.WebhookAllowHTTP || st.WebhookAllowPrivate {
		fmt.Fprintln(out, "WARNING: --webhook-allow-http/--webhook-allow-private: webhooks may go out unencrypted or to this host's own network (labs only; docs/notifications.md).")
	}
	if iv, _ := advisoryInterval(st.AdvisoryUpdateInterval); st.AdvisoryImport != "" && iv <= 0 {
		fmt.Fprintln(out, "WARNING: --advisory-import is set but --advisory-update-interval is 0: the folder is never read; give an interval such as 1h (docs/server.md).")
	}
	if st.InsecureHTTP {
		fmt.Fprintln(out, "WARNING: --insecure-http: serving plain HTTP. Passwords and session cookies cross the network in clear unless a TLS proxy on this host fronts craft.")
	} else {
		if cert.Generated {
			fmt.Fprintf(out, "generated a self-signed certificate: %s\n", cert.CertPath)
		}
		fmt.Fprintf(out, "TLS certificate SHA-256 fingerprint: %s\n", cert.Fingerprint)
	}
	if ip, err := netip.ParseAddr(host); err == nil && !ip.IsLoopback() {
		fmt.Fprintf(out, "WARNING: listening on %s, reachable from other machines\n", host)
	}
	if l.Metrics != nil {
		fmt.Fprintf(out, "metrics: http://%s/metrics\n", l.Metrics.Addr())
		if ap, err := netip.ParseAddrPort(l.Metrics.Addr().String()); err == nil && !ap.Addr().IsLoopback() {
			fmt.Fprintln(out, "WARNING: the metrics listener is not on loopback; metrics carry no secrets but reveal activity")
		}
	}
	link, ok, err := srv.PrepareSetup(ctx, base)
	if err != nil {
		l.Main.Close()
		return failed(err)
	}
	if ok {
		fmt.Fprintf(out, "\nNo accounts yet. Open this one-time link to create the first administrator\n(valid until %s, single use):\n\n  %s\n\nor run `craft admin create --email ADDRESS` instead.\n\n",
			link.Expires.UTC().Format("2006-01-02 15:04 MST"), link.URL)
	}
	if err := srv.Run(ctx, l); err != nil {
		return failed(err)
	}
	fmt.Fprintln(out, "craft serve stopped")
	return nil
}

// origin is the URL of the main listener for the banner and the setup
// link; an unspecified address (0.0.0.0, ::) is shown as 127.0.0.1.
func origin(a net.Addr, insecure bool) string {
	scheme := "https"
	if insecure {
		scheme = "http"
	}
	ap, err := netip.ParseAddrPort(a.String())
	if err != nil {
		return scheme + "://" + a.String()
	}
	ip := ap.Addr().Unmap()
	if ip.IsUnspecified() {
		ip = netip.MustParseAddr("127.0.0.1")
	}
	return scheme + "://" + netip.AddrPortFrom(ip, ap.Port()).String()
}

// advisoryInterval parses --advisory-update-interval: a Go duration ("6h",
// "90m"), "0" to disable; "" is the default, 6 h.
func advisoryInterval(v string) (time.Duration, error) {
	if v == "" {
		return server.DefaultConfig().AdvisoryUpdateInterval, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 {
		return 0, usageError("serve: --advisory-update-interval %q: give a duration such as 6h, or 0 to disable", v)
	}
	if d > 0 && d < time.Minute {
		return 0, usageError("serve: --advisory-update-interval %q: at least 1m", v)
	}
	return d, nil
}

package cli

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/craft-cra/craft/internal/server"
)

// lockedBuffer is a bytes.Buffer safe for the server goroutine and the test.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// startServe runs craft serve in the background and waits for its banner.
func startServe(t *testing.T, env map[string]string, args ...string) (out *lockedBuffer, stop func() int) {
	t.Helper()
	out = &lockedBuffer{}
	errb := &lockedBuffer{}
	// Tests never reach the internet: the advisory update job is off
	// unless a test turns it on.
	getenv := func(k string) string {
		if v, ok := env[k]; ok || k != "CRAFT_ADVISORY_UPDATE_INTERVAL" {
			return v
		}
		return "0"
	}
	app := &App{Stdin: strings.NewReader(""), Stdout: out, Stderr: errb, Getenv: getenv, Now: time.Now}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	go func() { done <- Run(ctx, app, append([]string{"serve"}, args...)) }()
	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(out.String(), "listening on") {
		select {
		case code := <-done:
			cancel()
			t.Fatalf("serve exited %d early: %s %s", code, out.String(), errb.String())
		default:
		}
		if time.Now().After(deadline) {
			cancel()
			t.Fatalf("no banner: %s %s", out.String(), errb.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	for !strings.Contains(out.String(), "link") && !strings.Contains(out.String(), "fingerprint") && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(50 * time.Millisecond)
	return out, func() int {
		cancel()
		select {
		case code := <-done:
			return code
		case <-time.After(30 * time.Second):
			t.Fatal("serve did not stop")
			return -1
		}
	}
}

var originRE = regexp.MustCompile(`listening on (https?://[^\s]+)`)

// TestServeFirstStart: a fresh data folder gets a self-signed certificate
// (verifiable for 127.0.0.1 with the file craft wrote), a printed
// fingerprint and a one-time setup link; the server answers over TLS only
// and stops cleanly when its context ends.
func TestServeFirstStart(t *testing.T) {
	dir := t.TempDir()
	out, stop := startServe(t, nil, "--data", dir, "--listen", "127.0.0.1:0")
	banner := out.String()
	m := originRE.FindStringSubmatch(banner)
	if m == nil || !strings.HasPrefix(m[1], "https://127.0.0.1:") {
		t.Fatalf("banner %s", banner)
	}
	if !strings.Contains(banner, "SHA-256 fingerprint: ") || !strings.Contains(banner, m[1]+"/setup?token=") {
		t.Fatalf("banner lacks fingerprint or setup link: %s", banner)
	}
	pem, err := os.ReadFile(filepath.Join(dir, server.SelfSignedCertFile))
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pem)
	c := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}, Timeout: 5 * time.Second}
	resp, err := c.Get(m[1] + "/health")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(body) != `{"status":"ok"}` || resp.Header.Get("Strict-Transport-Security") == "" {
		t.Fatalf("health %q %v", body, resp.Header)
	}
	// TLS 1.1 is refused.
	old := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MaxVersion: tls.VersionTLS11}}, Timeout: 5 * time.Second}
	if _, err := old.Get(m[1] + "/health"); err == nil {
		t.Fatal("TLS 1.1 accepted")
	}
	// Plain HTTP on the TLS port gets nothing useful.
	if resp, err := http.Get(strings.Replace(m[1], "https", "http", 1) + "/health"); err == nil {
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if string(b) == `{"status":"ok"}` {
			t.Fatal("plain HTTP served")
		}
	}
	if code := stop(); code != 0 {
		t.Fatalf("exit %d", code)
	}
	if !strings.Contains(out.String(), "craft serve stopped") {
		t.Fatalf("no clean stop: %s", out.String())
	}
	// The next start reuses the certificate and, with no account yet,
	// prints a new link.
	out2, stop2 := startServe(t, nil, "--data", dir, "--listen", "127.0.0.1:0")
	if strings.Contains(out2.String(), "generated a self-signed") || !strings.Contains(out2.String(), "/setup?token=") {
		t.Fatalf("second start: %s", out2.String())
	}
	stop2()
}

// TestServeInsecureHTTPWarns: plain HTTP only with the flag, and with a
// warning.
func TestServeInsecureHTTPWarns(t *testing.T) {
	out, stop := startServe(t, map[string]string{"CRAFT_DATA": t.TempDir()}, "--listen", "127.0.0.1:0", "--insecure-http")
	if !strings.Contains(out.String(), "WARNING: --insecure-http") || !strings.Contains(out.String(), "http://127.0.0.1:") {
		t.Fatalf("banner %s", out.String())
	}
	m := originRE.FindStringSubmatch(out.String())
	resp, err := http.Get(m[1] + "/health")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.Header.Get(server.InsecureTransportHeader) != "1" {
		t.Fatalf("no insecure-transport flag: %v", resp.Header)
	}
	stop()
}

// TestServeConfigPrecedence: flags over CRAFT_* over the file over the
// defaults; the default listener is loopback; unknown file keys and
// contradictions are usage errors.
func TestServeConfigPrecedence(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "serve.yaml")
	if err := os.WriteFile(file, []byte("listen: 127.0.0.1:7000\nmetrics_listen: 127.0.0.1:7001\ndata: /from/file\ntrusted_proxies: [10.0.0.1]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	app := &App{Getenv: func(k string) string {
		return map[string]string{"CRAFT_CONFIG": file, "CRAFT_LISTEN": "127.0.0.1:7100"}[k]
	}}
	none := func(string) bool { return false }
	st, err := resolveServe(app, serveSettings{}, "", none)
	if err != nil {
		t.Fatal(err)
	}
	if st.Listen != "127.0.0.1:7100" || st.MetricsListen != "127.0.0.1:7001" || st.Data != "/from/file" || len(st.TrustedProxies) != 1 {
		t.Fatalf("env over file: %+v", st)
	}
	st, err = resolveServe(app, serveSettings{serveFile: serveFile{Listen: "127.0.0.1:7200"}}, "", func(n string) bool { return n == "listen" })
	if err != nil || st.Listen != "127.0.0.1:7200" {
		t.Fatalf("flag over env: %+v %v", st, err)
	}
	bare := &App{Getenv: func(k string) string { return map[string]string{"HOME": dir}[k] }}
	st, err = resolveServe(bare, serveSettings{}, "", none)
	if err != nil || st.Listen != "127.0.0.1:8443" || st.MetricsListen != "" || st.InsecureHTTP {
		t.Fatalf("defaults: %+v %v", st, err)
	}
	if err := os.WriteFile(file, []byte("listne: 0.0.0.0:80\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := resolveServe(app, serveSettings{}, "", none); err == nil {
		t.Fatal("unknown key accepted")
	}
	for _, fl := range []serveSettings{
		{serveFile: serveFile{TLSCert: "c.pem"}},
		{serveFile: serveFile{TLSCert: "c.pem", TLSKey: "k.pem", InsecureHTTP: true}},
		{serveFile: serveFile{Listen: "127.0.0.1:9000", MetricsListen: "127.0.0.1:9000"}},
	} {
		if _, err := resolveServe(bare, fl, "", func(string) bool { return true }); err == nil {
			t.Errorf("accepted %+v", fl)
		}
	}
}

// TestServeWarnsImportWithoutInterval: an import folder with monitoring
// switched off would never be read; the banner says so.
func TestServeWarnsImportWithoutInterval(t *testing.T) {
	out, stop := startServe(t, map[string]string{"CRAFT_DATA": t.TempDir()}, "--listen", "127.0.0.1:0",
		"--advisory-import", t.TempDir(), "--advisory-update-interval", "0")
	defer stop()
	if !strings.Contains(out.String(), "WARNING: --advisory-import is set but --advisory-update-interval is 0") {
		t.Fatalf("banner %s", out.String())
	}
}

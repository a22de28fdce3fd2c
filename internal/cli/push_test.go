package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/pem"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/craft-cra/craft/internal/auth"
	"github.com/craft-cra/craft/internal/server"
	"github.com/craft-cra/craft/internal/store"
	"github.com/craft-cra/craft/internal/store/storetest"
)

const pushFixture = "../server/testdata/sbom/valid-dependency.cdx-1.6.json"

// caFile writes the test server's certificate as a PEM file.
func caFile(t *testing.T, srv *httptest.Server) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "ca.pem")
	b := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// realServer is craft serve's handler on a fresh store behind an
// httptest TLS server with craft serve's self-signed certificate, with a
// product "Router", a contributor and a token of theirs.
func realServer(t *testing.T, st *store.Store) (srv *httptest.Server, st2 *store.Store, productID, token, caPath string) {
	t.Helper()
	srv, productID, _, token, caPath = serverWithToken(t, st, "ci@example.eu", auth.RoleContributor)
	return srv, st, productID, token, caPath
}

// serverWithToken is craft serve's handler on st behind an httptest TLS
// server with craft serve's self-signed certificate (caPath), with a
// product "Router", a user of the given role and membership on it, and an
// API token of theirs scoped to the product.
func serverWithToken(t *testing.T, st *store.Store, email string, role auth.Role) (srv *httptest.Server, productID, userID, token, caPath string) {
	t.Helper()
	ctx := context.Background()
	hasher := &auth.PasswordHasher{Params: auth.Argon2Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}}
	svc, err := server.NewAuth(st, server.AuthOptions{Key: bytes.Repeat([]byte{7}, auth.SealerKeySize), Hasher: hasher})
	if err != nil {
		t.Fatal(err)
	}
	s, err := server.New(server.Deps{Store: st, Auth: svc, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	p, err := st.CreateProduct(ctx, store.Product{Name: "Router"})
	if err != nil {
		t.Fatal(err)
	}
	u, err := auth.NewAccount(hasher, auth.NewUser{Email: email, Password: "violet staple ember 42 orbit", Role: role}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if u, err = svc.Users.CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	if err := st.SetMembership(ctx, store.Membership{UserID: u.ID, ProductID: p.ID, Role: store.Role(role)}); err != nil {
		t.Fatal(err)
	}
	ms, err := svc.Users.ListMemberships(ctx, u.ID, "")
	if err != nil {
		t.Fatal(err)
	}
	nt, err := svc.Tokens.Create(ctx, auth.NewUserPrincipal(u, ms), auth.TokenRequest{Name: "ci", Role: role, Products: []string{p.ID}})
	if err != nil {
		t.Fatal(err)
	}
	// The certificate craft serve makes at its first start: self-signed,
	// not a CA, for 127.0.0.1; --ca-cert takes it as it is.
	cert, err := server.LoadOrCreateSelfSigned(t.TempDir(), nil, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	srv = httptest.NewUnstartedServer(s.Handler())
	srv.TLS = server.TLSConfig(cert.TLS)
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv, p.ID, u.ID, nt.Token, cert.CertPath
}

// TestPushToRealServer: craft push uploads to craft serve's handler over
// TLS with a private CA, by product name and by ID; the server keeps the
// bytes; a bad document fails with the server's problem detail.
func TestPushToRealServer(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		srv, st, pid, token, ca := realServer(t, st)
		env := map[string]string{EnvToken: token}
		// Without --ca-cert the self-signed certificate is refused.
		if _, errOut, code := runCLI(t, env, "push", "--server", srv.URL, "--product", "Router", "--version", "1.2.3", pushFixture); code != ExitFindings || !strings.Contains(errOut, "--ca-cert") {
			t.Fatalf("unverified: %d %q", code, errOut)
		}
		out, errOut, code := runCLI(t, env, "push", "--server", srv.URL, "--product", "Router", "--version", "1.2.3",
			"--released-on", "2026-11-30", "--ca-cert", ca, pushFixture)
		if code != 0 || !strings.Contains(out, "created release 1.2.3 of product Router (cyclonedx-json 1.6, 3 components") {
			t.Fatalf("push: %d %q %q", code, out, errOut)
		}
		info, data, err := st.GetReleaseSBOM(context.Background(), pid, "1.2.3")
		want, _ := os.ReadFile(pushFixture)
		if err != nil || !bytes.Equal(data, want) || info.ContentType != "application/vnd.cyclonedx+json" || info.UploadedBy == "" {
			t.Fatalf("stored %+v (%v)", info, err)
		}
		out, _, code = runCLI(t, env, "push", "--server", srv.URL+"/", "--product", pid, "--version", "1.2.3", "--ca-cert", ca, pushFixture)
		if code != 0 || !strings.Contains(out, "replaced the SBOM of release 1.2.3") {
			t.Fatalf("second push: %d %q", code, out)
		}
		// A document the server refuses: the problem detail is shown, and
		// the exit code is 2.
		bad := filepath.Join(t.TempDir(), "bad.json")
		if err := os.WriteFile(bad, []byte(`{"bomFormat":"CycloneDX","specVersion":"1.2","version":1}`), 0o600); err != nil {
			t.Fatal(err)
		}
		_, errOut, code = runCLI(t, env, "push", "--server", srv.URL, "--product", pid, "--version", "2.0", "--ca-cert", ca, bad)
		if code != ExitUsage || !strings.Contains(errOut, "422") || !strings.Contains(errOut, "CycloneDX 1.2 is not accepted") {
			t.Fatalf("bad document: %d %q", code, errOut)
		}
		if _, err := st.GetRelease(context.Background(), pid, "2.0"); err == nil {
			t.Fatal("a refused push created a release")
		}
		// A wrong token.
		_, errOut, code = runCLI(t, map[string]string{EnvToken: "craft_pat_" + strings.Repeat("A", 49)}, "push", "--server", srv.URL,
			"--product", pid, "--version", "2.0", "--ca-cert", ca, pushFixture)
		if code != ExitUsage || !strings.Contains(errOut, "401") || !strings.Contains(errOut, EnvToken) {
			t.Fatalf("bad token: %d %q", code, errOut)
		}
	})
}

// TestPushTLSAndUsage: the certificate is verified (with a hint at
// --ca-cert), the token only comes from the environment, and bad flags are
// usage errors.
func TestPushTLSAndUsage(t *testing.T) {
	var got struct {
		auth, ct string
		body     []byte
	}
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.Method == "GET" && r.URL.Path == "/api/v1/products":
			w.Header().Set("Content-Type", "application/json")
			// Two pages: the product named is on the second.
			page := map[string]any{"items": []map[string]string{{"id": "p0", "name": "Switch"}}, "next_cursor": "c2"}
			if r.URL.Query().Get("cursor") == "c2" {
				page = map[string]any{"items": []map[string]string{{"id": "p1", "name": "Router"}}}
			}
			_ = json.NewEncoder(w).Encode(page)
		case r.Method == "POST" && r.URL.Path == "/api/v1/products/p1/releases/1.0/sbom":
			got.auth, got.ct = r.Header.Get("Authorization"), r.Header.Get("Content-Type")
			got.body, _ = io.ReadAll(r.Body)
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusCreated)
			_, _ = io.WriteString(w, `{"version":"1.0","support_status":"unknown","sbom":{"format":"spdx-json","spec_version":"SPDX-2.3","sha256":"ab","components":4}}`)
		case r.URL.Path == "/api/v1/products/p1/releases/boom/sbom":
			w.Header().Set("Content-Type", "application/problem+json")
			w.WriteHeader(http.StatusInternalServerError)
			_, _ = io.WriteString(w, `{"type":"about:blank","title":"Internal Server Error","status":500,"request_id":"r1\u001b[2J"}`)
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	env := map[string]string{EnvToken: "secret-token"}
	spdx := "../server/testdata/sbom/SPDXJSONExample-v2.3.spdx.json"

	_, errOut, code := runCLI(t, env, "push", "--server", srv.URL, "--product", "Router", "--version", "1.0", spdx)
	if code != ExitFindings || !strings.Contains(errOut, "unknown authority") || !strings.Contains(errOut, "--ca-cert") {
		t.Fatalf("untrusted certificate: %d %q", code, errOut)
	}
	if got.body != nil {
		t.Fatal("the SBOM was sent to an unverified server")
	}
	ca := caFile(t, srv)
	out, errOut, code := runCLI(t, env, "push", "--server", srv.URL, "--product", "Router", "--version", "1.0", "--ca-cert", ca, spdx)
	want, _ := os.ReadFile(spdx)
	if code != 0 || got.auth != "Bearer secret-token" || got.ct != "application/spdx+json" || !bytes.Equal(got.body, want) ||
		!strings.Contains(out, "4 components") {
		t.Fatalf("push: %d %q %q; sent %q %q %d bytes", code, out, errOut, got.auth, got.ct, len(got.body))
	}
	// A server error exits 1 and shows the request ID, without the
	// escape sequence the server put in it.
	_, errOut, code = runCLI(t, env, "push", "--server", srv.URL, "--product", "p1", "--version", "boom", "--ca-cert", ca, spdx)
	if code != ExitFindings || !strings.Contains(errOut, "500") || strings.Contains(errOut, "\x1b") {
		t.Fatalf("server error: %d %q", code, errOut)
	}

	// http:// to an HTTPS server: Go's server answers 400 in plain text;
	// the CLI says what to change.
	plain := strings.Replace(srv.URL, "https://", "http://", 1)
	_, errOut, code = runCLI(t, env, "push", "--server", plain, "--product", "p1", "--version", "1.0", spdx)
	if code != ExitUsage || !strings.Contains(errOut, "use an https:// URL") {
		t.Errorf("http:// to an HTTPS server: %d %q", code, errOut)
	}

	for name, c := range map[string]struct {
		env  map[string]string
		args []string
		want string
	}{
		"no token":      {map[string]string{}, []string{"--server", srv.URL, "--product", "p1", "--version", "1.0", spdx}, EnvToken},
		"token flag":    {env, []string{"--token", "x", "--server", srv.URL, "--product", "p1", "--version", "1.0", spdx}, "unknown flag"},
		"no server":     {env, []string{"--product", "p1", "--version", "1.0", spdx}, "--server"},
		"no version":    {env, []string{"--server", srv.URL, "--product", "p1", spdx}, "--version"},
		"plain http":    {env, []string{"--server", "http://craft.example.eu", "--product", "p1", "--version", "1.0", spdx}, "https://"},
		"slash version": {env, []string{"--server", srv.URL, "--product", "p1", "--version", "1/0", spdx}, "--version"},
		"missing file":  {env, []string{"--server", srv.URL, "--product", "p1", "--version", "1.0", "nope.json"}, "nope.json"},
		"bad CA file":   {env, []string{"--server", srv.URL, "--product", "p1", "--version", "1.0", "--ca-cert", spdx, spdx}, "no PEM certificate"},
		"bad date":      {env, []string{"--server", srv.URL, "--product", "p1", "--version", "1.0", "--released-on", "May", spdx}, "--released-on"},
		"two files":     {env, []string{"--server", srv.URL, "--product", "p1", "--version", "1.0", spdx, spdx}, "accepts 1 arg"},
	} {
		_, errOut, code := runCLI(t, c.env, append([]string{"push"}, c.args...)...)
		if code != ExitUsage || !strings.Contains(errOut, c.want) {
			t.Errorf("%s: %d %q", name, code, errOut)
		}
	}
}

// TestPushStdin: "-" reads the document from standard input.
func TestPushStdin(t *testing.T) {
	var got []byte
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == "POST" {
			got, _ = io.ReadAll(r.Body)
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, `{"version":"1.0","support_status":"unknown","sbom":{"format":"cyclonedx-json","spec_version":"1.6","sha256":"ab","components":3}}`)
			return
		}
		http.Error(w, "{}", http.StatusForbidden)
	}))
	defer srv.Close()
	want, err := os.ReadFile(pushFixture)
	if err != nil {
		t.Fatal(err)
	}
	run := func(stdin []byte) (string, int) {
		var out, errOut bytes.Buffer
		app := &App{Stdin: bytes.NewReader(stdin), Stdout: &out, Stderr: &errOut,
			Getenv: func(k string) string { return map[string]string{EnvToken: "t"}[k] }, Now: time.Now}
		code := Run(context.Background(), app, []string{"push", "--server", srv.URL, "--product", "p1", "--version", "1.0", "--ca-cert", caFile(t, srv), "-"})
		return out.String() + errOut.String(), code
	}
	if out, code := run(want); code != 0 || !bytes.Equal(got, want) || !strings.Contains(out, "replaced the SBOM of release 1.0") {
		t.Fatalf("stdin: %d %q", code, out)
	}
	if out, code := run(nil); code != ExitUsage || !strings.Contains(out, "standard input is empty") {
		t.Fatalf("empty stdin: %d %q", code, out)
	}
}

func TestSBOMMediaType(t *testing.T) {
	for in, want := range map[string]string{
		"\x1f\x8b\x08":                 "application/gzip",
		"\xef\xbb\xbf  <?xml ?><bom/>": "application/vnd.cyclonedx+xml",
		`{"spdxVersion": "SPDX-2.3"}`:  "application/spdx+json",
		` {"bomFormat": "CycloneDX"}`:  "application/vnd.cyclonedx+json",
		"SPDXVersion: SPDX-2.3\n":      "application/octet-stream",
	} {
		if got := sbomMediaType([]byte(in)); got != want {
			t.Errorf("%q: %s, want %s", in, got, want)
		}
	}
}

// TestScanPush: craft scan --push uploads the scanned inventory as the
// release's CycloneDX SBOM, and refuses to run without what it needs.
func TestScanPush(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		srv, st, pid, token, ca := realServer(t, st)
		env := map[string]string{EnvToken: token, "CRAFT_DB": filepath.Join(t.TempDir(), "none.db")}
		app := filepath.Join("testdata", "e2e", "app")
		out, errOut, code := runCLI(t, env, "scan", app, "--no-checks", "-o", "json="+filepath.Join(t.TempDir(), "r.json"),
			"--push", "--server", srv.URL, "--push-product", "Router", "--ca-cert", ca)
		if code != 0 || !strings.Contains(out, "created release 2.1.0 of product Router (cyclonedx-json 1.6, 7 components") {
			t.Fatalf("scan --push: %d %q %q", code, out, errOut)
		}
		info, data, err := st.GetReleaseSBOM(context.Background(), pid, "2.1.0")
		if err != nil || info.Format != "cyclonedx-json" || !bytes.Contains(data, []byte("pkg:npm/jquery@3.4.1")) {
			t.Fatalf("stored %+v (%v)", info, err)
		}
		// Without a token, and without a server: usage errors, nothing sent.
		if _, errOut, code := runCLI(t, map[string]string{"CRAFT_DB": env["CRAFT_DB"]}, "scan", app, "--no-checks", "-o", "json="+filepath.Join(t.TempDir(), "r.json"),
			"--push", "--server", srv.URL, "--push-product", "Router", "--ca-cert", ca); code != ExitUsage || !strings.Contains(errOut, EnvToken) {
			t.Fatalf("no token: %d %q", code, errOut)
		}
		if _, errOut, code := runCLI(t, env, "scan", app, "--no-checks", "--push", "--push-product", "Router"); code != ExitUsage || !strings.Contains(errOut, "--server") {
			t.Fatalf("no server: %d %q", code, errOut)
		}
	})
}

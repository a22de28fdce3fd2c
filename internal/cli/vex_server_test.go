package cli

import (
	"context"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/craft-cra/craft/internal/auth"
	"github.com/craft-cra/craft/internal/store"
	"github.com/craft-cra/craft/internal/store/storetest"
	"github.com/craft-cra/craft/internal/vex"
)

// triageServer is craft serve's handler behind an httptest TLS server, with
// a product "Router" whose releases 1.0 and 2.0 ship x/net v0.7.0 with one
// finding each, and a security officer's token.
func triageServer(t *testing.T, st *store.Store) (srv *httptest.Server, productID, token, caPath string) {
	t.Helper()
	ctx := context.Background()
	srv, productID, userID, token, caPath := serverWithToken(t, st, "sec@example.eu", auth.RoleSecurityOfficer)
	const purl = "pkg:golang/golang.org/x/net@v0.7.0"
	for _, version := range []string{"1.0", "2.0"} {
		rel, _, err := st.PutReleaseSBOM(ctx, store.SBOMUpload{ProductID: productID, Version: version, Data: []byte("{}"),
			Info:       store.SBOMInfo{ContentType: "application/json", Format: "CycloneDX", SpecVersion: "1.5"},
			Components: []store.ReleaseComponent{{ComponentID: "xnet", Name: "golang.org/x/net", Version: "v0.7.0", Ecosystem: "Go", PURL: purl}}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.ReplaceReleaseFindings(ctx, store.FindingsUpdate{ReleaseID: rel.ID, ProductID: productID, ProductName: "Router",
			Version: version, Findings: []store.Finding{{VulnID: "CVE-2023-44487", ComponentID: "xnet",
				Aliases: []string{"CVE-2023-44487", "GHSA-qppj-fm5r-hxr3"}, ComponentPURL: purl, ComponentName: "golang.org/x/net",
				ComponentVersion: "v0.7.0", Ecosystem: "Go", SeverityLevel: "high", SeverityScore: 75}}}); err != nil {
			t.Fatal(err)
		}
		if version == "1.0" {
			if _, err := st.Triage(ctx, store.TriageRequest{ProductID: productID, ReleaseID: rel.ID, Actor: "user:" + userID,
				Entries: []store.TriageEntry{{VulnID: "CVE-2023-44487", ComponentKey: purl, Status: store.TriageNotAffected,
					Justification: "vulnerable_code_not_in_execute_path", Comment: "no HTTP/2 server"}}}); err != nil {
				t.Fatal(err)
			}
		}
	}
	return srv, productID, token, caPath
}

// TestVEXPullPush: a release's triage state comes down as OpenVEX and
// CycloneDX VEX and goes up into another release, which then has the same
// statuses.
func TestVEXPullPush(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		srv, pid, token, ca := triageServer(t, st)
		env := map[string]string{EnvToken: token}
		flags := []string{"--server", srv.URL, "--product", "Router", "--ca-cert", ca}
		dir := t.TempDir()
		file := filepath.Join(dir, "router-1.0.openvex.json")

		_, errOut, code := runCLI(t, env, append([]string{"vex", "pull", "--version", "1.0", "-o", "openvex=" + file}, flags...)...)
		if code != ExitOK {
			t.Fatalf("pull: %d %s", code, errOut)
		}
		sts, err := vex.ReadFile(file)
		if err != nil || len(sts) != 1 || sts[0].Status != vex.StatusNotAffected || sts[0].Justification != vex.VulnerableCodeNotInExecutePath {
			t.Fatalf("pulled = %+v, %v", sts, err)
		}
		out, errOut, code := runCLI(t, env, append([]string{"vex", "pull", "--version", "1.0", "-o", "cyclonedx-vex"}, flags...)...)
		if code != ExitOK || !strings.Contains(out, `"bomFormat"`) || !strings.Contains(out, "code_not_reachable") {
			t.Fatalf("pull cyclonedx: %d %s %s", code, out, errOut)
		}

		out, errOut, code = runCLI(t, env, append([]string{"vex", "push", "--version", "2.0", file}, flags...)...)
		if code != ExitOK || !strings.Contains(out, "1 findings changed, 0 unchanged, 0 unmatched, 0 skipped") {
			t.Fatalf("push: %d %s %s", code, out, errOut)
		}
		rel, err := st.GetRelease(context.Background(), pid, "2.0")
		if err != nil {
			t.Fatal(err)
		}
		fs, err := st.ListReleaseFindings(context.Background(), rel.ID)
		if err != nil || len(fs) != 1 || fs[0].Status != store.TriageNotAffected {
			t.Fatalf("2.0 findings = %+v, %v", fs, err)
		}

		// Refusals: a broken document, no token, an unknown release.
		bad := filepath.Join(dir, "bad.json")
		if err := os.WriteFile(bad, []byte(`{"@context": "https://openvex.dev/ns/v0.2.0", "statements": [`), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, errOut, code := runCLI(t, env, append([]string{"vex", "push", "--version", "2.0", bad}, flags...)...); code != ExitUsage ||
			!strings.Contains(errOut, "422") {
			t.Errorf("bad push: %d %s", code, errOut)
		}
		if _, errOut, code := runCLI(t, nil, append([]string{"vex", "pull", "--version", "1.0"}, flags...)...); code != ExitUsage ||
			!strings.Contains(errOut, EnvToken) {
			t.Errorf("no token: %d %s", code, errOut)
		}
		if _, errOut, code := runCLI(t, env, append([]string{"vex", "pull", "--version", "9.9"}, flags...)...); code != ExitUsage ||
			!strings.Contains(errOut, "404") {
			t.Errorf("unknown release: %d %s", code, errOut)
		}
		if _, errOut, code := runCLI(t, env, "vex", "push", "--server", srv.URL, "--product", "Router", "--version", "2.0", "--ca-cert", ca,
			filepath.Join(dir, "missing.json")); code != ExitUsage || !strings.Contains(errOut, "missing.json") {
			t.Errorf("missing file: %d %s", code, errOut)
		}
	})
}

// TestVEXPushNeedsTriagePermission: a contributor's token may not merge
// VEX into the triage state; the error names the command and the
// permission it lacks, not craft push's contributor role.
func TestVEXPushNeedsTriagePermission(t *testing.T) {
	st := storetest.SQLite(t)
	srv, _, token, ca := contributorServer(t, st)
	doc := filepath.Join(t.TempDir(), "in.openvex.json")
	if err := os.WriteFile(doc, []byte(`{"@context":"https://openvex.dev/ns/v0.2.0","@id":"https://example.eu/vex-1","author":"a","timestamp":"2026-12-01T00:00:00Z","version":1,"statements":[]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	_, errOut, code := runCLI(t, map[string]string{EnvToken: token}, "vex", "push", "--server", srv.URL, "--product", "Router",
		"--version", "1.0", "--ca-cert", ca, doc)
	if code != ExitUsage || !strings.Contains(errOut, "vex push:") || !strings.Contains(errOut, "finding:triage") ||
		strings.Contains(errOut, "contributor role") {
		t.Errorf("vex push with a contributor token: %d %q", code, errOut)
	}
}

// contributorServer is serverWithToken for a contributor, with release 1.0.
func contributorServer(t *testing.T, st *store.Store) (srv *httptest.Server, productID, token, caPath string) {
	t.Helper()
	srv, productID, _, token, caPath = serverWithToken(t, st, "ci@example.eu", auth.RoleContributor)
	if _, err := st.CreateRelease(context.Background(), store.Release{ProductID: productID, Version: "1.0"}); err != nil {
		t.Fatal(err)
	}
	return srv, productID, token, caPath
}

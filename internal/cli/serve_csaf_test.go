package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestServeCSAFSigningKeyRefused: a signing key craft cannot use stops
// serve at start with a usage error that names the file and never echoes
// the passphrase.
func TestServeCSAFSigningKeyRefused(t *testing.T) {
	dir := t.TempDir()
	key := filepath.Join(dir, "key.asc")
	if err := os.WriteFile(key, []byte("not a key"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ name, path, want string }{
		{"garbage", key, "not an armored OpenPGP key"},
		{"missing", filepath.Join(dir, "nope.asc"), "no such file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, stderr, code := runCLI(t, map[string]string{"CRAFT_ADVISORY_UPDATE_INTERVAL": "0",
				"CRAFT_CSAF_SIGNING_PASSPHRASE": "hunter2-secret"},
				"serve", "--data", filepath.Join(dir, "data"), "--listen", "127.0.0.1:0", "--csaf-signing-key", tc.path)
			if code != ExitUsage || !strings.Contains(stderr, "csaf signing key") || !strings.Contains(stderr, tc.want) {
				t.Errorf("exit %d, stderr %q", code, stderr)
			}
			if strings.Contains(stderr, "hunter2") {
				t.Error("the passphrase is in the error")
			}
		})
	}
}

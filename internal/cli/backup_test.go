package cli

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/craft-cra/craft/internal/store"
)

// newServerData makes a data folder with a populated store, left open as a
// running craft serve would hold it.
func newServerData(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "data")
	s, err := store.Open(ctx, store.ConfigFor(dir, ""))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	u, err := s.CreateUser(ctx, store.User{Email: "admin@example.org", Role: store.RoleAdmin, PasswordHash: "$argon2id$x"})
	if err != nil {
		t.Fatal(err)
	}
	for _, action := range []string{"setup.complete", "login", "role.change"} {
		if _, err := s.AppendAudit(ctx, store.Event{Actor: "user:" + u.ID, Action: action, Target: "user:" + u.ID}); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestBackupRestoreVerifyCLI(t *testing.T) {
	live := newServerData(t)
	out := filepath.Join(t.TempDir(), "craft-backup.db")

	stdout, stderr, code := runCLI(t, nil, "backup", "--data", live, out)
	if code != 0 || !strings.Contains(stdout, "audit chain verified: 3 events") {
		t.Fatalf("backup: code %d\n%s%s", code, stdout, stderr)
	}
	if fi, err := os.Stat(out); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("backup file %v, %v; want mode 0600", fi, err)
	}
	if _, stderr, code := runCLI(t, nil, "backup", "--data", live, out); code != ExitUsage || !strings.Contains(stderr, "exists") {
		t.Errorf("backup over an existing file: code %d, %s", code, stderr)
	}

	fresh := filepath.Join(t.TempDir(), "fresh")
	stdout, stderr, code = runCLI(t, map[string]string{"CRAFT_DATA": fresh}, "restore", out)
	if code != 0 || !strings.Contains(stdout, "restored") {
		t.Fatalf("restore: code %d\n%s%s", code, stdout, stderr)
	}
	if _, stderr, code := runCLI(t, nil, "restore", "--data", fresh, out); code != ExitUsage || !strings.Contains(stderr, "not empty") {
		t.Errorf("restore into a non-empty folder: code %d, %s", code, stderr)
	}
	stdout, _, code = runCLI(t, nil, "restore", "--data", fresh, "--force", out)
	if code != 0 || !strings.Contains(stdout, "before-restore-") {
		t.Errorf("restore --force: code %d, %s", code, stdout)
	}

	stdout, stderr, code = runCLI(t, nil, "audit", "verify", "--data", fresh)
	if code != 0 || !strings.HasPrefix(stdout, "OK: 3 events, chain head at 3, hash ") {
		t.Fatalf("audit verify: code %d\n%s%s", code, stdout, stderr)
	}

	// Edit an event behind craft's back.
	db, err := sql.Open("sqlite", filepath.Join(fresh, store.SQLiteFile))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`UPDATE audit_log SET action = 'login.failed' WHERE seq = 2`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	stdout, _, code = runCLI(t, nil, "audit", "verify", "--data", fresh)
	if code != ExitFindings || !strings.HasPrefix(stdout, "BROKEN at event 2:") {
		t.Errorf("audit verify after tampering: code %d, %s", code, stdout)
	}

	// A broken backup is refused by restore with exit 1 and changes nothing.
	bad := filepath.Join(t.TempDir(), "bad.db")
	if _, _, code := runCLI(t, nil, "backup", "--data", fresh, bad); code != ExitFindings {
		t.Errorf("backup of a broken chain: code %d, want 1", code)
	}
	other := filepath.Join(t.TempDir(), "other")
	if _, stderr, code := runCLI(t, nil, "restore", "--data", other, bad); code != ExitFindings || !strings.Contains(stderr, "audit chain") {
		t.Errorf("restore of a broken backup: code %d, %s", code, stderr)
	}
	if entries, _ := os.ReadDir(other); len(entries) != 0 {
		t.Errorf("refused restore left %d entries", len(entries))
	}
}

func TestBackupPostgresExplainsPgDump(t *testing.T) {
	env := map[string]string{"CRAFT_DATABASE": "postgres://craft:s3cret-pw@db.example/craft"}
	for _, args := range [][]string{{"backup", "out.db"}, {"restore", "in.db"}} {
		_, stderr, code := runCLI(t, env, args...)
		if code != ExitUsage || !strings.Contains(stderr, "pg_dump") {
			t.Errorf("%v: code %d, %s", args, code, stderr)
		}
		if strings.Contains(stderr, "s3cret-pw") {
			t.Errorf("%v: the password is printed: %s", args, stderr)
		}
	}
}

func TestAuditVerifyMissingData(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "none")
	if _, stderr, code := runCLI(t, nil, "audit", "verify", "--data", dir); code != ExitUsage || !strings.Contains(stderr, "none") {
		t.Errorf("verify of a missing folder: code %d, %s", code, stderr)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Error("audit verify created the data folder")
	}
	if _, _, code := runCLI(t, nil, "backup", "--data", dir, filepath.Join(t.TempDir(), "x.db")); code != ExitUsage {
		t.Errorf("backup of a missing folder: code %d", code)
	}
}

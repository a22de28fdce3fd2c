package cli

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/craft-cra/craft/internal/store"
)

func TestAdminCreate(t *testing.T) {
	dir := t.TempDir()
	run := func(stdin string, args ...string) (int, string, string) {
		var out, errb bytes.Buffer
		app := &App{Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errb,
			Getenv: func(string) string { return "" }, Now: func() time.Time { return time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC) }}
		code := Run(context.Background(), app, append([]string{"admin", "create", "--data", dir}, args...))
		return code, out.String(), errb.String()
	}
	tests := []struct {
		name, stdin string
		args        []string
		code        int
		msg         string
	}{
		{"created", "correct horse battery staple\n", []string{"--email", "Root@Example.eu"}, 0, "created administrator"},
		{"same address again", "another good passphrase\n", []string{"--email", "root@example.eu"}, 2, "exists already"},
		{"second administrator is allowed", "another good passphrase\n", []string{"--email", "ops@example.eu"}, 0, "created administrator"},
		{"short password", "short\n", []string{"--email", "a@example.eu"}, 2, "at least 12"},
		{"breached password", "iloveyou1234\n", []string{"--email", "b@example.eu"}, 2, "common or breached"},
		{"no password", "", []string{"--email", "c@example.eu"}, 2, "no password"},
		{"no e-mail", "correct horse battery staple\n", nil, 2, "--email is required"},
		{"password flag does not exist", "", []string{"--email", "d@example.eu", "--password", "x"}, 2, "unknown flag"},
	}
	for _, tc := range tests {
		code, out, errs := run(tc.stdin, tc.args...)
		if code != tc.code || !strings.Contains(out+errs, tc.msg) {
			t.Errorf("%s: exit %d, output %q %q; want %d and %q", tc.name, code, out, errs, tc.code, tc.msg)
		}
	}
	s, err := store.Open(context.Background(), store.Config{Driver: store.DriverSQLite, Path: filepath.Join(dir, store.SQLiteFile)})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	u, err := s.GetUserByEmail(context.Background(), "root@example.eu")
	if err != nil {
		t.Fatal(err)
	}
	if u.Role != store.RoleAdmin || !strings.HasPrefix(u.PasswordHash, "$argon2id$v=19$m=19456,t=2,p=1$") || u.MFAEnabled {
		t.Fatalf("stored %+v", u)
	}
	if n, _ := s.CountUsers(context.Background()); n != 2 {
		t.Fatalf("%d users, want 2", n)
	}
	ev, err := s.ListAudit(context.Background(), store.AuditFilter{Action: "user.create"})
	if err != nil || len(ev) != 2 {
		t.Fatalf("audit events %v %v", ev, err)
	}
	for _, e := range ev {
		for k, v := range e.Detail {
			if strings.Contains(v, "correct horse") || strings.Contains(k, "password") {
				t.Fatal("the audit log holds the password")
			}
		}
	}
}

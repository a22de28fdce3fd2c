package cli

import (
	"context"
	"database/sql"
	"strings"
	"testing"

	"github.com/craft-cra/craft/internal/store"
	"github.com/craft-cra/craft/internal/store/storetest"
)

// TestAuditVerifyPostgres runs craft audit verify --database against a
// PostgreSQL schema: OK, then exit 1 after an event is deleted.
func TestAuditVerifyPostgres(t *testing.T) {
	dsn := storetest.PostgresDSN(t)
	ctx := context.Background()
	s, err := store.Open(ctx, store.Config{Driver: store.DriverPostgres, DSN: dsn})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, a := range []string{"login", "token.create", "logout"} {
		if _, err := s.AppendAudit(ctx, store.Event{Actor: "user:1", Action: a}); err != nil {
			t.Fatal(err)
		}
	}
	stdout, stderr, code := runCLI(t, map[string]string{"CRAFT_DATABASE": dsn}, "audit", "verify")
	if code != 0 || !strings.HasPrefix(stdout, "OK: 3 events") {
		t.Fatalf("verify: code %d\n%s%s", code, stdout, stderr)
	}
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, `DELETE FROM audit_log WHERE seq = 1`); err != nil {
		t.Fatal(err)
	}
	stdout, _, code = runCLI(t, nil, "audit", "verify", "--database", dsn)
	if code != ExitFindings || !strings.HasPrefix(stdout, "BROKEN at event 1:") {
		t.Errorf("verify after deletion: code %d, %s", code, stdout)
	}
}

package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// populate writes at least one row into every table.
func populate(t *testing.T, s *Store) {
	t.Helper()
	ctx := context.Background()
	u := mustUser(t, s, "admin@example.org", RoleAdmin)
	u.MFASecret, u.MFAEnabled = []byte{1, 2, 3, 0}, true
	if _, err := s.UpdateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	v := mustUser(t, s, "viewer@example.org", RoleViewer)
	p, err := s.CreateProduct(ctx, Product{Name: "Widget"})
	if err != nil {
		t.Fatal(err)
	}
	steps := []error{
		s.SetRecoveryCodes(ctx, u.ID, []string{"r1", "r2"}),
		s.SetMembership(ctx, Membership{UserID: v.ID, ProductID: p.ID, Role: RoleViewer}),
		s.CreateSetupToken(ctx, "setup", fixedNow),
		s.SetSetting(ctx, "mfa.required", "admins"),
	}
	_, err = s.CreateSession(ctx, Session{ID: "sess", UserID: u.ID, ExpiresAt: fixedNow, AbsoluteExpiresAt: fixedNow, MFAPassed: true})
	steps = append(steps, err)
	_, err = s.CreateAPIToken(ctx, APIToken{UserID: v.ID, Name: "ci", TokenHash: "th", Role: RoleViewer, Products: []string{p.ID}})
	steps = append(steps, err)
	_, err = s.RecordLoginFailure(ctx, "ip:192.0.2.9", fixedNow, nil)
	steps = append(steps, err)
	_, err = s.AcquireLease(ctx, "job", "me", time.Hour)
	steps = append(steps, err)
	_, _, err = s.PutReleaseSBOM(ctx, SBOMUpload{ProductID: p.ID, Version: "1.0.0", Data: []byte("{}"),
		Info:       SBOMInfo{ContentType: "application/json", Format: "cyclonedx-json"},
		Components: []ReleaseComponent{{ComponentID: "c", Name: "c", Version: "1"}}})
	steps = append(steps, err)
	if rel, _, err := s.PutReleaseSBOM(ctx, SBOMUpload{ProductID: p.ID, Version: "1.0.1", Data: []byte("{}"),
		Info: SBOMInfo{ContentType: "application/json", Format: "cyclonedx-json"}}); err != nil {
		steps = append(steps, err)
	} else {
		_, err = s.ReplaceReleaseFindings(ctx, FindingsUpdate{ReleaseID: rel.ID, ProductID: p.ID, ProductName: p.Name,
			Version: rel.Version, Findings: []Finding{{VulnID: "CVE-2024-0001", ComponentID: "c", ComponentName: "c",
				ComponentVersion: "1", SeverityLevel: "high", SeverityScore: 75, KEVDateAdded: "2025-01-23"}}})
		steps = append(steps, err)
		_, err = s.Triage(ctx, TriageRequest{ProductID: p.ID, ReleaseID: rel.ID, Actor: "user:" + u.ID,
			Entries: []TriageEntry{{VulnID: "CVE-2024-0001", ComponentKey: "/c@1", Status: TriageAffected, ActionStatement: "update", Comment: "c"}}})
		steps = append(steps, err)
	}
	_, err = s.RecordSnapshots(ctx, fixedNow)
	steps = append(steps, err)
	rep, err := s.CreateReport(ctx, Report{ProductID: p.ID, Description: "d"}, "status-hash")
	steps = append(steps, err)
	_, err = s.AddReportMessage(ctx, rep.ID, ReportAuthorReporter, "m")
	steps = append(steps, err)
	n, err := s.AddNotification(ctx, Notification{Kind: "report.new", ProductID: p.ID, Subject: "s", Reference: rep.Reference})
	steps = append(steps, err, populateNotify(ctx, s, u.ID, p.ID, n.ID))
	c, err := s.CreateCase(ctx, Case{ProductID: p.ID, Title: "t", Source: CaseFromReport, ReportID: rep.ID, CreatedBy: "user:" + u.ID}, "created")
	steps = append(steps, err)
	_, err = s.AddCaseSubmission(ctx, c.ID, CaseSubmission{Stage: "vulnerability-early-warning", SubmittedAt: fixedNow,
		Channel: "ENISA SRP", RecordedBy: "user:" + u.ID}, CaseEvent{Actor: "user:" + u.ID, Kind: "submission", Summary: "s"})
	steps = append(steps, err)
	_, err = s.RecordCaseReminder(ctx, c.ID, "vulnerability-early-warning", "50", nil)
	steps = append(steps, err)
	adv, err := s.CreateAdvisory(ctx, Advisory{TrackingID: "CRAFT-ADV-2026-0001", Filename: "craft-adv-2026-0001.json",
		ProductID: p.ID, Category: "csaf_security_advisory", Title: "t", Status: "final", Version: "1", TLP: "WHITE",
		Input: []byte("{}"), Document: []byte("{}")})
	steps = append(steps, err)
	if err == nil {
		_, err = s.PublishAdvisory(ctx, adv, AdvisoryVersion{AdvisoryID: adv.ID, Version: "1", TrackingID: adv.TrackingID,
			Filename: adv.Filename, ProductID: p.ID, Category: adv.Category, Title: "t", TLP: "WHITE",
			Document: []byte("{}"), SHA512: "s", InitialReleaseDate: fixedNow, PublishedAt: fixedNow})
		steps = append(steps, err)
	}
	if err := errors.Join(steps...); err != nil {
		t.Fatal(err)
	}
	appendN(t, s, 5)
}

// dumpTables returns every row of every table as sorted text lines, by
// table name.
func dumpTables(t *testing.T, db *sql.DB) map[string][]string {
	t.Helper()
	ctx := context.Background()
	rows, err := db.QueryContext(ctx, `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`)
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		tables = append(tables, n)
	}
	rows.Close()
	out := map[string][]string{}
	for _, tbl := range tables {
		r, err := db.QueryContext(ctx, `SELECT * FROM `+tbl)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := r.Columns()
		lines := []string{}
		for r.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := r.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			if tbl == "goose_db_version" {
				vals[len(vals)-1] = nil // tstamp: when the migration ran
			}
			lines = append(lines, fmt.Sprintf("%q", vals))
		}
		r.Close()
		slices.Sort(lines)
		out[tbl] = lines
	}
	return out
}

func TestBackupRestoreRoundTrip(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	src := newSQLiteStore(t)
	populate(t, src)
	want := dumpTables(t, src.read)
	for tbl, rows := range want {
		if len(rows) == 0 {
			t.Errorf("populate left table %s empty", tbl)
		}
	}

	out := filepath.Join(t.TempDir(), "backup.db")
	if err := src.BackupSQLite(ctx, out); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(out); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("backup file: %v, %v; want mode 0600", fi, err)
	}
	if err := src.BackupSQLite(ctx, out); !errors.Is(err, ErrConflict) {
		t.Errorf("backup over an existing file: err = %v, want ErrConflict", err)
	}

	dataDir := filepath.Join(t.TempDir(), "restored")
	res, err := RestoreSQLite(ctx, out, dataDir, false, fixedNow)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Audit.OK || res.Audit.Count != 5 || res.Previous != "" {
		t.Errorf("restore result = %+v", res)
	}
	if fi, err := os.Stat(res.Path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("restored file: %v, %v; want mode 0600", fi, err)
	}
	entries, _ := os.ReadDir(dataDir)
	if len(entries) != 1 {
		t.Errorf("data folder after restore holds %d entries, want only %s", len(entries), SQLiteFile)
	}
	dst, err := Open(ctx, ConfigFor(dataDir, ""))
	if err != nil {
		t.Fatal(err)
	}
	defer dst.Close()
	got := dumpTables(t, dst.read)
	for tbl, w := range want {
		if !slices.Equal(w, got[tbl]) {
			t.Errorf("table %s differs after restore:\nwant %v\ngot  %v", tbl, w, got[tbl])
		}
	}
	if len(got) != len(want) {
		t.Errorf("restored %d tables, want %d", len(got), len(want))
	}

	// Restoring again needs --force and keeps the replaced database.
	dst.Close()
	if _, err := RestoreSQLite(ctx, out, dataDir, false, fixedNow); !errors.Is(err, ErrNotEmpty) {
		t.Errorf("restore into a non-empty folder: err = %v, want ErrNotEmpty", err)
	}
	res, err = RestoreSQLite(ctx, out, dataDir, true, fixedNow)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(res.Previous); err != nil {
		t.Errorf("replaced database not kept: %v", err)
	}
}

func TestRestoreRefusesBrokenBackup(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	src := newSQLiteStore(t)
	populate(t, src)
	out := filepath.Join(t.TempDir(), "backup.db")
	if err := src.BackupSQLite(ctx, out); err != nil {
		t.Fatal(err)
	}
	// Tamper with the backup's audit log.
	b, err := Open(ctx, Config{Driver: DriverSQLite, Path: out})
	if err != nil {
		t.Fatal(err)
	}
	rawExec(t, b, `UPDATE audit_log SET actor = 'someone else' WHERE seq = 2`)
	b.Close()

	dataDir := filepath.Join(t.TempDir(), "data")
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		t.Fatal(err)
	}
	if _, err := RestoreSQLite(ctx, out, dataDir, false, fixedNow); !errors.Is(err, ErrAuditBroken) {
		t.Fatalf("restore of a tampered backup: err = %v, want ErrAuditBroken", err)
	}
	if entries, _ := os.ReadDir(dataDir); len(entries) != 0 {
		t.Errorf("a refused restore left %d entries in the data folder", len(entries))
	}
	// Into a folder that does not exist yet: a refused restore does not
	// leave the folder it made behind.
	fresh := filepath.Join(t.TempDir(), "fresh")
	if _, err := RestoreSQLite(ctx, out, fresh, false, fixedNow); !errors.Is(err, ErrAuditBroken) {
		t.Fatalf("restore into a new folder: err = %v, want ErrAuditBroken", err)
	}
	if _, err := os.Stat(fresh); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a refused restore left the folder it created: %v", err)
	}
	junk := filepath.Join(t.TempDir(), "junk.db")
	os.WriteFile(junk, []byte("not a database at all"), 0o600)
	if _, err := RestoreSQLite(ctx, junk, dataDir, false, fixedNow); err == nil {
		t.Error("restored a file that is not SQLite")
	}
}

func TestBackupPostgresUnsupported(t *testing.T) {
	s := newPostgresStore(t)
	if err := s.BackupSQLite(context.Background(), filepath.Join(t.TempDir(), "x")); !errors.Is(err, ErrBackupUnsupported) {
		t.Errorf("err = %v, want ErrBackupUnsupported", err)
	}
}

func TestOpenExisting(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	missing := filepath.Join(t.TempDir(), "none", SQLiteFile)
	if _, err := Open(ctx, Config{Driver: DriverSQLite, Path: missing, Existing: true}); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Existing on a missing file: err = %v, want ErrNotExist", err)
	}
	if _, err := os.Stat(filepath.Dir(missing)); !errors.Is(err, os.ErrNotExist) {
		t.Error("Existing created the data folder")
	}
	other := filepath.Join(t.TempDir(), "other.db")
	db, err := sql.Open("sqlite", other)
	if err != nil {
		t.Fatal(err)
	}
	db.Exec(`CREATE TABLE t (x)`)
	db.Close()
	if _, err := Open(ctx, Config{Driver: DriverSQLite, Path: other, Existing: true}); err == nil {
		t.Error("Existing opened an SQLite file that is not craft's")
	}
}

package advisory

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/craft-cra/craft/internal/advisory/synth"
)

// TestCrashChild is the child side of TestCrashSafety; it does nothing
// unless the parent runs it.
func TestCrashChild(t *testing.T) {
	db, input := os.Getenv("CRAFT_CRASH_DB"), os.Getenv("CRAFT_CRASH_INPUT")
	if db == "" {
		t.Skip("child of TestCrashSafety only")
	}
	ctx := context.Background()
	s, err := Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Println("importing")
	res, err := s.Import(ctx, strings.Split(input, string(os.PathListSeparator)), ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	fmt.Printf("done %d\n", res.Imported+res.Updated)
	s.Close()
}

// TestCrashSafety kills an import with SIGKILL at several points and
// checks that the database afterwards is intact and holds either the state
// before the import or a whole committed unit, never a part of one.
func TestCrashSafety(t *testing.T) {
	if testing.Short() {
		t.Skip("runs child processes")
	}
	dir := t.TempDir()
	// Prior state: 500 records at modified 2018-01-01.
	prior := filepath.Join(dir, "prior.db")
	s, err := Open(context.Background(), prior)
	if err != nil {
		t.Fatal(err)
	}
	var recs []any
	for i := range 500 {
		recs = append(recs, record(fmt.Sprintf("SYN-%d-%07d", 2018+i%8, i), "2000-01-01T00:00:00Z", "npm", "prior"))
	}
	mustImport(t, s, writeJSON(t, filepath.Join(dir, "prior.json"), recs))
	s.Close()
	// The import: two zips (two transactions); the first replaces the 500
	// prior records with newer versions and adds more.
	const perZip = 3000
	zips := []string{filepath.Join(dir, "one.zip"), filepath.Join(dir, "two.zip")}
	for i, z := range zips {
		f, err := os.Create(z)
		if err != nil {
			t.Fatal(err)
		}
		// Seeds differ, IDs overlap only between the prior set and zip one.
		cfg := synth.Config{Records: perZip, Seed: uint64(i + 1)}
		if i == 1 {
			cfg = synth.Config{Records: 2 * perZip, Seed: 2}
		}
		if _, err := synth.WriteZip(f, cfg); err != nil {
			t.Fatal(err)
		}
		f.Close()
	}
	// Both generators yield IDs SYN-<year>-<index>, zip two's a superset of
	// zip one's, which holds the prior IDs: the possible states differ in
	// record count and in whether the prior versions are still there.
	input := strings.Join(zips, string(os.PathListSeparator))

	run := func(t *testing.T, kill time.Duration) (string, time.Duration) {
		db := filepath.Join(t.TempDir(), "a.db")
		copyFile(t, prior, db)
		cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.v")
		cmd.Env = append(os.Environ(), "CRAFT_CRASH_DB="+db, "CRAFT_CRASH_INPUT="+input)
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		r := bufio.NewReader(out)
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				t.Fatalf("child ended before importing: %v", err)
			}
			if strings.HasPrefix(line, "importing") {
				break
			}
		}
		start := time.Now()
		if kill > 0 {
			time.Sleep(kill)
			cmd.Process.Signal(syscall.SIGKILL)
		}
		io.Copy(io.Discard, r)
		cmd.Wait()
		return db, time.Since(start)
	}

	// A full run tells how long the import takes here.
	db, full := run(t, 0)
	if got := state(t, db); got != "both" {
		t.Fatalf("uninterrupted import left state %q", got)
	}
	seen := map[string]bool{}
	for _, frac := range []float64{0.15, 0.5, 0.85} {
		t.Run(fmt.Sprintf("kill_at_%.0f%%", frac*100), func(t *testing.T) {
			db, _ := run(t, time.Duration(float64(full)*frac))
			st := state(t, db)
			seen[st] = true
			t.Logf("killed at %.0f%% of %v: state %s", frac*100, full, st)
		})
	}
	if !seen["prior"] && !seen["one"] {
		t.Logf("no kill landed inside a transaction (import took %v); consistency was still checked", full)
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	data, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, to, data)
	for _, suffix := range []string{"-wal", "-shm"} {
		if data, err := os.ReadFile(from + suffix); err == nil {
			writeFile(t, to+suffix, data)
		}
	}
}

// state opens a database after a crash, checks its integrity and names
// which committed state it holds: "prior", "one" (first zip committed),
// "both"; anything else fails the test.
func state(t *testing.T, db string) string {
	t.Helper()
	ctx := context.Background()
	s, err := Open(ctx, db) // recovers the WAL like any later run would
	if err != nil {
		t.Fatalf("open after crash: %v", err)
	}
	defer s.Close()
	var check string
	if err := s.db.QueryRowContext(ctx, `PRAGMA integrity_check`).Scan(&check); err != nil || check != "ok" {
		t.Fatalf("integrity_check = %q, %v", check, err)
	}
	var records, affected, orphans int
	q := func(query string, dst *int) {
		if err := s.db.QueryRowContext(ctx, query).Scan(dst); err != nil {
			t.Fatal(err)
		}
	}
	q(`SELECT count(*) FROM records`, &records)
	q(`SELECT count(*) FROM affected`, &affected)
	q(`SELECT count(*) FROM affected a LEFT JOIN records r ON r.rid = a.rid WHERE r.rid IS NULL`, &orphans)
	if orphans != 0 {
		t.Errorf("%d index rows point at no record", orphans)
	}
	var stale int
	q(`SELECT count(*) FROM records WHERE origin LIKE '%prior.json'`, &stale)
	switch {
	case records == 500 && stale == 500:
		return "prior"
	case records == 3000 && stale == 0:
		return "one"
	case records == 6000 && stale == 0:
		return "both"
	}
	t.Fatalf("inconsistent state: %d records, %d still from the prior import, %d index rows", records, stale, affected)
	return ""
}

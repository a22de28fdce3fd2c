package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/craft-cra/craft/internal/advisory/synth"
	"github.com/craft-cra/craft/internal/auth"
	"github.com/craft-cra/craft/internal/server"
	"github.com/craft-cra/craft/internal/store"
)

// monitorHolder is the lease holder of every bench run, so that one run
// does not wait for the lease an earlier one took.
const monitorHolder = "bench-portfolio"

// monitorOnce runs craft serve's monitoring job once: import importDir
// into dataDir/advisories.db, then re-match the portfolio.
func monitorOnce(ctx context.Context, st *store.Store, dataDir, importDir string, now time.Time, full bool) (server.MonitorResult, error) {
	key, err := auth.LoadOrCreateKey(filepath.Join(dataDir, auth.SealerKeyFile))
	if err != nil {
		return server.MonitorResult{}, err
	}
	svc, err := server.NewAuth(st, server.AuthOptions{Key: key})
	if err != nil {
		return server.MonitorResult{}, err
	}
	srv, err := server.New(server.Deps{Store: st, Auth: svc, Logger: slog.New(slog.NewTextHandler(os.Stderr,
		&slog.HandlerOptions{Level: slog.LevelWarn})), Now: func() time.Time { return now },
		Config: server.Config{DataDir: dataDir, AdvisoryImportDir: importDir, AdvisoryFullRematch: full}})
	if err != nil {
		return server.MonitorResult{}, err
	}
	return srv.MonitorAdvisories(ctx, monitorHolder)
}

func report(what string, r server.MonitorResult) {
	fmt.Printf("%s (incremental %v): advisory import %v, re-match %v: %d releases re-matched (%d unmatched), %d findings, %d releases rewritten, %d rows written, %d events; peak RSS so far %.0f MiB\n",
		what, r.Incremental, r.Refresh.Round(time.Millisecond), r.Rematch.Round(time.Millisecond), r.Releases, r.Unmatched, r.Findings,
		r.Rewritten, r.Rows, r.Events, peakRSSMB())
}

// measureRematch applies a new advisory update to a generated folder and
// times the monitoring job on it, then times a run with nothing new.
func measureRematch(o options) error {
	ctx := context.Background()
	if _, err := os.Stat(filepath.Join(o.out, "advisories.db")); err != nil {
		return errNoPortfolio
	}
	dsn := o.postgres
	if dsn == "" {
		b, err := os.ReadFile(filepath.Join(o.out, databaseURLFile))
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		dsn = strings.TrimSpace(string(b))
	}
	// Not Config.Existing: like craft serve starting on the folder, the
	// benchmark applies migrations added since the data set was generated.
	cfg := store.ConfigFor(o.out, dsn)
	st, err := store.Open(ctx, cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	engine := "SQLite"
	if dsn != "" {
		engine = "PostgreSQL"
	}

	dir, n, err := writeUpdate(o)
	if err != nil {
		return fmt.Errorf("advisory update: %w", err)
	}
	kev := fmt.Sprintf("KEV catalog of %d%% of the synthetic CVEs", 2*n)
	if o.noKEV {
		kev = "no KEV catalog"
	}
	fmt.Printf("advisory update %d: %d new records for the packages of popularity rank %d on, %s (%s)\n",
		n, o.topUpdate, o.updateFrom, kev, engine)
	now := time.Now()
	t0, cpu0 := time.Now(), cpuTime()
	res, err := monitorOnce(ctx, st, o.out, dir, now, o.full)
	if err != nil {
		return err
	}
	if !res.Ran {
		return errors.New("the monitoring lease is held by another process")
	}
	fmt.Printf("re-match after the update: %v wall, %v CPU\n", time.Since(t0).Round(time.Millisecond),
		(cpuTime() - cpu0).Round(time.Millisecond))
	report("re-match after the update", res)

	empty := filepath.Join(o.out, "import-empty")
	if err := os.MkdirAll(empty, 0o700); err != nil {
		return err
	}
	t1, cpu1 := time.Now(), cpuTime()
	res, err = monitorOnce(ctx, st, o.out, empty, now.Add(time.Minute), o.full)
	if err != nil {
		return err
	}
	fmt.Printf("re-match with nothing new: %v wall, %v CPU\n", time.Since(t1).Round(time.Millisecond),
		(cpuTime() - cpu1).Round(time.Millisecond))
	report("re-match with nothing new", res)
	return nil
}

// writeUpdate writes advisory update number n (one more than the updates
// already in o.out) into o.out/update-<n>: one new record for each of the
// o.topUpdate packages from popularity rank o.updateFrom (0: the most
// popular), affecting every version, and (unless o.noKEV) a KEV catalog
// listing the CVEs of 2n % of the synthetic records, so that every
// update brings new findings and newly KEV-listed ones to most releases.
func writeUpdate(o options) (string, int, error) {
	prev, err := filepath.Glob(filepath.Join(o.out, "update-*"))
	if err != nil {
		return "", 0, err
	}
	n := len(prev) + 1
	dir := filepath.Join(o.out, fmt.Sprintf("update-%d", n))
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", 0, err
	}
	now := time.Now().UTC()
	for k := o.updateFrom; k < o.updateFrom+o.topUpdate; k++ {
		eco := synth.Ecosystem(k)
		rangeType := "ECOSYSTEM"
		if eco == "Go" || eco == "npm" || eco == "crates.io" {
			rangeType = "SEMVER"
		}
		id := fmt.Sprintf("PORTFOLIO-%d-%05d", n, k)
		rec := map[string]any{
			"schema_version": "1.6.0", "id": id, "modified": now.Format(time.RFC3339),
			"published": now.Format(time.RFC3339),
			"aliases":   []string{fmt.Sprintf("CVE-2026-%d", 100000+n*1000+k)},
			"summary":   "synthetic advisory of the portfolio benchmark's update " + fmt.Sprint(n),
			"severity":  []any{map[string]any{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N"}},
			"affected": []any{map[string]any{
				"package": map[string]any{"ecosystem": eco, "name": synth.Name(k)},
				"ranges": []any{map[string]any{"type": rangeType, "events": []any{
					map[string]any{"introduced": "0"}, map[string]any{"fixed": "999.0.0"}}}},
			}},
		}
		b, err := json.Marshal(rec)
		if err != nil {
			return "", 0, err
		}
		if err := os.WriteFile(filepath.Join(dir, id+".json"), b, 0o600); err != nil {
			return "", 0, err
		}
	}
	if o.noKEV {
		return dir, n, nil
	}
	type kevEntry struct {
		CVEID             string `json:"cveID"`
		VendorProject     string `json:"vendorProject"`
		Product           string `json:"product"`
		VulnerabilityName string `json:"vulnerabilityName"`
		DateAdded         string `json:"dateAdded"`
		ShortDescription  string `json:"shortDescription"`
		RequiredAction    string `json:"requiredAction"`
		DueDate           string `json:"dueDate"`
	}
	var entries []kevEntry
	for i := range o.records {
		if i%100 >= 2*n {
			continue
		}
		// synth's aliases: CVE-<2018+i%8>-<10000+i>.
		entries = append(entries, kevEntry{CVEID: fmt.Sprintf("CVE-%d-%d", 2018+i%8, 10000+i),
			VendorProject: "synthetic", Product: "synthetic", VulnerabilityName: "synthetic",
			DateAdded: now.Format(time.DateOnly), ShortDescription: "synthetic", RequiredAction: "update",
			DueDate: now.AddDate(0, 0, 21).Format(time.DateOnly)})
	}
	catalog := map[string]any{
		"title": "CISA Catalog of Known Exploited Vulnerabilities", "catalogVersion": fmt.Sprintf("2099.01.%02d", n),
		"dateReleased": now.Add(time.Duration(n) * time.Second).Format(time.RFC3339), "count": len(entries),
		"vulnerabilities": entries,
	}
	b, err := json.Marshal(catalog)
	if err != nil {
		return "", 0, err
	}
	if err := os.WriteFile(filepath.Join(dir, "known_exploited_vulnerabilities.json"), b, 0o600); err != nil {
		return "", 0, err
	}
	return dir, n, nil
}

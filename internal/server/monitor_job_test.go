package server

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/craft-cra/craft/internal/auth"
	"github.com/craft-cra/craft/internal/store"
	"github.com/craft-cra/craft/internal/store/storetest"
)

// monitorSBOM ships the two components the test advisories affect.
const monitorSBOM = `{"bomFormat": "CycloneDX", "specVersion": "1.5", "version": 1,
 "components": [
  {"type": "library", "bom-ref": "jq", "name": "jquery", "version": "3.4.1", "purl": "pkg:npm/jquery@3.4.1"},
  {"type": "library", "bom-ref": "xnet", "name": "golang.org/x/net", "version": "v0.7.0",
   "purl": "pkg:golang/golang.org/x/net@v0.7.0"}
 ]}`

func copyAdvisory(t *testing.T, dir, name string) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata/advisories", name))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func findingEvents(t *testing.T, st *store.Store) []store.Notification {
	t.Helper()
	ns, err := st.ListPendingNotifications(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var out []store.Notification
	for _, n := range ns {
		if strings.HasPrefix(n.Kind, "finding.") {
			out = append(out, n)
		}
	}
	return out
}

func TestMonitorAdvisories(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		tmp := t.TempDir()
		imp := filepath.Join(tmp, "import")
		if err := os.Mkdir(imp, 0o755); err != nil {
			t.Fatal(err)
		}
		copyAdvisory(t, imp, "GHSA-jpcq-cgw6-v4j6.json")
		copyAdvisory(t, imp, "kev.json")
		e := newEnv(t, st, Config{Limits: RateLimits{Disabled: true},
			AdvisoryDB: filepath.Join(tmp, "advisories.db"), AdvisoryImportDir: imp})
		p, other := e.product("router"), e.product("camera")
		admin := e.session(e.user("root@example.eu", auth.RoleAdministrator))
		viewer := e.user("victor@example.eu", auth.RoleViewer)
		e.member(viewer, p, store.Role(auth.RoleViewer))
		outsider := e.user("olga@example.eu", auth.RoleContributor)
		e.member(outsider, other, store.Role(auth.RoleContributor))
		expectStatus(t, e.do("PATCH", "/api/v1/products/"+p.ID, map[string]any{
			"support_period": map[string]string{"start": "2026-01", "end": "2031-12"}}, withCookie(admin)), http.StatusOK)

		// Ingested before any advisory database exists: no findings yet.
		expectStatus(t, e.do("POST", "/api/v1/products/"+p.ID+"/releases/1.0.0/sbom", []byte(monitorSBOM),
			withCookie(admin), withHeader("Content-Type", "application/vnd.cyclonedx+json")), http.StatusCreated)
		findingsURL := "/api/v1/products/" + p.ID + "/releases/1.0.0/findings"
		if got := decode[findingsJSON](t, e.do("GET", findingsURL, nil, withCookie(admin))); len(got.Items) != 0 {
			t.Fatalf("findings before the first import: %+v", got)
		}

		res, err := e.s.MonitorAdvisories(ctx, "host-a:1")
		if err != nil || !res.Ran || res.Releases != 1 || res.Findings != 1 || res.Events != 2 {
			t.Fatalf("first run = %+v, %v", res, err)
		}
		got := decode[findingsJSON](t, e.do("GET", findingsURL, nil, withCookie(e.session(viewer))))
		if len(got.Items) != 1 {
			t.Fatalf("findings = %+v", got)
		}
		f := got.Items[0]
		if f.ID != "CVE-2020-11023" || f.Component.Name != "jquery" || f.KEVDateAdded != "2025-01-23" ||
			!f.ActivelyExploited || f.Flag != article14Flag || f.Note != article14Flag || f.Case != "" || f.Component.Key != "pkg:npm/jquery@3.4.1" || f.Status != "under_investigation" ||
			f.MinimumFix != "3.5.0" || f.Severity.Level == "" || f.Component.PURL != "pkg:npm/jquery@3.4.1" {
			t.Errorf("finding = %+v", f)
		}
		evs := findingEvents(t, st)
		// Already KEV-listed when first seen: finding.new and finding.kev,
		// so immediate KEV alerts do not wait for the digest of new findings.
		kinds := map[string]string{}
		for _, ev := range evs {
			if ev.ProductID != p.ID {
				t.Errorf("event of another product: %+v", ev)
			}
			kinds[ev.Kind] = ev.Subject
		}
		if len(evs) != 2 || kinds[store.EventFindingNew] != "new finding CVE-2020-11023 in product router release 1.0.0" ||
			kinds[store.EventFindingKEV] != "finding CVE-2020-11023 in product router release 1.0.0 is KEV-listed (actively exploited)" {
			t.Fatalf("events = %+v", evs)
		}

		// Another process meanwhile finds the lease taken.
		if res, err := e.s.MonitorAdvisories(ctx, "host-b:2"); err != nil || res.Ran {
			t.Fatalf("second process ran: %+v, %v", res, err)
		}

		// A new record: one new finding, KEV-listed, so finding.new and
		// finding.kev for it only.
		copyAdvisory(t, imp, "GHSA-qppj-fm5r-hxr3.json")
		e.clock.Advance(cleanupLeaseTTL)
		res, err = e.s.MonitorAdvisories(ctx, "host-a:1")
		if err != nil || !res.Ran || res.Findings != 2 || res.Events != 2 {
			t.Fatalf("run after a new record = %+v, %v", res, err)
		}
		evs = findingEvents(t, st)
		newEv := 0
		for _, ev := range evs {
			if ev.Subject == "new finding CVE-2023-44487 in product router release 1.0.0" {
				newEv++
			}
		}
		if len(evs) != 4 || newEv != 1 {
			t.Fatalf("events after the new record = %+v", evs)
		}
		got = decode[findingsJSON](t, e.do("GET", findingsURL, nil, withCookie(admin)))
		if len(got.Items) != 2 || got.Items[0].ID != "CVE-2023-44487" || got.Items[1].ID != "CVE-2020-11023" {
			t.Fatalf("findings (KEV, oldest first) = %+v", got.Items)
		}
		// first_seen stays; so does last_seen, since the portfolio re-match
		// does not rewrite a finding whose data did not change.
		if jq := got.Items[1]; !jq.FirstSeen.Equal(f.FirstSeen) || !jq.LastSeen.Equal(f.LastSeen) {
			t.Errorf("seen times = %v..%v, before %v..%v", jq.FirstSeen, jq.LastSeen, f.FirstSeen, f.LastSeen)
		}

		// An unchanged re-run queues nothing.
		if res, err := e.s.MonitorAdvisories(ctx, "host-a:1"); err != nil || res.Events != 0 {
			t.Fatalf("unchanged run = %+v, %v", res, err)
		}

		// An upload is matched at once, without the job.
		expectStatus(t, e.do("POST", "/api/v1/products/"+p.ID+"/releases/1.1.0/sbom", []byte(monitorSBOM),
			withCookie(admin), withHeader("Content-Type", "application/vnd.cyclonedx+json")), http.StatusCreated)
		if got := decode[findingsJSON](t, e.do("GET", "/api/v1/products/"+p.ID+"/releases/1.1.0/findings", nil,
			withCookie(admin))); len(got.Items) != 2 {
			t.Fatalf("findings of the uploaded release = %+v", got)
		}
		// Two new findings, both KEV-listed: new + kev each, beside the 4 before.
		if n := len(findingEvents(t, st)); n != 8 {
			t.Errorf("events after the upload = %d, want 8", n)
		}

		// Product isolation: a member of another product sees nothing.
		w := e.do("GET", findingsURL, nil, withCookie(e.session(outsider)))
		if w.Code != http.StatusNotFound && w.Code != http.StatusForbidden {
			t.Errorf("outsider: %d %s", w.Code, w.Body)
		}
		if strings.Contains(w.Body.String(), "CVE-") {
			t.Errorf("outsider sees findings: %s", w.Body)
		}
		expectStatus(t, e.do("GET", "/api/v1/products/"+p.ID+"/releases/9.9/findings", nil, withCookie(admin)), http.StatusNotFound)
	})
}

// A release whose support period has ended is not re-matched; the job
// loop's tick respects the interval.
func TestMonitorSkipsEndedSupport(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		tmp := t.TempDir()
		imp := filepath.Join(tmp, "import")
		if err := os.Mkdir(imp, 0o755); err != nil {
			t.Fatal(err)
		}
		copyAdvisory(t, imp, "GHSA-jpcq-cgw6-v4j6.json")
		e := newEnv(t, st, Config{Limits: RateLimits{Disabled: true}, AdvisoryUpdateInterval: time.Hour,
			AdvisoryDB: filepath.Join(tmp, "advisories.db"), AdvisoryImportDir: imp})
		p := e.product("legacy")
		admin := e.session(e.user("root@example.eu", auth.RoleAdministrator))
		expectStatus(t, e.do("PATCH", "/api/v1/products/"+p.ID, map[string]any{
			"support_period": map[string]string{"start": "2015-01", "end": "2020-12"}},
			withCookie(admin)), http.StatusOK)
		expectStatus(t, e.do("POST", "/api/v1/products/"+p.ID+"/releases/1.0.0/sbom", []byte(monitorSBOM),
			withCookie(admin), withHeader("Content-Type", "application/vnd.cyclonedx+json")), http.StatusCreated)
		var last time.Time
		e.s.monitorTick(ctx, "host-a:1", &last)
		if last.IsZero() {
			t.Fatal("the tick did not run the job")
		}
		ran := last
		e.clock.Advance(10 * time.Minute)
		e.s.monitorTick(ctx, "host-a:1", &last)
		if !last.Equal(ran) {
			t.Error("the tick ran again within the interval")
		}
		got := decode[findingsJSON](t, e.do("GET", "/api/v1/products/"+p.ID+"/releases/1.0.0/findings", nil, withCookie(admin)))
		if got.SupportStatus != supportEnded || len(got.Items) != 0 || len(findingEvents(t, st)) != 0 {
			t.Fatalf("ended release matched: %+v", got)
		}
	})
}

package server

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"github.com/craft-cra/craft/internal/auth"
	"github.com/craft-cra/craft/internal/store"
	"github.com/craft-cra/craft/internal/store/storetest"
)

// BenchmarkVEXRoundTrip: 2,000 findings of a release, half of them
// decided, exported as OpenVEX and imported into another release with the
// same findings, on SQLite.
//
//	go test -run XXX -bench VEXRoundTrip -benchtime 5x ./internal/server
func BenchmarkVEXRoundTrip(b *testing.B) {
	ctx := context.Background()
	e := newEnv(b, storetest.SQLite(b), Config{Limits: RateLimits{Disabled: true}})
	p := e.product("p")
	admin := withCookie(e.session(e.user("root@example.eu", auth.RoleAdministrator)))
	const n = 2000
	comps := make([]store.ReleaseComponent, n)
	fs := make([]store.Finding, n)
	for i := range n {
		purl := fmt.Sprintf("pkg:npm/c%d@1.0.0", i)
		comps[i] = store.ReleaseComponent{ComponentID: fmt.Sprint(i), Name: fmt.Sprintf("c%d", i), Version: "1.0.0", Ecosystem: "npm", PURL: purl}
		fs[i] = store.Finding{VulnID: fmt.Sprintf("CVE-2024-%05d", i), ComponentID: fmt.Sprint(i), Aliases: []string{fmt.Sprintf("GHSA-%05d", i)},
			ComponentPURL: purl, ComponentName: comps[i].Name, ComponentVersion: "1.0.0", Ecosystem: "npm", SeverityLevel: "high"}
	}
	var rels []store.Release
	for _, v := range []string{"1", "2"} {
		rel, _, err := e.st.PutReleaseSBOM(ctx, store.SBOMUpload{ProductID: p.ID, Version: v, Data: []byte("{}"),
			Info: store.SBOMInfo{ContentType: "application/json", Format: "CycloneDX"}, Components: comps})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := e.st.ReplaceReleaseFindings(ctx, store.FindingsUpdate{ReleaseID: rel.ID, ProductID: p.ID, ProductName: "p", Version: v, Findings: fs}); err != nil {
			b.Fatal(err)
		}
		rels = append(rels, rel)
	}
	entries := make([]store.TriageEntry, n/2)
	for i := range entries {
		entries[i] = store.TriageEntry{VulnID: fs[i].VulnID, ComponentKey: fs[i].ComponentPURL, Status: store.TriageFixed, Comment: "bench"}
	}
	if _, err := e.st.Triage(ctx, store.TriageRequest{ProductID: p.ID, ReleaseID: rels[0].ID, Actor: "user:b", Entries: entries}); err != nil {
		b.Fatal(err)
	}
	var doc []byte
	b.Run("export", func(b *testing.B) {
		for b.Loop() {
			w := e.do("GET", "/api/v1/products/"+p.ID+"/releases/1/vex", nil, admin)
			if w.Code != http.StatusOK {
				b.Fatal(w.Code)
			}
			doc = w.Body.Bytes()
		}
		b.ReportMetric(float64(len(doc)), "bytes")
	})
	b.Run("import", func(b *testing.B) {
		for b.Loop() {
			if w := e.do("POST", "/api/v1/products/"+p.ID+"/releases/2/vex", doc, admin, withHeader("Content-Type", "application/json")); w.Code != http.StatusOK {
				b.Fatal(w.Code, w.Body.String())
			}
		}
	})
}

package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sort"
	"syscall"
	"time"

	"github.com/craft-cra/craft/internal/advisory/synth"
	"github.com/craft-cra/craft/internal/auth"
	"github.com/craft-cra/craft/internal/inventory"
	"github.com/craft-cra/craft/internal/sbom"
	"github.com/craft-cra/craft/internal/server"
	"github.com/craft-cra/craft/internal/store"
)

// uploadScenario uploads one CycloneDX SBOM of o.uploadComponents
// components o.uploads times through the real HTTP API (POST
// /api/v1/products/{id}/releases/{version}/sbom, a new release each time,
// one at a time), as craft push or a CI job does, and reports p50/p95/max
// and the peak RSS of the process, which is the server plus this small
// client. With -advisories the server matches each upload against that
// advisory database before it answers, as craft serve does.
func uploadScenario(o options) error {
	in, err := start(o, server.RateLimits{Disabled: true})
	if err != nil {
		return err
	}
	defer in.stop()
	// A contributor, member of one product, signs in and uploads with an
	// API token, as craft push and CI jobs do (creating the product takes
	// an administrator, who must use MFA: the bench creates it directly).
	ctx := context.Background()
	acct, err := auth.NewAccount(auth.NewPasswordHasher(), auth.NewUser{Email: email("uploader"), Password: benchPassword,
		Role: auth.RoleContributor}, time.Now())
	if err != nil {
		return err
	}
	u, err := in.st.CreateUser(ctx, store.User{Email: acct.Email, PasswordHash: acct.PasswordHash, Role: store.Role(acct.Role)})
	if err != nil {
		return err
	}
	prod, err := in.st.CreateProduct(ctx, store.Product{Name: "upload bench " + runID})
	if err != nil {
		return err
	}
	if err := in.st.SetMembership(ctx, store.Membership{UserID: u.ID, ProductID: prod.ID,
		Role: store.Role(auth.RoleContributor)}); err != nil {
		return err
	}
	c := in.client("", 1)
	code, cookie, err := login(c, in.url, email("uploader"), benchPassword)
	if err != nil || cookie == "" {
		return fmt.Errorf("login: %d %v", code, err)
	}
	tok, err := createToken(c, in.url, cookie)
	if err != nil {
		return err
	}
	withToken := func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+tok) }

	doc, err := benchSBOM(o.uploadComponents)
	if err != nil {
		return err
	}
	lat := make([]time.Duration, 0, o.uploads)
	for i := range o.uploads {
		req, _ := http.NewRequest("POST", fmt.Sprintf("%s/api/v1/products/%s/releases/1.0.%d/sbom", in.url, prod.ID, i),
			bytes.NewReader(doc))
		req.Header.Set("Content-Type", "application/vnd.cyclonedx+json")
		withToken(req)
		t0 := time.Now()
		resp, err := c.Do(req)
		if err != nil {
			return err
		}
		msg, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		d := time.Since(t0)
		if resp.StatusCode != http.StatusCreated {
			return fmt.Errorf("upload %d: %d %s", i, resp.StatusCode, msg)
		}
		lat = append(lat, d)
	}
	if len(lat) == 0 {
		return errors.New("no uploads")
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	pct := func(p float64) time.Duration { return lat[min(len(lat)-1, int(p*float64(len(lat))))] }
	db, adv := "sqlite", "no advisory database"
	if o.database != "" {
		db = "postgres"
	}
	if o.advisoryDB != "" {
		adv = "matched against " + o.advisoryDB
	}
	fmt.Printf("upload: %d × %d-component CycloneDX SBOM (%.1f MB) over HTTPS (%s, %s): p50 %s, p95 %s, max %s; process peak RSS %.0f MiB\n",
		len(lat), o.uploadComponents, float64(len(doc))/1e6, db, adv, pct(0.50).Round(time.Millisecond),
		pct(0.95).Round(time.Millisecond), lat[len(lat)-1].Round(time.Millisecond), peakRSSMiB())
	return nil
}

// benchSBOM is a CycloneDX JSON SBOM of n components named after synth's
// packages, so that with the synthetic advisory database some of them
// have findings.
func benchSBOM(n int) ([]byte, error) {
	inv := &inventory.Inventory{Root: "bench", Source: "sbom", Components: make([]inventory.Component, n)}
	for p := range n {
		eco, name := synth.Ecosystem(p), synth.Name(p)
		version := fmt.Sprintf("%d.%d.0", p%5, p%3)
		id := fmt.Sprintf("%s/%s@%s", eco, name, version)
		inv.Components[p] = inventory.Component{ID: id, Name: name, Version: version, Ecosystem: eco}
	}
	var b bytes.Buffer
	if err := sbom.Encode(&b, sbom.CycloneDXJSON, inv, sbom.Metadata{ProductName: "bench",
		ManufacturerEmail: "bench@example.com", Reproducible: true}); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// peakRSSMiB is the process's peak resident set (VmHWM).
func peakRSSMiB() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return float64(ru.Maxrss) / 1024 // Linux reports KiB
}

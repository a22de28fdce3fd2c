package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	mrand "math/rand/v2"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/craft-cra/craft/internal/advisory"
	"github.com/craft-cra/craft/internal/advisory/synth"
	"github.com/craft-cra/craft/internal/inventory"
	"github.com/craft-cra/craft/internal/sbom"
	"github.com/craft-cra/craft/internal/store"
)

// databaseURLFile holds, in a generated folder, the PostgreSQL DSN (with
// the schema's search_path) the portfolio was written to.
const databaseURLFile = "database-url.txt"

// generate writes the advisory database and the portfolio into o.out and
// runs the first match, which stores the findings.
func generate(o options) error {
	ctx := context.Background()
	if _, err := os.Stat(o.out); err == nil {
		return fmt.Errorf("%s exists; pick a new folder", o.out)
	}
	if err := os.MkdirAll(o.out, 0o700); err != nil {
		return err
	}
	dsn := ""
	if o.postgres != "" {
		var err error
		if dsn, err = newSchema(ctx, o.postgres); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(o.out, databaseURLFile), []byte(dsn+"\n"), 0o600); err != nil {
			return err
		}
		fmt.Printf("postgres: portfolio in %s (craft serve --database-url '%s')\n", dsn, dsn)
	}

	t0 := time.Now()
	if err := writeAdvisories(ctx, o); err != nil {
		return fmt.Errorf("advisories: %w", err)
	}
	fmt.Printf("advisories: %d synthetic records for %d packages in %v\n", o.records, o.records/o.perPackage,
		time.Since(t0).Round(time.Millisecond))

	st, err := store.Open(ctx, store.ConfigFor(o.out, dsn))
	if err != nil {
		return err
	}
	defer st.Close()
	t1 := time.Now()
	stats, err := writePortfolio(ctx, st, o)
	if err != nil {
		return fmt.Errorf("portfolio: %w", err)
	}
	fmt.Printf("portfolio: %d products, %d releases, %d component instances (%d distinct (ecosystem, name, version)) in %v\n",
		o.products, o.products*o.releases, stats.instances, len(stats.distinct), time.Since(t1).Round(time.Millisecond))

	// The first match: every finding is new.
	importDir := filepath.Join(o.out, "import-empty")
	if err := os.MkdirAll(importDir, 0o700); err != nil {
		return err
	}
	res, err := monitorOnce(ctx, st, o.out, importDir, time.Now(), true)
	if err != nil {
		return err
	}
	report("first match", res)
	fmt.Printf("serve it: craft serve --data %s", o.out)
	if dsn != "" {
		fmt.Printf(" --database-url '%s'", dsn)
	}
	fmt.Println()
	return nil
}

// newSchema creates the schema craft_portfolio_<random> in the database
// of dsn and returns dsn with a search_path that selects it, so that runs
// never mix and the data stays for craft serve.
func newSchema(ctx context.Context, dsn string) (string, error) {
	var b [4]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	schema := "craft_portfolio_" + hex.EncodeToString(b[:])
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return "", fmt.Errorf("postgres: %w", err)
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, `CREATE SCHEMA `+schema); err != nil {
		return "", fmt.Errorf("postgres: create schema: %w", err)
	}
	if !strings.Contains(dsn, "://") {
		return dsn + " search_path=" + schema, nil
	}
	u, err := url.Parse(dsn)
	if err != nil {
		return "", fmt.Errorf("postgres: %w", err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// writeAdvisories imports synth's records into o.out/advisories.db, by
// way of a temporary osv.dev-style zip.
func writeAdvisories(ctx context.Context, o options) error {
	zipPath := filepath.Join(o.out, "advisories-all.zip")
	f, err := os.Create(zipPath)
	if err != nil {
		return err
	}
	defer os.Remove(zipPath)
	if _, err := synth.WriteZip(f, synth.Config{Records: o.records, RecordsPerPackage: o.perPackage, Seed: 1}); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	db, err := advisory.Open(ctx, filepath.Join(o.out, "advisories.db"))
	if err != nil {
		return err
	}
	defer db.Close()
	res, err := db.Import(ctx, []string{zipPath}, advisory.ImportOptions{})
	if err != nil {
		return err
	}
	if len(res.Rejected) > 0 || len(res.Failed) > 0 {
		return fmt.Errorf("import: %d rejected, %d failed", len(res.Rejected), len(res.Failed))
	}
	return nil
}

// genComponent is a component of a generated release: a synth package
// number and a version.
type genComponent struct {
	pkg          int
	major, minor int
}

type portfolioStats struct {
	instances int
	distinct  map[string]bool
}

// writePortfolio stores the products and their releases. Each product
// draws o.popular of its components from the shared pool (popular
// packages more often, so the most popular are in nearly every product)
// and the rest from packages of its own; each release upgrades 1-o.overlap
// of the previous release's components to the next minor version.
func writePortfolio(ctx context.Context, st *store.Store, o options) (portfolioStats, error) {
	stats := portfolioStats{distinct: map[string]bool{}}
	for p := range o.products {
		rng := mrand.New(mrand.NewPCG(uint64(p)+1, 0x5eed))
		prod, err := st.CreateProduct(ctx, store.Product{Name: fmt.Sprintf("product-%03d", p)})
		if err != nil {
			return stats, err
		}
		comps := productComponents(rng, p, o)
		for r := range o.releases {
			if r > 0 {
				for i := range comps {
					if rng.Float64() >= o.overlap {
						comps[i].minor++
					}
				}
			}
			rcs := make([]store.ReleaseComponent, len(comps))
			inv := &inventory.Inventory{Root: prod.Name, Source: "sbom", Components: make([]inventory.Component, len(comps))}
			for i, c := range comps {
				eco, name, version := synth.Ecosystem(c.pkg), synth.Name(c.pkg), fmt.Sprintf("%d.%d.0", c.major, c.minor)
				purl := purlOf(eco, name, version)
				rcs[i] = store.ReleaseComponent{ComponentID: purl, Name: name, Version: version, Ecosystem: eco,
					PURL: purl, Relationship: "direct"}
				inv.Components[i] = inventory.Component{ID: purl, Name: name, Version: version, Ecosystem: eco,
					PURL: purl, Relationship: inventory.Relationship("direct")}
				stats.distinct[eco+"\x00"+name+"\x00"+version] = true
			}
			stats.instances += len(rcs)
			version := fmt.Sprintf("%d.%d.0", 1+r/10, r%10)
			var doc bytes.Buffer
			if err := sbom.Encode(&doc, sbom.CycloneDXJSON, inv, sbom.Metadata{ProductName: prod.Name,
				ProductVersion: version, ManufacturerEmail: "bench@example.com", Reproducible: true}); err != nil {
				return stats, err
			}
			if _, _, err := st.PutReleaseSBOM(ctx, store.SBOMUpload{ProductID: prod.ID, Version: version,
				Info: store.SBOMInfo{ContentType: "application/vnd.cyclonedx+json", Format: string(sbom.CycloneDXJSON),
					SpecVersion: "1.6", UploadedBy: "bench/portfolio"},
				Data: doc.Bytes(), Components: rcs}); err != nil {
				return stats, err
			}
		}
	}
	return stats, nil
}

// productComponents is the first release's components of product p.
func productComponents(rng *mrand.Rand, p int, o options) []genComponent {
	popular := int(math.Round(float64(o.components) * o.popular))
	popular = min(popular, o.pool)
	seen := make(map[int]bool, o.components)
	out := make([]genComponent, 0, o.components)
	for len(out) < popular {
		// u^2 favours low package numbers: the popular end of the pool.
		u := rng.Float64()
		pkg := int(u * u * float64(o.pool))
		if seen[pkg] {
			continue
		}
		seen[pkg] = true
		// Products mostly agree on a popular package's version.
		out = append(out, genComponent{pkg: pkg, major: pkg % 5, minor: (pkg + p%2) % 3})
	}
	for k := 0; len(out) < o.components; k++ {
		// The product's own packages: numbers past the pool, which no
		// advisory names.
		pkg := o.pool + p*o.components + k
		out = append(out, genComponent{pkg: pkg, major: pkg % 5})
	}
	return out
}

// purlOf is the package URL of a synth package.
func purlOf(eco, name, version string) string {
	typ := map[string]string{"Go": "golang", "npm": "npm", "PyPI": "pypi", "Maven": "maven", "crates.io": "cargo",
		"RubyGems": "gem", "NuGet": "nuget", "Packagist": "composer"}[eco]
	if typ == "maven" {
		if g, a, ok := strings.Cut(name, ":"); ok {
			return fmt.Sprintf("pkg:maven/%s/%s@%s", g, a, version)
		}
	}
	return fmt.Sprintf("pkg:%s/%s@%s", typ, name, version)
}

var errNoPortfolio = errors.New("no generated portfolio here: run without -rematch first")

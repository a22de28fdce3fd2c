// Package scan runs craft's pipeline on one target: inventory (a source
// tree or an SBOM), vulnerability matching with KEV and end-of-life data,
// VEX, repository checks, and the CRA assessment. It returns one
// report.Report; the CLI renders it and the server stores it. It holds no
// stage logic of its own, only the order of the stages and the evidence
// each one hands to the assessment.
package scan

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"time"

	"github.com/craft-cra/craft/internal/advisory"
	"github.com/craft-cra/craft/internal/assess"
	"github.com/craft-cra/craft/internal/catalog"
	"github.com/craft-cra/craft/internal/checks"
	"github.com/craft-cra/craft/internal/config"
	"github.com/craft-cra/craft/internal/inventory"
	"github.com/craft-cra/craft/internal/match"
	"github.com/craft-cra/craft/internal/report"
	"github.com/craft-cra/craft/internal/sbom"
	"github.com/craft-cra/craft/internal/vex"
)

// Evidence sources that are stages rather than checks; the catalog names
// them as contributing checks of the requirements they evidence.
const (
	EvidenceSBOM  = catalog.CheckSBOMGenerated // AI-P2-1
	EvidenceVulns = catalog.CheckVulnKnown     // AI-P1-2a, AI-P2-2
)

// DefaultMaxDBAge is how old advisory data may be before a report warns:
// the CRA expects continuous monitoring, and osv.dev publishes daily.
const DefaultMaxDBAge = 24 * time.Hour

// Options says what to scan and how.
type Options struct {
	// Dir is the source tree; SBOMPath an SBOM file. Exactly one is set.
	Dir      string
	SBOMPath string
	// Config is craft.yaml of the product, already merged with flags.
	Config  config.Config
	Exclude []string
	// DBPath is the advisory database. A missing database is not an
	// error: vulnerabilities are then reported as not checked.
	DBPath   string
	MaxDBAge time.Duration
	// VEXPaths are VEX documents (OpenVEX, CycloneDX VEX) to apply.
	VEXPaths []string
	// NoChecks leaves out the repository checks.
	NoChecks bool
	// Checks selects checks (--only / --skip).
	Only, Skip []string
	Now        time.Time
	Tool       report.Tool
	Progress   func(path string)
}

// Run scans and assesses one target.
func Run(ctx context.Context, opts Options) (*report.Report, error) {
	if (opts.Dir == "") == (opts.SBOMPath == "") {
		return nil, errors.New("scan: give either a directory or an SBOM file")
	}
	if opts.Now.IsZero() {
		opts.Now = time.Now()
	}
	if opts.MaxDBAge == 0 {
		opts.MaxDBAge = DefaultMaxDBAge
	}
	rep := &report.Report{
		SchemaVersion: report.SchemaVersion,
		Tool:          opts.Tool,
		GeneratedAt:   opts.Now.UTC(),
		Product:       opts.Config.Product,
		Manufacturer:  opts.Config.Manufacturer,
		Warnings:      []string{},
	}

	// VEX files are read first so that a bad one is an error whether or
	// not there is an advisory database to apply it to.
	stmts, err := vex.ReadFiles(opts.VEXPaths...)
	if err != nil {
		return nil, err
	}

	inv, err := readInventory(ctx, &opts, rep)
	if err != nil {
		return nil, err
	}
	rep.Inventory = report.NewInventory(inv)
	if n := len(inv.Skipped); n > 0 {
		rep.Warnings = append(rep.Warnings, fmt.Sprintf("%d inputs could not be read and were skipped; the inventory may be incomplete (see Skipped inputs)", n))
	}

	var evidence []assess.Evidence
	evidence = append(evidence, inventoryEvidence(inv)...)

	vulns, err := matchVulnerabilities(ctx, &opts, inv, stmts, rep)
	if err != nil {
		return nil, err
	}
	rep.Vulnerabilities = vulns
	evidence = append(evidence, vulnerabilityEvidence(vulns)...)

	cat, registry, err := Catalog()
	if err != nil {
		return nil, err
	}
	if opts.Dir != "" && !opts.NoChecks {
		chk, err := checks.RunChecks(ctx, registry, opts.Dir, opts.Config, checks.Options{Only: opts.Only, Skip: opts.Skip, Now: opts.Now})
		if err != nil {
			return nil, fmt.Errorf("checks on %s: %w", opts.Dir, err)
		}
		if chk.Checks == nil {
			chk.Checks = []checks.Check{}
		}
		if chk.Results == nil {
			chk.Results = []checks.Result{}
		}
		rep.Checks = chk
		evidence = append(evidence, checkEvidence(chk)...)
	}

	rep.Requirements = assess.Assess(cat, evidence, opts.Config.Requirements)
	return rep, nil
}

// Catalog loads the requirement catalog with every check of the registry
// declared as evidence for the requirements it names, so that reports and
// `craft requirements show` list the same contributing checks.
func Catalog() (*catalog.Catalog, []checks.Check, error) {
	cat, err := catalog.Load()
	if err != nil {
		return nil, nil, fmt.Errorf("load requirement catalog: %w", err)
	}
	registry := checks.Registry()
	cat, err = cat.WithChecks(checksByRequirement(registry))
	if err != nil {
		return nil, nil, fmt.Errorf("requirement catalog: %w", err)
	}
	return cat, registry, nil
}

func readInventory(ctx context.Context, opts *Options, rep *report.Report) (*inventory.Inventory, error) {
	if opts.SBOMPath != "" {
		rep.Target = report.Target{Path: opts.SBOMPath, Kind: "sbom"}
		f, err := os.Open(opts.SBOMPath)
		if err != nil {
			return nil, fmt.Errorf("read SBOM: %w", err)
		}
		defer f.Close()
		inv, err := sbom.Decode(opts.SBOMPath, f)
		if err != nil {
			return nil, err
		}
		return inv, nil
	}
	rep.Target = report.Target{Path: opts.Dir, Kind: "directory"}
	return inventory.Scan(ctx, opts.Dir, inventory.Options{Exclude: opts.Exclude, Progress: opts.Progress})
}

// inventoryEvidence: a component inventory is what Annex I Part II (1)
// asks for; craft can write it as an SBOM.
func inventoryEvidence(inv *inventory.Inventory) []assess.Evidence {
	e := assess.Evidence{Requirement: "AI-P2-1", Source: EvidenceSBOM}
	switch {
	case len(inv.Components) == 0:
		e.Outcome = assess.OutcomeWarn
		e.Detail = "no components were found; if the product has dependencies, craft could not read their manifests"
	case inv.Source == "sbom":
		e.Outcome = assess.OutcomePass
		e.Detail = fmt.Sprintf("the SBOM %s lists %d components", inv.Root, len(inv.Components))
	default:
		e.Outcome = assess.OutcomePass
		e.Detail = fmt.Sprintf("%d components identified from %d files; `craft sbom` writes them as CycloneDX 1.6 or SPDX 2.3", len(inv.Components), len(inv.Files))
	}
	return []assess.Evidence{e}
}

func matchVulnerabilities(ctx context.Context, opts *Options, inv *inventory.Inventory, stmts []vex.Statement, rep *report.Report) (*report.Vulnerabilities, error) {
	if opts.DBPath == "" {
		return nil, nil
	}
	if _, err := os.Stat(opts.DBPath); errors.Is(err, fs.ErrNotExist) {
		rep.Warnings = append(rep.Warnings, fmt.Sprintf("no advisory database at %s: known vulnerabilities were not checked (run `craft db update`, or `craft db import` offline)", opts.DBPath))
		return nil, nil
	}
	store, err := advisory.OpenReadOnly(ctx, opts.DBPath)
	if err != nil {
		return nil, fmt.Errorf("open advisory database: %w", err)
	}
	defer store.Close()

	out := &report.Vulnerabilities{
		Database:   report.Database{Path: opts.DBPath},
		Findings:   []report.Finding{},
		Suppressed: []report.Finding{},
		EndOfLife:  []report.EndOfLife{},
		Notes:      []string{},
	}
	updated, err := store.LastUpdated(ctx)
	if err != nil {
		return nil, fmt.Errorf("advisory database %s: %w", opts.DBPath, err)
	}
	out.Database.UpdatedAt = updated
	if updated.IsZero() || opts.Now.Sub(updated) > opts.MaxDBAge {
		out.Database.Stale = true
		age := "never updated"
		if !updated.IsZero() {
			age = "last updated " + updated.UTC().Format(time.RFC3339)
		}
		rep.Warnings = append(rep.Warnings, fmt.Sprintf("the advisory database is older than %s (%s): run `craft db update`; the CRA expects vulnerabilities to be monitored continuously", opts.MaxDBAge, age))
	}

	res, err := match.Match(ctx, inv, store, match.Options{KEV: KEVAdapter{Store: store}, Now: opts.Now})
	if err != nil {
		return nil, fmt.Errorf("match components against %s: %w", opts.DBPath, err)
	}
	out.Notes = append(out.Notes, res.Notes...)

	decisions := vex.NewIndex(stmts)
	for _, f := range res.Findings {
		rf := report.Finding{Finding: f}
		if d, ok := decisions.Decide(VEXSubject(f, opts.Config)); ok {
			st := d.Statement
			rf.VEX = &report.VEXDecision{
				Status:          string(st.Status),
				Justification:   string(st.Justification),
				ImpactStatement: st.ImpactStatement,
				ActionStatement: st.ActionStatement,
				Source:          st.Source,
			}
			if d.Suppress {
				out.Suppressed = append(out.Suppressed, rf)
				continue
			}
		}
		out.Findings = append(out.Findings, rf)
	}

	eol, err := store.EndOfLife(ctx, inv.Components, opts.Now)
	if err != nil {
		return nil, fmt.Errorf("end-of-life data in %s: %w", opts.DBPath, err)
	}
	for _, e := range eol {
		entry := report.EndOfLife{Component: e.Component.ID, Name: e.Component.Name, Version: e.Component.Version, Product: e.Label, Cycle: e.Cycle}
		switch {
		case e.PastEOL:
			entry.Kind, entry.Date = "end-of-life", e.EOL.Date
		case e.PastSupport:
			entry.Kind, entry.Date = "end-of-support", e.Support.Date
		default:
			continue
		}
		out.EndOfLife = append(out.EndOfLife, entry)
	}
	return out, nil
}

// VEXSubject is what a VEX statement must name to apply to finding f:
// one of its IDs, its component, and optionally the product. The
// finding's own ID comes first so that statements written from it name
// the vulnerability by that ID.
func VEXSubject(f match.Finding, cfg config.Config) vex.Subject {
	ids := []string{f.ID}
	for _, a := range f.Aliases {
		if a != f.ID {
			ids = append(ids, a)
		}
	}
	return vex.Subject{
		VulnIDs:        ids,
		PURL:           f.Component.PURL,
		ComponentID:    f.Component.ID,
		ProductIDs:     productIdentifiers(cfg),
		ProductVersion: cfg.Product.Version,
	}
}

// productIdentifiers are the names under which a VEX document may refer
// to the product as a whole.
func productIdentifiers(cfg config.Config) []string {
	var ids []string
	for _, s := range []string{cfg.Product.PURL, cfg.Product.Name} {
		if s != "" {
			ids = append(ids, s)
		}
	}
	return ids
}

// vulnerabilityEvidence: open known vulnerabilities fail AI-P1-2a (no
// known exploitable vulnerabilities on the market); fixable ones that are
// not fixed fail AI-P2-2 (remediate without delay).
func vulnerabilityEvidence(v *report.Vulnerabilities) []assess.Evidence {
	if v == nil {
		return nil
	}
	p12a := assess.Evidence{Requirement: "AI-P1-2a", Source: EvidenceVulns, Outcome: assess.OutcomePass,
		Detail: "no known vulnerabilities in the components found"}
	p22 := assess.Evidence{Requirement: "AI-P2-2", Source: EvidenceVulns, Outcome: assess.OutcomePass,
		Detail: "no known vulnerability with an available fix is left unfixed"}
	if n := len(v.Findings); n > 0 {
		p12a.Outcome = assess.OutcomeFail
		p12a.Detail = fmt.Sprintf("%d known vulnerabilities not marked not_affected by VEX", n)
		if k := v.KEVCount(); k > 0 {
			p12a.Detail += fmt.Sprintf(", %d of them actively exploited (KEV): Article 14 reporting applies", k)
		}
		fixable := 0
		for _, f := range v.Findings {
			if f.MinimumFix != "" {
				fixable++
			}
		}
		if fixable > 0 {
			p22.Outcome = assess.OutcomeFail
			p22.Detail = fmt.Sprintf("%d known vulnerabilities have a fixed version available", fixable)
		}
	}
	ev := []assess.Evidence{p12a, p22}
	if v.Database.Stale {
		for i := range ev {
			if ev[i].Outcome == assess.OutcomePass {
				ev[i].Outcome = assess.OutcomeWarn
				ev[i].Detail += " (but the advisory database is out of date)"
			}
		}
	}
	return ev
}

func checksByRequirement(registry []checks.Check) map[string][]string {
	out := map[string][]string{}
	for _, c := range registry {
		for _, r := range c.Requirements {
			out[r] = append(out[r], c.ID)
		}
	}
	return out
}

func checkEvidence(rep *checks.Report) []assess.Evidence {
	reqs := map[string][]string{}
	for _, c := range rep.Checks {
		reqs[c.ID] = c.Requirements
	}
	var ev []assess.Evidence
	for _, res := range rep.Results {
		var outcome assess.Outcome
		switch res.Outcome {
		case checks.OutcomePass:
			outcome = assess.OutcomePass
		case checks.OutcomeFail:
			outcome = assess.OutcomeFail
		case checks.OutcomeWarn:
			outcome = assess.OutcomeWarn
		case checks.OutcomeNotApplicable, checks.OutcomeSkipped:
			outcome = assess.OutcomeNotApplicable
		default:
			outcome = assess.OutcomeError
		}
		loc := ""
		if len(res.Locations) > 0 {
			loc = res.Locations[0].Path
			if res.Locations[0].Line > 0 {
				loc += fmt.Sprintf(":%d", res.Locations[0].Line)
			}
		}
		for _, r := range reqs[res.CheckID] {
			ev = append(ev, assess.Evidence{Requirement: r, Source: res.CheckID, Outcome: outcome, Detail: res.Message, Location: loc})
		}
	}
	return ev
}

// KEVAdapter lets the matcher read KEV entries from the advisory store
// (match.KEVSource). craft serve's monitoring uses it too.
type KEVAdapter struct{ Store *advisory.Store }

// KEV implements match.KEVSource.
func (a KEVAdapter) KEV(ctx context.Context, cveIDs []string) (map[string]match.KEV, error) {
	entries, err := a.Store.KEV(ctx, cveIDs)
	if err != nil {
		return nil, err
	}
	out := make(map[string]match.KEV, len(entries))
	for id, e := range entries {
		out[id] = match.KEV{
			CVEID: e.CVEID, VendorProject: e.VendorProject, Product: e.Product,
			VulnerabilityName: e.VulnerabilityName, KnownRansomwareCampaignUse: e.KnownRansomwareCampaignUse,
			DateAdded: e.DateAdded, DueDate: e.DueDate,
		}
	}
	return out, nil
}

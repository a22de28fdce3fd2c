package cli

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"

	"github.com/craft-cra/craft/internal/advisory"
	"github.com/craft-cra/craft/internal/config"
	"github.com/craft-cra/craft/internal/inventory"
	"github.com/craft-cra/craft/internal/match"
	"github.com/craft-cra/craft/internal/report"
	"github.com/craft-cra/craft/internal/sbom"
	"github.com/craft-cra/craft/internal/scan"
)

// scanFormats are the report formats of craft scan.
var scanFormats = []string{"text", "json", "sarif", "markdown", "html"}

type scanFlags struct {
	outputs  []string
	sbomPath string
	exclude  []string
	dbPath   string
	maxAge   time.Duration
	vex      []string
	failOn   string
	strict   bool
	noChecks bool
	only     []string
	skip     []string
	product  productFlags
	push     bool
	pushOpts pushOptions
}

func newScanCmd(app *App) *cobra.Command {
	var f scanFlags
	cmd := &cobra.Command{
		Use:   "scan [DIR]",
		Short: "Scan a source tree or an SBOM: components, vulnerabilities, checks and the CRA requirement table",
		Long: `scan finds the components of a source tree (or reads them from an SBOM with
--sbom), matches them against the advisory database (see craft db), runs the
repository checks, and reports the status of every CRA requirement.

Exit codes: 0 ok; 1 findings at or above --fail-on; 2 usage error or unusable
input; 3 inputs were skipped and --strict was given.`,
		Example: `  craft scan .
  craft scan . -o json=craft-report.json -o text
  craft scan --sbom bom.cdx.json --fail-on high
  craft scan . --vex triage.openvex.json --fail-on kev`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runScan(cmd, app, &f, args)
		},
	}
	fl := cmd.Flags()
	fl.StringArrayVarP(&f.outputs, "output", "o", nil, "report format and optional file, FORMAT[=FILE], repeatable; formats: "+strings.Join(scanFormats, ", "))
	fl.StringVar(&f.sbomPath, "sbom", "", "scan this SBOM (CycloneDX 1.4-1.6 JSON/XML, SPDX 2.3) instead of a directory")
	fl.StringArrayVar(&f.exclude, "exclude", nil, "leave out paths matching this glob (relative to DIR, ** allowed), repeatable")
	fl.StringVar(&f.dbPath, "db", "", "advisory database (default $CRAFT_DB or the user cache dir)")
	fl.DurationVar(&f.maxAge, "max-db-age", scan.DefaultMaxDBAge, "warn when the advisory database is older than this")
	fl.StringArrayVar(&f.vex, "vex", nil, "apply this VEX document (OpenVEX or CycloneDX VEX), repeatable")
	fl.StringVar(&f.failOn, "fail-on", "", "exit 1 on a vulnerability or failed check at or above: critical, high, medium, low, or kev")
	fl.BoolVar(&f.strict, "strict", false, "exit 3 when any input had to be skipped")
	fl.BoolVar(&f.noChecks, "no-checks", false, "do not run the repository checks")
	fl.StringArrayVar(&f.only, "only", nil, "run only this check ID, repeatable")
	fl.StringArrayVar(&f.skip, "skip", nil, "skip this check ID, repeatable")
	f.product.register(cmd)
	fl.BoolVar(&f.push, "push", false, "after the scan, upload the inventory as a CycloneDX SBOM to a craft server (needs --server, --push-product, --push-version and CRAFT_TOKEN)")
	fl.StringVar(&f.pushOpts.server, "server", "", "with --push: the craft server's URL")
	fl.StringVar(&f.pushOpts.product, "push-product", "", "with --push: the product's ID or exact name on the server")
	fl.StringVar(&f.pushOpts.version, "push-version", "", "with --push: the release's version (default: --product-version or craft.yaml's product.version)")
	fl.StringVar(&f.pushOpts.caCert, "ca-cert", "", "with --push: a PEM file of CA certificates to trust in addition to the system's")
	fl.DurationVar(&f.pushOpts.timeout, "push-timeout", 10*time.Minute, "with --push: give up after this long")
	return cmd
}

func runScan(cmd *cobra.Command, app *App, f *scanFlags, args []string) error {
	outputs, err := parseOutputs(f.outputs, scanFormats, "text")
	if err != nil {
		return err
	}
	threshold, err := parseFailOn(f.failOn)
	if err != nil {
		return err
	}
	opts := scan.Options{
		Exclude:  f.exclude,
		MaxDBAge: f.maxAge,
		VEXPaths: f.vex,
		NoChecks: f.noChecks,
		Only:     f.only,
		Skip:     f.skip,
		Now:      app.Now(),
		Tool:     report.Tool{Name: "craft", Version: Version},
	}
	switch {
	case f.sbomPath != "" && len(args) > 0:
		return usageError("give either DIR or --sbom FILE, not both")
	case f.sbomPath != "":
		opts.SBOMPath = f.sbomPath
	default:
		opts.Dir = "."
		if len(args) == 1 {
			opts.Dir = args[0]
		}
		if err := requireDir("scan", opts.Dir); err != nil {
			return err
		}
	}
	cfgDir := opts.Dir
	if cfgDir == "" {
		cfgDir = filepath.Dir(f.sbomPath)
	}
	cfg, err := f.product.load(cfgDir)
	if err != nil {
		return usageError("%v", err)
	}
	opts.Config = cfg
	opts.Exclude = append(opts.Exclude, cfg.Scan.Exclude...)
	if opts.DBPath, err = resolveDBPath(app, f.dbPath); err != nil {
		return err
	}
	if app.StderrIsTerminal {
		bar := progressbar.NewOptions(-1, progressbar.OptionSetWriter(app.Stderr), progressbar.OptionSetDescription("scanning"),
			progressbar.OptionSpinnerType(14), progressbar.OptionClearOnFinish(), progressbar.OptionThrottle(100*time.Millisecond))
		opts.Progress = func(string) { bar.Add(1) }
		defer bar.Finish()
	}

	rep, err := scan.Run(cmd.Context(), opts)
	if err != nil {
		return &ExitError{Code: ExitUsage, Err: err}
	}
	if err := writeOutputs(app, outputs, func(format string, w io.Writer) error {
		switch format {
		case "json":
			return report.JSON(w, rep)
		case "sarif":
			return report.SARIF(w, rep)
		case "markdown":
			return report.Markdown(w, rep)
		case "html":
			return report.HTML(w, rep)
		default:
			return report.Text(w, rep)
		}
	}); err != nil {
		return err
	}
	if f.push {
		if err := pushScan(cmd.Context(), app, f, &opts, rep); err != nil {
			return err
		}
	}
	if failed := failures(rep, threshold); failed != "" {
		return &ExitError{Code: ExitFindings, Err: fmt.Errorf("--fail-on %s: %s", f.failOn, failed)}
	}
	if f.strict && len(rep.Inventory.Skipped) > 0 {
		return &ExitError{Code: ExitIncomplete, Err: fmt.Errorf("--strict: %d inputs were skipped", len(rep.Inventory.Skipped))}
	}
	return nil
}

// failOn is a parsed --fail-on threshold: a severity rank (critical 4 …
// low 1), or kevOnly for actively exploited vulnerabilities only.
type failOn struct {
	rank    int
	kevOnly bool
	set     bool
}

func parseFailOn(s string) (failOn, error) {
	switch strings.ToLower(s) {
	case "":
		return failOn{}, nil
	case "kev":
		return failOn{kevOnly: true, set: true}, nil
	case "critical", "high", "medium", "low":
		return failOn{rank: levelRank(strings.ToLower(s)), set: true}, nil
	}
	return failOn{}, usageError("--fail-on %q: want critical, high, medium, low or kev", s)
}

func levelRank(level string) int {
	switch level {
	case match.LevelCritical:
		return 4
	case match.LevelHigh:
		return 3
	case match.LevelMedium:
		return 2
	case match.LevelLow:
		return 1
	}
	return 0
}

// failures says why the report fails the --fail-on gate, or "". A KEV
// finding fails every threshold: it is the CRA's own red line. A finding
// of unknown severity fails any severity threshold, since "unknown" must
// not be a way through the gate.
func failures(rep *report.Report, t failOn) string {
	if !t.set {
		return ""
	}
	vulns, kev := 0, 0
	if v := rep.Vulnerabilities; v != nil {
		for _, f := range v.Findings {
			switch {
			case f.KEV != nil:
				kev++
				vulns++
			case t.kevOnly:
			case f.Severity.Level == match.LevelUnknown || levelRank(f.Severity.Level) >= t.rank:
				vulns++
			}
		}
	}
	failedChecks := 0
	if c := rep.Checks; c != nil && !t.kevOnly {
		sev := map[string]int{}
		for _, chk := range c.Checks {
			sev[chk.ID] = levelRank(string(chk.Severity))
		}
		for _, r := range c.Results {
			if r.Outcome == "fail" && sev[r.CheckID] >= t.rank {
				failedChecks++
			}
		}
	}
	var parts []string
	if vulns > 0 {
		s := fmt.Sprintf("%d vulnerabilities", vulns)
		if kev > 0 {
			s += fmt.Sprintf(" (%d actively exploited)", kev)
		}
		parts = append(parts, s)
	}
	if failedChecks > 0 {
		parts = append(parts, fmt.Sprintf("%d failed checks", failedChecks))
	}
	return strings.Join(parts, " and ")
}

// resolveDBPath picks the advisory database: --db, then the rule every
// craft db command uses ($CRAFT_DB, then the user cache directory).
func resolveDBPath(app *App, flag string) (string, error) {
	if flag != "" {
		return flag, nil
	}
	return advisory.DefaultPath(app.Getenv)
}

// productFlags identify the product and its manufacturer; they override
// craft.yaml.
type productFlags struct {
	name, version                           string
	manufacturer, manufacturerURL, manuMail string
}

func (p *productFlags) register(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringVar(&p.name, "product-name", "", "product name (overrides craft.yaml)")
	fl.StringVar(&p.version, "product-version", "", "product version (overrides craft.yaml)")
	fl.StringVar(&p.manufacturer, "manufacturer", "", "manufacturer name (overrides craft.yaml)")
	fl.StringVar(&p.manufacturerURL, "manufacturer-url", "", "manufacturer URL (overrides craft.yaml)")
	fl.StringVar(&p.manuMail, "manufacturer-email", "", "manufacturer e-mail (overrides craft.yaml)")
}

// load reads craft.yaml from dir and applies the flags over it.
func (p *productFlags) load(dir string) (config.Config, error) {
	cfg, _, err := config.Load(dir)
	if err != nil {
		return config.Config{}, err
	}
	set := func(dst *string, v string) {
		if v != "" {
			*dst = v
		}
	}
	set(&cfg.Product.Name, p.name)
	set(&cfg.Product.Version, p.version)
	set(&cfg.Manufacturer.Name, p.manufacturer)
	set(&cfg.Manufacturer.URL, p.manufacturerURL)
	set(&cfg.Manufacturer.Email, p.manuMail)
	return cfg, nil
}

// pushScan uploads the scanned inventory as a CycloneDX SBOM, the same
// document craft sbom writes, so CI can keep the server's portfolio current
// in the step that scans. It runs before the --fail-on gate: a release
// with known vulnerabilities is exactly what the server must know about.
func pushScan(ctx context.Context, app *App, f *scanFlags, opts *scan.Options, rep *report.Report) error {
	o := f.pushOpts
	if o.version == "" {
		o.version = opts.Config.Product.Version
	}
	if o.server == "" || o.product == "" || o.version == "" {
		return usageError("--push needs --server, --push-product and a version (--push-version, --product-version or product.version in craft.yaml)")
	}
	base, err := checkPushOptions(o)
	if err != nil {
		return err
	}
	token := strings.TrimSpace(app.Getenv(EnvToken))
	if token == "" {
		return usageError("--push: set %s to an API token of the server (it is never taken as a flag)", EnvToken)
	}
	inv := &inventory.Inventory{
		Root:       rep.Target.Path,
		Source:     rep.Target.Kind,
		Components: rep.Inventory.Components,
		Files:      rep.Inventory.Files,
	}
	var buf bytes.Buffer
	meta := sbomMetadata(opts.Config)
	meta.Timestamp = app.Now()
	if meta.ProductName == "" {
		meta.ProductName = o.product
	}
	if err := sbom.Encode(&buf, sbom.CycloneDXJSON, inv, meta); err != nil {
		return fmt.Errorf("--push: write the SBOM: %w", err)
	}
	return uploadSBOM(ctx, app, o, base, token, "the scanned inventory", &buf, int64(buf.Len()))
}

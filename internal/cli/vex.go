package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/craft-cra/craft/internal/report"
	"github.com/craft-cra/craft/internal/sbom"
	"github.com/craft-cra/craft/internal/scan"
	"github.com/craft-cra/craft/internal/vex"
)

var vexFormats = []string{"openvex", "cyclonedx-vex"}

func newVEXCmd(app *App) *cobra.Command {
	var (
		outputs  []string
		sbomPath string
		exclude  []string
		dbPath   string
		known    []string
		author   string
		product  productFlags
	)
	cmd := &cobra.Command{
		Use:   "vex [DIR]",
		Short: "Write a VEX document for the current findings, to start or continue triage",
		Long: `vex scans DIR (or --sbom FILE), matches the components against the advisory
database, and writes one VEX statement per finding: the status from the VEX
documents given with --vex where one applies, under_investigation otherwise.
Edit the statements (not_affected with a justification, affected with an
action, fixed) and pass the file back to craft scan --vex.

The timestamp is now, or SOURCE_DATE_EPOCH when set, so that a run over the
same input and the same database writes the same bytes.`,
		Example: `  craft vex . -o openvex=triage.openvex.json
  craft vex . --vex triage.openvex.json -o openvex=triage.openvex.json   # keep decisions, add new findings
  craft vex --sbom bom.cdx.json -o cyclonedx-vex=vex.cdx.json`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			specs, err := parseOutputs(outputs, vexFormats, "openvex")
			if err != nil {
				return err
			}
			opts := scan.Options{NoChecks: true, VEXPaths: known, Exclude: exclude, Now: app.Now(), Tool: report.Tool{Name: "craft", Version: Version}}
			cfgDir := "."
			switch {
			case sbomPath != "" && len(args) > 0:
				return usageError("give either DIR or --sbom FILE, not both")
			case sbomPath != "":
				opts.SBOMPath, cfgDir = sbomPath, filepath.Dir(sbomPath)
			default:
				opts.Dir = "."
				if len(args) == 1 {
					opts.Dir = args[0]
				}
				if err := requireDir("vex", opts.Dir); err != nil {
					return err
				}
				cfgDir = opts.Dir
			}
			if opts.Config, err = product.load(cfgDir); err != nil {
				return usageError("%v", err)
			}
			if opts.DBPath, err = resolveDBPath(app, dbPath); err != nil {
				return err
			}
			if _, err := os.Stat(opts.DBPath); err != nil {
				return usageError("no advisory database at %s: run `craft db update` or `craft db import` first", opts.DBPath)
			}
			rep, err := scan.Run(cmd.Context(), opts)
			if err != nil {
				return &ExitError{Code: ExitUsage, Err: err}
			}
			stmts, err := vex.ReadFiles(known...)
			if err != nil {
				return &ExitError{Code: ExitUsage, Err: err}
			}
			var subjects []vex.Subject
			for _, f := range append(rep.Vulnerabilities.Findings, rep.Vulnerabilities.Suppressed...) {
				subjects = append(subjects, scan.VEXSubject(f.Finding, opts.Config))
			}
			ts := app.Now().UTC().Truncate(time.Second)
			if epoch := app.Getenv("SOURCE_DATE_EPOCH"); epoch != "" {
				if ts, err = sbom.SourceDateEpoch(epoch); err != nil {
					return usageError("SOURCE_DATE_EPOCH: %v", err)
				}
			}
			if author == "" {
				author = opts.Config.Manufacturer.Name
			}
			if author == "" {
				return usageError("who makes the statements? give --author or manufacturer.name in craft.yaml")
			}
			doc := vex.Document{
				Author:     author,
				Timestamp:  ts,
				Tooling:    "craft " + Version,
				Namespace:  vexNamespace(opts.Config.Manufacturer.URL),
				Statements: vex.Build(subjects, stmts, ts),
			}
			if len(doc.Statements) == 0 {
				fmt.Fprintln(app.Stderr, "craft vex: no findings, so there is nothing to state; no file written")
				return nil
			}
			err = writeOutputs(app, specs, func(format string, w io.Writer) error {
				if format == "cyclonedx-vex" {
					return vex.WriteCycloneDXVEX(w, doc)
				}
				return vex.WriteOpenVEX(w, doc)
			})
			if errors.Is(err, vex.ErrNoStatements) {
				return nil
			}
			if err == nil {
				fmt.Fprintf(app.Stderr, "craft vex: %d statements\n", len(doc.Statements))
			}
			return err
		},
	}
	fl := cmd.Flags()
	fl.StringArrayVarP(&outputs, "output", "o", nil, "format and optional file, FORMAT[=FILE], repeatable; formats: "+strings.Join(vexFormats, ", "))
	fl.StringVar(&sbomPath, "sbom", "", "take the components from this SBOM instead of a directory")
	fl.StringArrayVar(&exclude, "exclude", nil, "leave out paths matching this glob, repeatable")
	fl.StringVar(&dbPath, "db", "", "advisory database (default $CRAFT_DB or the user cache dir)")
	fl.StringArrayVar(&known, "vex", nil, "earlier VEX documents whose decisions to keep, repeatable")
	fl.StringVar(&author, "author", "", "who makes the statements (default: manufacturer.name from craft.yaml)")
	product.register(cmd)
	// The server side of triage: pull a release's VEX, push one into it.
	// A directory named pull or push is given as ./pull.
	cmd.AddCommand(newVEXPullCmd(app), newVEXPushCmd(app))
	return cmd
}

// vexNamespace is where the document's @id lives: under the manufacturer's
// own web address when known.
func vexNamespace(manufacturerURL string) string {
	u := strings.TrimRight(manufacturerURL, "/")
	if strings.HasPrefix(u, "https://") {
		return u + "/vex"
	}
	return ""
}

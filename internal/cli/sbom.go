package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/craft-cra/craft/internal/config"
	"github.com/craft-cra/craft/internal/inventory"
	"github.com/craft-cra/craft/internal/sbom"
)

type sbomFlags struct {
	outputs      []string
	exclude      []string
	reproducible bool
	product      productFlags
}

func newSBOMCmd(app *App) *cobra.Command {
	var f sbomFlags
	cmd := &cobra.Command{
		Use:   "sbom [DIR]",
		Short: "Write the SBOM of a source tree (CycloneDX 1.6, SPDX 2.3); check an SBOM with 'sbom check'",
		Long: `sbom scans DIR (default ".") for its components and writes a software bill
of materials following BSI TR-03183-2: the manufacturer as SBOM creator, the
product as the root component, components with purl, licences and hashes,
the dependency graph with its completeness, and the SHA-512 of every file
read. Product and manufacturer come from craft.yaml in DIR; flags override.

With --reproducible, or when SOURCE_DATE_EPOCH is set, the same tree gives a
byte-identical SBOM: the timestamp is SOURCE_DATE_EPOCH (or 1970-01-01) and
the serial number / SPDX namespace is derived from the content.

Exit codes: 0 ok; 2 usage error or unusable input.`,
		Example: `  craft sbom .
  craft sbom . -o cyclonedx-json=bom.cdx.json -o spdx-json=bom.spdx.json
  SOURCE_DATE_EPOCH=$(git log -1 --format=%ct) craft sbom . -o cyclonedx-xml=bom.cdx.xml
  craft sbom check bom.cdx.json --min-score 80`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runSBOM(cmd, app, &f, args)
		},
	}
	fl := cmd.Flags()
	fl.StringArrayVarP(&f.outputs, "output", "o", nil, "SBOM format and optional file, FORMAT[=FILE], repeatable; formats: "+strings.Join(sbom.EncodeFormats(), ", "))
	fl.StringArrayVar(&f.exclude, "exclude", nil, "leave out paths matching this glob (relative to DIR, ** allowed), repeatable")
	fl.BoolVar(&f.reproducible, "reproducible", false, "byte-identical output for identical input (timestamp from SOURCE_DATE_EPOCH or 1970-01-01)")
	f.product.register(cmd)
	cmd.AddCommand(newSBOMCheckCmd(app))
	return cmd
}

func runSBOM(cmd *cobra.Command, app *App, f *sbomFlags, args []string) error {
	outputs, err := parseOutputs(f.outputs, sbom.EncodeFormats(), string(sbom.CycloneDXJSON))
	if err != nil {
		return err
	}
	dir := "."
	if len(args) == 1 {
		dir = args[0]
	}
	if fi, err := os.Stat(dir); err != nil {
		return usageError("sbom: %v", err)
	} else if !fi.IsDir() {
		return usageError("sbom: %s is not a directory (to check an SBOM file, run craft sbom check %s)", dir, dir)
	}
	cfg, err := f.product.load(dir)
	if err != nil {
		return usageError("sbom: %v", err)
	}
	meta := sbomMetadata(cfg)
	meta.Reproducible = f.reproducible
	if meta.ProductName == "" {
		abs, err := filepath.Abs(dir)
		if err != nil {
			return usageError("sbom: %v", err)
		}
		meta.ProductName = filepath.Base(abs)
		fmt.Fprintf(app.Stderr, "craft: no product name in --product-name or %s; using the directory name %q\n", "craft.yaml", meta.ProductName)
	}
	if meta.ManufacturerURL == "" && meta.ManufacturerEmail == "" {
		fmt.Fprintln(app.Stderr, "craft: BSI TR-03183-2 wants the SBOM creator's e-mail or URL: set manufacturer.email or manufacturer.url in craft.yaml, or --manufacturer-email/--manufacturer-url")
	}
	if epoch := app.Getenv("SOURCE_DATE_EPOCH"); epoch != "" {
		t, err := sbom.SourceDateEpoch(epoch)
		if err != nil {
			return usageError("sbom: %v", err)
		}
		meta.Timestamp, meta.Reproducible = t, true
	} else if !meta.Reproducible {
		meta.Timestamp = app.Now()
	}

	exclude := append(append([]string(nil), cfg.Scan.Exclude...), f.exclude...)
	inv, err := inventory.Scan(cmd.Context(), dir, inventory.Options{Exclude: exclude})
	if err != nil {
		return &ExitError{Code: ExitUsage, Err: fmt.Errorf("sbom: %w", err)}
	}
	for _, s := range inv.Skipped {
		fmt.Fprintf(app.Stderr, "craft: skipped %s: %s\n", s.Path, s.Reason)
	}
	if len(inv.Components) == 0 {
		fmt.Fprintf(app.Stderr, "craft: no components found in %s\n", dir)
	}
	return writeOutputs(app, outputs, func(format string, w io.Writer) error {
		return sbom.Encode(w, sbom.Format(format), inv, meta)
	})
}

type sbomCheckFlags struct {
	outputs  []string
	minScore int
}

func newSBOMCheckCmd(app *App) *cobra.Command {
	var f sbomCheckFlags
	cmd := &cobra.Command{
		Use:   "check FILE",
		Short: "Validate an SBOM against its schema and report its BSI TR-03183-2 completeness",
		Long: `check validates a CycloneDX (1.4-1.6) or SPDX (2.2, 2.3) JSON SBOM against the
official JSON schema of the version it declares (CycloneDX XML and SPDX
tag-value are checked by decoding them), then reports which BSI TR-03183-2 v2.1 fields are missing, for
the document and for each component, with a summary score from 0 to 100.
Gzipped input is accepted. FILE "-" reads standard input.

Exit codes: 0 schema-valid, whatever the score; 1 the score is below
--min-score; 2 usage error, or the SBOM is schema-invalid or cannot be read
(the problems are listed).`,
		Example: `  craft sbom check bom.cdx.json
  craft sbom check bom.spdx.json -o json=check.json --min-score 70`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runSBOMCheck(app, &f, args[0])
		},
	}
	fl := cmd.Flags()
	fl.StringArrayVarP(&f.outputs, "output", "o", nil, "report format and optional file, FORMAT[=FILE], repeatable; formats: text, json")
	fl.IntVar(&f.minScore, "min-score", 0, "exit 1 when the TR-03183-2 score (0-100) is below this")
	return cmd
}

// sbomCheckResult is the JSON output of craft sbom check.
type sbomCheckResult struct {
	File         string             `json:"file"`
	Valid        bool               `json:"valid"`
	Validation   string             `json:"validation"`
	Problems     []sbom.Problem     `json:"problems"`
	Error        string             `json:"error,omitempty"`
	Completeness *sbom.Completeness `json:"completeness,omitempty"`
	MinScore     int                `json:"minScore,omitempty"`
}

func runSBOMCheck(app *App, f *sbomCheckFlags, file string) error {
	outputs, err := parseOutputs(f.outputs, []string{"text", "json"}, "text")
	if err != nil {
		return err
	}
	if f.minScore < 0 || f.minScore > 100 {
		return usageError("--min-score %d: want 0 to 100", f.minScore)
	}
	var r io.Reader = app.Stdin
	name := file
	if file == "-" {
		name = "stdin"
	} else {
		fh, err := os.Open(file)
		if err != nil {
			return usageError("sbom check: %v", err)
		}
		defer fh.Close()
		r = fh
	}
	// Gzip is unpacked (and bounded) by the sbom package; the raw read is
	// bounded here so that a huge file is refused before it fills memory.
	data, err := io.ReadAll(io.LimitReader(r, sbom.MaxSize+1))
	if err != nil {
		return usageError("sbom check: read %s: %v", name, err)
	}
	if len(data) > sbom.MaxSize {
		return usageError("sbom check: %s: larger than %d bytes", name, sbom.MaxSize)
	}

	res := sbomCheckResult{File: name, Problems: []sbom.Problem{}, MinScore: f.minScore}
	var failure error
	problems, err := sbom.Validate(name, data)
	switch {
	case err != nil:
		res.Error = err.Error()
		failure = &ExitError{Code: ExitUsage, Err: fmt.Errorf("sbom check: %w", err)}
	case len(problems) > 0:
		res.Problems = problems
		failure = &ExitError{Code: ExitUsage, Err: fmt.Errorf("sbom check: %s is not schema-valid: %d problem(s)", name, len(problems))}
	default:
		doc, err := sbom.Parse(name, bytes.NewReader(data))
		if err != nil {
			res.Error = err.Error()
			failure = &ExitError{Code: ExitUsage, Err: fmt.Errorf("sbom check: %w", err)}
			break
		}
		res.Valid = true
		res.Completeness = sbom.Score(doc)
		switch doc.Format {
		case sbom.CycloneDXXML:
			res.Validation = "decoded (CycloneDX XML is checked structurally by decoding, not against the XSD)"
		case sbom.SPDXTagValue:
			res.Validation = "decoded (SPDX tag-value is checked structurally by decoding; there is no schema for it)"
		default:
			res.Validation = "valid against the official JSON schema for " + doc.SpecVersion
		}
		if f.minScore > 0 && res.Completeness.Score < f.minScore {
			failure = &ExitError{Code: ExitFindings, Err: fmt.Errorf("sbom check: %s scores %d, below --min-score %d", name, res.Completeness.Score, f.minScore)}
		}
	}
	if !res.Valid && res.Validation == "" {
		res.Validation = "invalid"
	}
	if err := writeOutputs(app, outputs, func(format string, w io.Writer) error {
		if format == "json" {
			enc := json.NewEncoder(w)
			enc.SetIndent("", "  ")
			return enc.Encode(res)
		}
		return writeSBOMCheckText(w, &res)
	}); err != nil {
		return err
	}
	return failure
}

func writeSBOMCheckText(w io.Writer, res *sbomCheckResult) error {
	var b strings.Builder
	fmt.Fprintf(&b, "SBOM %s\n", res.File)
	switch {
	case res.Error != "":
		fmt.Fprintf(&b, "cannot be checked: %s\n", res.Error)
	case !res.Valid:
		fmt.Fprintf(&b, "schema: invalid, %d problem(s)\n", len(res.Problems))
		for _, p := range res.Problems {
			fmt.Fprintf(&b, "  %s\n", p)
		}
	default:
		c := res.Completeness
		fmt.Fprintf(&b, "format: %s %s\n", c.Format, c.SpecVersion)
		fmt.Fprintf(&b, "schema: %s\n", res.Validation)
		fmt.Fprintf(&b, "BSI TR-03183-2 v2.1 completeness: %d/100\n", c.Score)
		for _, n := range c.Notes {
			fmt.Fprintf(&b, "note: %s\n", n)
		}
		fmt.Fprintf(&b, "document, required: %s\n", fieldList(c.MissingDocument))
		fmt.Fprintf(&b, "document, additional: %s\n", fieldList(c.MissingAdditional))
		fmt.Fprintf(&b, "components: %d\n", len(c.Components))
		if len(c.Components) > 0 {
			fmt.Fprintf(&b, "  %-22s %s\n", "field", "present")
			for _, f := range append(sbom.ComponentRequired(), sbom.ComponentAdditional()...) {
				fmt.Fprintf(&b, "  %-22s %d/%d\n", f, c.Present[f], len(c.Components))
			}
		}
		incomplete := 0
		for _, comp := range c.Components {
			if len(comp.Missing) > 0 {
				incomplete++
			}
		}
		if incomplete > 0 {
			fmt.Fprintf(&b, "components missing required fields: %d\n", incomplete)
			for _, comp := range c.Components {
				if len(comp.Missing) == 0 {
					continue
				}
				label := comp.Name
				if comp.Version != "" {
					label += " " + comp.Version
				}
				if comp.Ref != "" {
					label += " [" + comp.Ref + "]"
				}
				fmt.Fprintf(&b, "  %s: %s\n", label, fieldList(comp.Missing))
			}
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func fieldList(fields []sbom.Field) string {
	if len(fields) == 0 {
		return "complete"
	}
	parts := make([]string, len(fields))
	for i, f := range fields {
		parts[i] = string(f)
	}
	return "missing " + strings.Join(parts, ", ")
}

// sbomMetadata is the SBOM's document metadata from craft.yaml (merged with
// the product flags): product, manufacturer as the SBOM creator, and craft
// as the tool. The caller sets the timestamp rule.
func sbomMetadata(cfg config.Config) sbom.Metadata {
	return sbom.Metadata{
		ProductName:       cfg.Product.Name,
		ProductVersion:    cfg.Product.Version,
		ProductPURL:       cfg.Product.PURL,
		ManufacturerName:  cfg.Manufacturer.Name,
		ManufacturerURL:   cfg.Manufacturer.URL,
		ManufacturerEmail: cfg.Manufacturer.Email,
		ToolName:          "craft",
		ToolVersion:       Version,
	}
}

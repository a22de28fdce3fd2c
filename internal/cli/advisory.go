package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/craft-cra/craft/internal/csaf"
)

func newAdvisoryCmd(app *App) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "advisory",
		Short: "Work with CSAF 2.0 security advisories; check one with 'advisory validate'",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return cmd.Help()
		},
	}
	cmd.AddCommand(newAdvisoryValidateCmd(app))
	return cmd
}

type advisoryValidateFlags struct {
	outputs []string
}

func newAdvisoryValidateCmd(app *App) *cobra.Command {
	var f advisoryValidateFlags
	cmd := &cobra.Command{
		Use:   "validate FILE...",
		Short: "Validate CSAF 2.0 documents: JSON schema and the mandatory tests of section 6.1",
		Long: `validate checks each FILE as a CSAF 2.0 document: against the CSAF 2.0 JSON
schema (with the FIRST CVSS schemas it references, embedded; nothing is
fetched) and with every mandatory test of section 6.1 of the specification
that runs offline. Each failure is printed with the test ID and the JSON path
of the value at fault. FILE "-" reads standard input. Files over 32 MiB are
refused. docs/advisories.md lists the tests.

Exit codes: 0 every document is valid; 1 a document is not valid;
2 usage error or a file that cannot be read.`,
		Example: `  craft advisory validate advisory.json
  craft advisory validate csaf/*.json -o json=validation.json`,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usageError("advisory validate: give one or more CSAF files (- reads standard input)")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			return runAdvisoryValidate(app, &f, args)
		},
	}
	cmd.Flags().StringArrayVarP(&f.outputs, "output", "o", nil, "report format and optional file, FORMAT[=FILE], repeatable; formats: text, json")
	return cmd
}

// advisoryValidation is the JSON output of craft advisory validate.
type advisoryValidation struct {
	Valid     bool               `json:"valid"`
	Documents []advisoryValidDoc `json:"documents"`
}

type advisoryValidDoc struct {
	File     string         `json:"file"`
	Valid    bool           `json:"valid"`
	Category string         `json:"category,omitempty"`
	Failures []csaf.Failure `json:"failures"`
	// Error is set when the file could not be read; then nothing was validated.
	Error string `json:"error,omitempty"`
}

func runAdvisoryValidate(app *App, f *advisoryValidateFlags, files []string) error {
	outputs, err := parseOutputs(f.outputs, []string{"text", "json"}, "text")
	if err != nil {
		return err
	}
	stdin := 0
	for _, file := range files {
		if file == "-" {
			stdin++
		}
	}
	if stdin > 1 {
		return usageError("advisory validate: standard input (-) can be read only once")
	}
	report := advisoryValidation{Valid: true, Documents: []advisoryValidDoc{}}
	var unreadable, invalid []string
	for _, file := range files {
		name := file
		if file == "-" {
			name = "stdin"
		}
		doc := advisoryValidDoc{File: name, Failures: []csaf.Failure{}}
		data, err := readAdvisory(app, file, name)
		if err != nil {
			doc.Error = err.Error()
			unreadable = append(unreadable, name)
		} else {
			r := csaf.Validate(data)
			doc.Valid, doc.Category, doc.Failures = r.Valid(), r.Category, r.Failures
			if !doc.Valid {
				invalid = append(invalid, name)
			}
		}
		report.Valid = report.Valid && doc.Valid
		report.Documents = append(report.Documents, doc)
	}
	if err := writeOutputs(app, outputs, func(format string, w io.Writer) error {
		if format == "json" {
			enc := json.NewEncoder(w)
			enc.SetIndent("", "  ")
			return enc.Encode(report)
		}
		return writeAdvisoryValidationText(w, &report)
	}); err != nil {
		return err
	}
	switch {
	case len(unreadable) > 0:
		return &ExitError{Code: ExitUsage, Err: fmt.Errorf("advisory validate: cannot read %s", strings.Join(unreadable, ", "))}
	case len(invalid) > 0:
		return &ExitError{Code: ExitFindings, Err: fmt.Errorf("advisory validate: %d of %d documents are not valid CSAF 2.0", len(invalid), len(files))}
	}
	return nil
}

// readAdvisory reads one file (or stdin for "-"), refusing more than
// csaf.MaxValidateSize bytes before they fill memory.
func readAdvisory(app *App, file, name string) ([]byte, error) {
	var r io.Reader = app.Stdin
	if file != "-" {
		fh, err := os.Open(file)
		if err != nil {
			return nil, err
		}
		defer fh.Close()
		if fi, err := fh.Stat(); err == nil && fi.IsDir() {
			return nil, fmt.Errorf("%s is a directory; give CSAF files", name)
		}
		r = fh
	}
	data, err := io.ReadAll(io.LimitReader(r, csaf.MaxValidateSize+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	if len(data) > csaf.MaxValidateSize {
		return nil, fmt.Errorf("%s is larger than %d bytes, the most craft validates", name, csaf.MaxValidateSize)
	}
	return data, nil
}

func writeAdvisoryValidationText(w io.Writer, report *advisoryValidation) error {
	var b strings.Builder
	for _, d := range report.Documents {
		category := d.Category
		if category == "" {
			category = "no category"
		}
		switch {
		case d.Error != "":
			fmt.Fprintf(&b, "%s: cannot read: %s\n", d.File, d.Error)
		case d.Valid:
			fmt.Fprintf(&b, "%s: valid CSAF 2.0 (%s)\n", d.File, category)
		default:
			for _, f := range d.Failures {
				fmt.Fprintf(&b, "%s: %s\n", d.File, f)
			}
			noun := "failures"
			if len(d.Failures) == 1 {
				noun = "failure"
			}
			fmt.Fprintf(&b, "%s: not valid CSAF 2.0 (%s): %d %s\n", d.File, category, len(d.Failures), noun)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

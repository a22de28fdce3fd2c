// Package cli wires craft's commands (cobra) to the pipeline packages. It
// holds no scanning logic of its own: each command parses flags, calls the
// stages and writes their results. Run is the whole CLI as a function, so
// tests drive it in-process with their own writers and clock.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/spf13/cobra"
)

// Exit codes, documented in docs/cli.md.
const (
	ExitOK         = 0 // success
	ExitFindings   = 1 // findings at or above --fail-on
	ExitUsage      = 2 // bad flags, arguments or input the command cannot use
	ExitIncomplete = 3 // the scan skipped inputs and --strict was given
)

// ExitError carries an exit code with the error that caused it.
type ExitError struct {
	Code int
	Err  error
}

func (e *ExitError) Error() string { return e.Err.Error() }
func (e *ExitError) Unwrap() error { return e.Err }

// usageError marks err as the user's mistake (exit code 2).
func usageError(format string, args ...any) error {
	return &ExitError{Code: ExitUsage, Err: fmt.Errorf(format, args...)}
}

// App is the environment a command runs in. Tests replace every field.
type App struct {
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	// Getenv reads the environment (CRAFT_DB, SOURCE_DATE_EPOCH, ...).
	Getenv func(string) string
	// Now is the clock; tests fix it for golden output.
	Now func() time.Time
	// StderrIsTerminal turns on progress output.
	StderrIsTerminal bool
}

// OSApp is the App of a real process.
func OSApp() *App {
	return &App{
		Stdin:            os.Stdin,
		Stdout:           os.Stdout,
		Stderr:           os.Stderr,
		Getenv:           os.Getenv,
		Now:              time.Now,
		StderrIsTerminal: isTerminal(os.Stderr),
	}
}

func isTerminal(f *os.File) bool {
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// Run executes craft with args (without the program name) and returns the
// process exit code.
func Run(ctx context.Context, app *App, args []string) int {
	root := newRootCmd(app)
	root.SetArgs(args)
	root.SetIn(app.Stdin)
	root.SetOut(app.Stdout)
	root.SetErr(app.Stderr)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return ExitOK
	}
	fmt.Fprintf(app.Stderr, "craft: %v\n", err)
	var ee *ExitError
	if errors.As(err, &ee) {
		return ee.Code
	}
	return ExitUsage
}

func newRootCmd(app *App) *cobra.Command {
	root := &cobra.Command{
		Use:   "craft",
		Short: "craft helps a software manufacturer meet, and prove it meets, the EU Cyber Resilience Act",
		Long: `craft scans a source tree or an SBOM for its components, known vulnerabilities
and CRA evidence, and ties every result to the CRA requirement it serves.`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error {
		return &ExitError{Code: ExitUsage, Err: err}
	})
	// The explicit list of commands: no init() registration.
	for _, cmd := range commands(app) {
		root.AddCommand(cmd)
	}
	return root
}

// commands lists every top-level command.
func commands(app *App) []*cobra.Command {
	return []*cobra.Command{
		newScanCmd(app),
		newVEXCmd(app),
		newSBOMCmd(app),
		newCheckCmd(app),
		newVersionCmd(app),
		newRequirementsCmd(app),
		newDBCmd(app),
		newBackupCmd(app),
		newRestoreCmd(app),
		newAuditCmd(app),
		newAdminCmd(app),
		newServeCmd(app),
		newPushCmd(app),
		newAdvisoryCmd(app),
	}
}

// Version is set at build time with -ldflags "-X ...cli.Version=v1.2.3".
var Version = "devel"

func newVersionCmd(app *App) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print craft's version",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, err := fmt.Fprintf(app.Stdout, "craft %s\n", Version)
			return err
		},
	}
}

package cli

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/craft-cra/craft/internal/auth"
	"github.com/craft-cra/craft/internal/auth/authstore"
	"github.com/craft-cra/craft/internal/store"
)

// newAdminCmd is `craft admin`: account administration from the shell of
// the machine that holds the data folder.
func newAdminCmd(app *App) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "admin",
		Short: "Administer craft serve's accounts from the command line",
		Args:  cobra.NoArgs,
	}
	cmd.AddCommand(newAdminCreateCmd(app))
	return cmd
}

// newAdminCreateCmd is `craft admin create`: an administrator for a
// scripted install, the alternative to the one-time setup link.
func newAdminCreateCmd(app *App) *cobra.Command {
	var dataFlag, dbFlag, email, name string
	cmd := &cobra.Command{
		Use:   "create --email ADDRESS",
		Short: "Create an administrator account in craft serve's database",
		Long: `create adds an administrator to the database of the data folder (--data, else
$CRAFT_DATA; --database or $CRAFT_DATABASE for PostgreSQL). It is meant for
scripted installs and for regaining access, and works whether or not accounts
exist: whoever can run it can read the data folder anyway.

The password is never a flag (flags end up in shell history and process
lists): it is asked for twice on a terminal, or read as the first line of
standard input:

  printf '%s\n' "$ADMIN_PASSWORD" | craft admin create --email root@example.eu

It must have 12 to 256 characters and not be a common or breached password
(docs/auth.md). The administrator sets up multi-factor authentication at the
first sign-in; craft requires it for administrators.

Exit codes: 0 created; 1 the database failed; 2 bad usage, a refused
password, or an address that already has an account.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if strings.TrimSpace(email) == "" {
				return usageError("admin create: --email is required")
			}
			dir, err := serverDataDir(app, dataFlag)
			if err != nil {
				return err
			}
			pw, err := readNewPassword(app)
			if err != nil {
				return err
			}
			u, err := auth.NewAccount(auth.NewPasswordHasher(),
				auth.NewUser{Email: email, DisplayName: name, Password: pw, Role: auth.RoleAdministrator}, app.Now())
			if err != nil {
				return &ExitError{Code: ExitUsage, Err: fmt.Errorf("admin create: %w", err)}
			}
			ctx := cmd.Context()
			s, err := store.Open(ctx, store.ConfigFor(dir, serverDatabaseURL(app, dbFlag)))
			if err != nil {
				return &ExitError{Code: ExitFindings, Err: err}
			}
			defer s.Close()
			created, err := authstore.New(s).CreateUser(ctx, u)
			if errors.Is(err, store.ErrConflict) {
				return usageError("admin create: an account with the address %s exists already", u.Email)
			}
			if err != nil {
				return &ExitError{Code: ExitFindings, Err: fmt.Errorf("admin create: %w", err)}
			}
			if _, err := s.AppendAudit(ctx, store.Event{
				At: app.Now(), Actor: "cli", Action: "user.create", Target: created.ID,
				Detail: map[string]string{"role": string(created.Role), "via": "craft admin create"},
			}); err != nil {
				return &ExitError{Code: ExitFindings, Err: fmt.Errorf("admin create: audit: %w", err)}
			}
			_, err = fmt.Fprintf(app.Stdout, "created administrator %s (id %s)\nsign in to craft serve to set up multi-factor authentication, which administrators must use\n", created.Email, created.ID)
			return err
		},
	}
	f := cmd.Flags()
	f.StringVar(&dataFlag, "data", "", "data folder of craft serve (default $CRAFT_DATA or the user data folder)")
	f.StringVar(&dbFlag, "database", "", "PostgreSQL URL instead of SQLite in the data folder (default $CRAFT_DATABASE)")
	f.StringVar(&email, "email", "", "e-mail address of the new administrator (required)")
	f.StringVar(&name, "name", "", "display name")
	return cmd
}

// readNewPassword asks twice without echo on a terminal, else reads the
// first line of standard input.
func readNewPassword(app *App) (string, error) {
	if f, ok := app.Stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		fmt.Fprint(app.Stderr, "Password (12 characters or more): ")
		a, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(app.Stderr)
		if err != nil {
			return "", usageError("admin create: read password: %v", err)
		}
		fmt.Fprint(app.Stderr, "Password again: ")
		b, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(app.Stderr)
		if err != nil {
			return "", usageError("admin create: read password: %v", err)
		}
		if string(a) != string(b) {
			return "", usageError("admin create: the passwords differ")
		}
		return string(a), nil
	}
	if app.Stdin == nil {
		return "", usageError("admin create: no password: pipe it to standard input or run on a terminal")
	}
	line, err := bufio.NewReaderSize(io.LimitReader(app.Stdin, 4096), 4096).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", usageError("admin create: read password: %v", err)
	}
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		return "", usageError("admin create: no password on standard input")
	}
	return line, nil
}

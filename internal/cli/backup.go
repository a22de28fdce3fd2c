package cli

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"

	"github.com/spf13/cobra"

	"github.com/craft-cra/craft/internal/store"
)

// serverDataDir resolves craft serve's data folder: the flag, else
// $CRAFT_DATA, else craft in the user's data folder ($XDG_DATA_HOME or
// ~/.local/share on Unix, the user config folder elsewhere).
func serverDataDir(app *App, flag string) (string, error) {
	if flag != "" {
		return flag, nil
	}
	if d := app.Getenv("CRAFT_DATA"); d != "" {
		return d, nil
	}
	if runtime.GOOS != "windows" && runtime.GOOS != "darwin" {
		if x := app.Getenv("XDG_DATA_HOME"); x != "" {
			return filepath.Join(x, "craft"), nil
		}
		if h := app.Getenv("HOME"); h != "" {
			return filepath.Join(h, ".local", "share", "craft"), nil
		}
	}
	d, err := os.UserConfigDir()
	if err != nil {
		return "", usageError("no data folder: give --data or set CRAFT_DATA (%v)", err)
	}
	return filepath.Join(d, "craft"), nil
}

// serverDatabaseURL is the flag, else $CRAFT_DATABASE ("" means SQLite in
// the data folder).
func serverDatabaseURL(app *App, flag string) string {
	if flag != "" {
		return flag
	}
	return app.Getenv("CRAFT_DATABASE")
}

const pgDumpHelp = `craft backup copies the SQLite database only; back up PostgreSQL with its own tools:
  pg_dump --format=custom --file=craft.dump "$CRAFT_DATABASE"
and restore into an empty database with:
  pg_restore --dbname="$CRAFT_DATABASE" --no-owner craft.dump
(see docs/server-storage.md)`

// newBackupCmd is `craft backup`: a consistent online copy of the SQLite
// database of a data folder.
func newBackupCmd(app *App) *cobra.Command {
	var dataFlag, dbFlag string
	cmd := &cobra.Command{
		Use:   "backup OUT",
		Short: "Write a consistent copy of craft serve's SQLite database to OUT, while the server runs",
		Long: `backup copies the SQLite database of the data folder (--data, else $CRAFT_DATA)
to OUT with VACUUM INTO: one consistent snapshot, taken while craft serve keeps
running. OUT must not exist; it is created with mode 0600, since it holds
password hashes and unfixed vulnerabilities. The copy's audit chain is verified
after writing.

For PostgreSQL (--database or $CRAFT_DATABASE) use pg_dump; backup prints the
command and exits 2.

Test a backup by restoring it: craft restore --data NEW-FOLDER OUT.

Exit codes: 0 written and verified; 1 written, but its audit chain does not
verify; 2 bad usage, PostgreSQL, or the copy failed.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if serverDatabaseURL(app, dbFlag) != "" {
				return &ExitError{Code: ExitUsage, Err: errors.New(pgDumpHelp)}
			}
			dir, err := serverDataDir(app, dataFlag)
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			cfg := store.ConfigFor(dir, "")
			cfg.Existing = true
			s, err := store.Open(ctx, cfg)
			if err != nil {
				return &ExitError{Code: ExitUsage, Err: fmt.Errorf("backup: no craft database in %s: %w", dir, err)}
			}
			defer s.Close()
			if err := s.BackupSQLite(ctx, args[0]); err != nil {
				return &ExitError{Code: ExitUsage, Err: err}
			}
			b, err := store.Open(ctx, store.Config{Driver: store.DriverSQLite, Path: args[0], Existing: true})
			if err != nil {
				return &ExitError{Code: ExitUsage, Err: fmt.Errorf("backup written to %s but it does not open: %w", args[0], err)}
			}
			defer b.Close()
			r, err := b.VerifyAudit(ctx)
			if err != nil {
				return &ExitError{Code: ExitUsage, Err: fmt.Errorf("backup written to %s: %w", args[0], err)}
			}
			if !r.OK {
				return &ExitError{Code: ExitFindings, Err: fmt.Errorf("backup written to %s, but its audit chain breaks at event %d: %s", args[0], r.FirstBadSeq, r.Reason)}
			}
			_, err = fmt.Fprintf(app.Stdout, "backup written to %s (audit chain verified: %d events)\n", args[0], r.Count)
			return err
		},
	}
	cmd.Flags().StringVar(&dataFlag, "data", "", "craft serve's data folder (default $CRAFT_DATA, else craft in the user's data folder)")
	cmd.Flags().StringVar(&dbFlag, "database", "", "PostgreSQL URL (default $CRAFT_DATABASE); backup then explains pg_dump")
	return cmd
}

// newRestoreCmd is `craft restore`: install a backup into a data folder.
func newRestoreCmd(app *App) *cobra.Command {
	var (
		dataFlag, dbFlag string
		force            bool
	)
	cmd := &cobra.Command{
		Use:   "restore IN",
		Short: "Install a backup written by craft backup into a data folder",
		Long: `restore checks the backup IN before it changes anything: it copies it into the
data folder (--data, else $CRAFT_DATA) as a private temporary file, opens it,
applies pending migrations and verifies the audit chain. Only then is the copy
moved into place.

restore refuses a data folder that is not empty unless --force is given; with
--force the database there is kept beside the restored one as
craft.db.before-restore-<time>. Stop craft serve first.

For PostgreSQL use pg_restore (see docs/server-storage.md).

Exit codes: 0 restored; 1 the backup's audit chain does not verify (nothing
changed); 2 bad usage, a non-empty data folder, or a backup that does not open
(nothing changed).`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if serverDatabaseURL(app, dbFlag) != "" {
				return &ExitError{Code: ExitUsage, Err: errors.New(pgDumpHelp)}
			}
			dir, err := serverDataDir(app, dataFlag)
			if err != nil {
				return err
			}
			res, err := store.RestoreSQLite(cmd.Context(), args[0], dir, force, app.Now())
			switch {
			case errors.Is(err, store.ErrAuditBroken):
				return &ExitError{Code: ExitFindings, Err: err}
			case err != nil:
				return &ExitError{Code: ExitUsage, Err: err}
			}
			fmt.Fprintf(app.Stdout, "restored %s into %s (audit chain verified: %d events)\n", args[0], res.Path, res.Audit.Count)
			if res.Previous != "" {
				fmt.Fprintf(app.Stdout, "the database it replaced is kept as %s\n", res.Previous)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&dataFlag, "data", "", "craft serve's data folder (default $CRAFT_DATA, else craft in the user's data folder)")
	cmd.Flags().StringVar(&dbFlag, "database", "", "PostgreSQL URL (default $CRAFT_DATABASE); restore then explains pg_restore")
	cmd.Flags().BoolVar(&force, "force", false, "replace the database of a data folder that is not empty (the old one is kept beside it)")
	return cmd
}

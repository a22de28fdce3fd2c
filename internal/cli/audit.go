package cli

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/craft-cra/craft/internal/store"
)

// newAuditCmd is `craft audit`: the server's hash-chained audit log.
func newAuditCmd(app *App) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "audit",
		Short: "Work with craft serve's hash-chained audit log",
	}
	cmd.AddCommand(newAuditVerifyCmd(app))
	return cmd
}

func newAuditVerifyCmd(app *App) *cobra.Command {
	var dataFlag, dbFlag string
	cmd := &cobra.Command{
		Use:   "verify",
		Short: "Check that no audit event was edited, deleted, inserted or reordered",
		Long: `verify recomputes the hash chain of the audit log of craft serve's database
(SQLite in --data, else $CRAFT_DATA; PostgreSQL with --database or
$CRAFT_DATABASE) and compares its end with the chain head. It changes nothing
and may run while the server runs.

It prints the number of events and the head's seq and hash; keep that line
somewhere else (a ticket, a log host) to detect later a rewrite of the whole
chain.

Exit codes: 0 the chain holds; 1 it breaks (the first bad event is named);
2 bad usage or the database cannot be read.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			dbURL := serverDatabaseURL(app, dbFlag)
			dir := ""
			if dbURL == "" {
				var err error
				if dir, err = serverDataDir(app, dataFlag); err != nil {
					return err
				}
			}
			cfg := store.ConfigFor(dir, dbURL)
			cfg.Existing = true
			s, err := store.Open(ctx, cfg)
			if err != nil {
				return &ExitError{Code: ExitUsage, Err: fmt.Errorf("audit verify: %w", err)}
			}
			defer s.Close()
			r, err := s.VerifyAudit(ctx)
			if err != nil {
				return &ExitError{Code: ExitUsage, Err: err}
			}
			if !r.OK {
				fmt.Fprintf(app.Stdout, "BROKEN at event %d: %s (%d events checked, chain head at %d)\n", r.FirstBadSeq, r.Reason, r.Count, r.HeadSeq)
				return &ExitError{Code: ExitFindings, Err: fmt.Errorf("audit chain breaks at event %d", r.FirstBadSeq)}
			}
			_, err = fmt.Fprintf(app.Stdout, "OK: %d events, chain head at %d, hash %s\n", r.Count, r.HeadSeq, r.HeadHash)
			return err
		},
	}
	cmd.Flags().StringVar(&dataFlag, "data", "", "craft serve's data folder (default $CRAFT_DATA, else craft in the user's data folder)")
	cmd.Flags().StringVar(&dbFlag, "database", "", "PostgreSQL URL (default $CRAFT_DATABASE)")
	return cmd
}

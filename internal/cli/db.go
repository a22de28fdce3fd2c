package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/craft-cra/craft/internal/advisory"
)

// newDBCmd is `craft db`: the local advisory database (OSV, KEV,
// endoflife.date). See docs/database.md.
func newDBCmd(app *App) *cobra.Command {
	var dbPath string
	cmd := &cobra.Command{
		Use:   "db",
		Short: "Manage the local advisory database (OSV records, CISA KEV, end-of-life data)",
		Long: `craft keeps OSV advisories, the CISA Known Exploited Vulnerabilities catalog
and endoflife.date release cycles in one SQLite file, so that scans run offline.

The database is --db, else $CRAFT_DB, else craft/advisories.db in the user's
cache folder.

Exit codes: 0 ok; 2 bad usage or a database error; 3 some input was rejected
or some source failed (everything else was stored, nothing stored before was
lost).`,
	}
	cmd.PersistentFlags().StringVar(&dbPath, "db", "", "advisory database file (default $CRAFT_DB, else <user cache>/craft/advisories.db)")
	open := func(ctx context.Context, readOnly bool) (*advisory.Store, error) {
		path, err := resolveDBPath(app, dbPath)
		if err != nil {
			return nil, usageError("%v", err)
		}
		if readOnly {
			return advisory.OpenReadOnly(ctx, path)
		}
		return advisory.Open(ctx, path)
	}
	cmd.AddCommand(newDBImportCmd(app, open), newDBUpdateCmd(app, open), newDBStatusCmd(app, open))
	return cmd
}

// openStoreFunc opens the advisory database that --db, $CRAFT_DB or the
// user cache directory names; read-only for commands that only look.
type openStoreFunc func(ctx context.Context, readOnly bool) (*advisory.Store, error)

func newDBImportCmd(app *App, open openStoreFunc) *cobra.Command {
	var outputs []string
	cmd := &cobra.Command{
		Use:   "import PATH...",
		Short: "Import OSV records, a KEV catalog or endoflife.date products from files, folders or zip archives",
		Long: `Import reads:
  - OSV records as JSON (one record, an array, or {"vulns": [...]}) or YAML,
  - folders of them (recursive; hidden entries skipped),
  - zip archives of them, such as osv.dev's <Ecosystem>/all.zip,
  - the CISA KEV catalog JSON (recognised by catalogVersion/vulnerabilities),
  - endoflife.date product pages (YAML front matter, .yaml or .md).

A record is stored when it is new or its "modified" is later than the stored
one. Each PATH is one transaction. Rejected input is listed with its file,
zip entry and record ID; the rest is imported. Exit code 3 when anything was
rejected.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			specs, err := parseOutputs(outputs, []string{"text", "json"}, "text")
			if err != nil {
				return err
			}
			// A path that does not exist is the user's mistake (exit 2),
			// found before the database is opened or created.
			for _, a := range args {
				if _, err := os.Stat(a); err != nil {
					return usageError("db import %s: %v", a, errors.Unwrap(err))
				}
			}
			store, err := open(cmd.Context(), false)
			if err != nil {
				return err
			}
			defer store.Close()
			start := time.Now()
			res, err := store.Import(cmd.Context(), args, advisory.ImportOptions{Now: app.Now})
			if err != nil {
				return err
			}
			elapsed := time.Since(start)
			if err := writeOutputs(app, specs, func(format string, w io.Writer) error {
				if format == "json" {
					return writeJSON(w, res)
				}
				return writeImportText(w, store.Path(), res, elapsed)
			}); err != nil {
				return err
			}
			if n := len(res.Rejected) + len(res.Failed); n > 0 {
				return &ExitError{Code: ExitIncomplete, Err: fmt.Errorf("import: %d input(s) rejected; the rest was stored", n)}
			}
			return nil
		},
	}
	cmd.Flags().StringArrayVarP(&outputs, "output", "o", nil, "output FORMAT[=FILE], FORMAT text or json (repeatable)")
	return cmd
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func writeImportText(w io.Writer, path string, res *advisory.ImportResult, elapsed time.Duration) error {
	var b strings.Builder
	fmt.Fprintf(&b, "database: %s\n", path)
	fmt.Fprintf(&b, "records: %d imported, %d updated, %d unchanged, %d rejected\n",
		res.Imported, res.Updated, res.Unchanged, len(res.Rejected))
	if res.Withdrawn > 0 {
		fmt.Fprintf(&b, "withdrawn: %d of the imported or updated records (stored, never matched)\n", res.Withdrawn)
	}
	if res.KEVEntries > 0 {
		fmt.Fprintf(&b, "kev: catalog %s, %d entries\n", res.KEVCatalogVersion, res.KEVEntries)
	} else if res.KEVUnchanged {
		fmt.Fprintf(&b, "kev: catalog %s is older than the stored one, skipped\n", res.KEVCatalogVersion)
	}
	if res.EOLProducts > 0 {
		fmt.Fprintf(&b, "end-of-life: %d products\n", res.EOLProducts)
	}
	if res.Ignored > 0 {
		fmt.Fprintf(&b, "ignored: %d files that are not advisory data\n", res.Ignored)
	}
	if elapsed > 0 && res.Records() > 0 && elapsed > time.Second {
		fmt.Fprintf(&b, "read %.1f MB in %s\n", float64(res.Bytes)/1e6, elapsed.Round(time.Millisecond))
	}
	for _, f := range res.Failed {
		fmt.Fprintf(&b, "failed (rolled back): %s\n", f)
	}
	for _, r := range res.Rejected {
		fmt.Fprintf(&b, "rejected: %s\n", r)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func newDBUpdateCmd(app *App, open openStoreFunc) *cobra.Command {
	var (
		outputs    []string
		sourceArgs []string
		ecosystems []string
	)
	cmd := &cobra.Command{
		Use:   "update",
		Short: "Download the latest OSV archives and the CISA KEV catalog",
		Long: `Update fetches each source with a conditional request (ETag, Last-Modified),
checks the download and stores it in one transaction per source. A source that
fails keeps its previous data; the others still update.

Sources, in order of precedence:
  --source NAME=URL (repeatable)   exactly these sources
  $CRAFT_DB_SOURCES                the same, separated by commas or spaces
  default                          osv.dev's <Ecosystem>/all.zip for the
                                   --ecosystem list (default: the language
                                   ecosystems craft extracts) and the CISA KEV feed
A source named kev* is a KEV catalog; a URL ending in .zip an OSV archive;
anything else one document (OSV record, KEV catalog or endoflife.date product).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			specs, err := parseOutputs(outputs, []string{"text", "json"}, "text")
			if err != nil {
				return err
			}
			sources, err := updateSources(app, sourceArgs, ecosystems)
			if err != nil {
				return err
			}
			store, err := open(cmd.Context(), false)
			if err != nil {
				return err
			}
			defer store.Close()
			uopts := advisory.UpdateOptions{
				UserAgent: "craft/" + Version,
				Import:    advisory.ImportOptions{Now: app.Now},
			}
			if app.StderrIsTerminal {
				uopts.OnSource = func(src advisory.Source) {
					fmt.Fprintf(app.Stderr, "fetching %s (%s)\n", src.Name, src.URL)
				}
			}
			results, err := store.Update(cmd.Context(), sources, uopts)
			if err != nil {
				return err
			}
			if err := writeOutputs(app, specs, func(format string, w io.Writer) error {
				if format == "json" {
					return writeJSON(w, updateJSON(results))
				}
				return writeUpdateText(w, store.Path(), results)
			}); err != nil {
				return err
			}
			var failed []string
			rejected := 0
			for _, r := range results {
				if r.Err != nil {
					failed = append(failed, r.Source.Name)
				}
				if r.Import != nil {
					rejected += len(r.Import.Rejected)
				}
			}
			if len(failed) > 0 {
				return &ExitError{Code: ExitIncomplete, Err: fmt.Errorf("update: source(s) %s failed; their previous data stays in use", strings.Join(failed, ", "))}
			}
			if rejected > 0 {
				return &ExitError{Code: ExitIncomplete, Err: fmt.Errorf("update: %d record(s) rejected; the rest was stored", rejected)}
			}
			return nil
		},
	}
	cmd.Flags().StringArrayVarP(&outputs, "output", "o", nil, "output FORMAT[=FILE], FORMAT text or json (repeatable)")
	cmd.Flags().StringArrayVar(&sourceArgs, "source", nil, "fetch NAME=URL instead of the default sources (repeatable)")
	cmd.Flags().StringSliceVar(&ecosystems, "ecosystem", nil, "OSV ecosystems for the default sources (default: "+strings.Join(advisory.DefaultEcosystems(), ",")+")")
	return cmd
}

// updateSources applies the precedence --source, $CRAFT_DB_SOURCES, default.
func updateSources(app *App, sourceArgs, ecosystems []string) ([]advisory.Source, error) {
	specs := sourceArgs
	if len(specs) == 0 {
		specs = strings.FieldsFunc(app.Getenv("CRAFT_DB_SOURCES"), func(r rune) bool {
			return r == ',' || r == ' ' || r == '\n' || r == '\t'
		})
	}
	if len(specs) == 0 {
		for _, e := range ecosystems {
			if !advisory.KnownEcosystem(e) {
				return nil, usageError("--ecosystem %s: not an OSV ecosystem", e)
			}
		}
		return advisory.DefaultSources(ecosystems), nil
	}
	if len(ecosystems) > 0 {
		return nil, usageError("--ecosystem applies to the default sources only; not with --source or $CRAFT_DB_SOURCES")
	}
	var out []advisory.Source
	seen := map[string]bool{}
	for _, s := range specs {
		src, err := advisory.ParseSource(s)
		if err != nil {
			return nil, usageError("%v", err)
		}
		if seen[src.Name] {
			return nil, usageError("source %s given twice", src.Name)
		}
		seen[src.Name] = true
		out = append(out, src)
	}
	return out, nil
}

type updateResultJSON struct {
	Name        string                 `json:"name"`
	URL         string                 `json:"url"`
	Kind        string                 `json:"kind"`
	NotModified bool                   `json:"notModified,omitempty"`
	Error       string                 `json:"error,omitempty"`
	Import      *advisory.ImportResult `json:"import,omitempty"`
}

func updateJSON(results []advisory.SourceResult) []updateResultJSON {
	out := make([]updateResultJSON, 0, len(results))
	for _, r := range results {
		j := updateResultJSON{Name: r.Source.Name, URL: r.Source.URL, Kind: r.Source.Kind, NotModified: r.NotModified}
		if r.Err != nil {
			j.Error = r.Err.Error()
		} else {
			j.Import = r.Import
		}
		out = append(out, j)
	}
	return out
}

func writeUpdateText(w io.Writer, path string, results []advisory.SourceResult) error {
	var b strings.Builder
	fmt.Fprintf(&b, "database: %s\n", path)
	for _, r := range results {
		switch {
		case r.Err != nil:
			fmt.Fprintf(&b, "%s: FAILED, previous data kept: %v\n", r.Source.Name, r.Err)
		case r.NotModified:
			fmt.Fprintf(&b, "%s: not modified\n", r.Source.Name)
		case r.Import != nil:
			i := r.Import
			fmt.Fprintf(&b, "%s: %d imported, %d updated, %d unchanged, %d rejected", r.Source.Name, i.Imported, i.Updated, i.Unchanged, len(i.Rejected))
			if i.KEVEntries > 0 {
				fmt.Fprintf(&b, "; kev catalog %s, %d entries", i.KEVCatalogVersion, i.KEVEntries)
			}
			b.WriteString("\n")
			for _, rej := range i.Rejected {
				fmt.Fprintf(&b, "  rejected: %s\n", rej)
			}
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func newDBStatusCmd(app *App, open openStoreFunc) *cobra.Command {
	var outputs []string
	cmd := &cobra.Command{
		Use:   "status",
		Short: "Show what the advisory database holds and when it was last updated",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			specs, err := parseOutputs(outputs, []string{"text", "json"}, "text")
			if err != nil {
				return err
			}
			store, err := open(cmd.Context(), true)
			if err != nil {
				return err
			}
			defer store.Close()
			st, err := store.Status(cmd.Context())
			if err != nil {
				return err
			}
			return writeOutputs(app, specs, func(format string, w io.Writer) error {
				if format == "json" {
					return writeJSON(w, st)
				}
				return writeStatusText(w, st, app.Now())
			})
		},
	}
	cmd.Flags().StringArrayVarP(&outputs, "output", "o", nil, "output FORMAT[=FILE], FORMAT text or json (repeatable)")
	return cmd
}

func writeStatusText(w io.Writer, st *advisory.Status, now time.Time) error {
	var b strings.Builder
	fmt.Fprintf(&b, "database:       %s\n", st.Path)
	fmt.Fprintf(&b, "schema version: %d\n", st.SchemaVersion)
	fmt.Fprintf(&b, "size:           %.1f MB\n", float64(st.SizeBytes)/1e6)
	if st.LastUpdated.IsZero() {
		b.WriteString("last update:    never\n")
	} else {
		fmt.Fprintf(&b, "last update:    %s (%s ago)\n", st.LastUpdated.UTC().Format(time.RFC3339), now.Sub(st.LastUpdated).Round(time.Minute))
	}
	fmt.Fprintf(&b, "records:        %d (%d withdrawn)\n", st.Records, st.Withdrawn)
	names := make([]string, 0, len(st.Ecosystems))
	for e := range st.Ecosystems {
		names = append(names, e)
	}
	sort.Strings(names)
	for _, e := range names {
		fmt.Fprintf(&b, "  %-20s %d\n", e, st.Ecosystems[e])
	}
	if st.KEVEntries > 0 {
		fmt.Fprintf(&b, "kev:            %d entries, catalog %s\n", st.KEVEntries, st.KEVCatalog)
	} else {
		b.WriteString("kev:            none\n")
	}
	fmt.Fprintf(&b, "end-of-life:    %d products\n", st.EOLProducts)
	if len(st.Sources) > 0 {
		b.WriteString("sources:\n")
		tw := tabwriter.NewWriter(&b, 2, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "  NAME\tUPDATED\tCHECKED\tETAG\tSTATE")
		for _, s := range slices.Clone(st.Sources) {
			state := "ok"
			if s.LastError != "" {
				state = "failed: " + s.LastError
			}
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\n", s.Name, fmtTime(s.UpdatedAt), fmtTime(s.CheckedAt), orDash(s.ETag), state)
		}
		tw.Flush()
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func fmtTime(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format(time.RFC3339)
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

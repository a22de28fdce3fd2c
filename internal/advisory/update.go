package advisory

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path"
	"strings"
	"time"
)

// Source kinds.
const (
	// KindOSVArchive is a zip of OSV records (osv.dev's <Ecosystem>/all.zip).
	KindOSVArchive = "osv-zip"
	// KindKEV is the CISA KEV catalog JSON.
	KindKEV = "kev"
	// KindFile is any single document Import reads (OSV JSON/YAML, KEV,
	// an endoflife.date product).
	KindFile = "file"
)

// Default source locations.
const (
	OSVArchiveBase = "https://osv-vulnerabilities.storage.googleapis.com"
	KEVURL         = "https://www.cisa.gov/sites/default/files/feeds/known_exploited_vulnerabilities.json"
)

// DefaultEcosystems returns the OSV ecosystems whose archives `craft db
// update` fetches by default: the language ecosystems craft's inventory
// extracts. The slice is the caller's.
func DefaultEcosystems() []string {
	return []string{
		"Go", "npm", "PyPI", "Maven", "crates.io", "RubyGems", "NuGet",
		"Packagist", "Pub", "Hex", "CRAN", "Hackage", "SwiftURL",
	}
}

// Source is one place Update downloads from.
type Source struct {
	Name string // unique, e.g. "osv-PyPI", "kev"
	URL  string
	Kind string // KindOSVArchive, KindKEV or KindFile
}

// DefaultSources returns osv.dev's archive for each ecosystem (all of
// DefaultEcosystems when none are given) and the CISA KEV feed.
func DefaultSources(ecosystems []string) []Source {
	if len(ecosystems) == 0 {
		ecosystems = DefaultEcosystems()
	}
	var out []Source
	for _, e := range ecosystems {
		out = append(out, Source{
			Name: "osv-" + e,
			URL:  OSVArchiveBase + "/" + url.PathEscape(e) + "/all.zip",
			Kind: KindOSVArchive,
		})
	}
	return append(out, Source{Name: "kev", URL: KEVURL, Kind: KindKEV})
}

// ParseSource reads NAME=URL. The kind follows from the name and URL: the
// name "kev" (or a name starting "kev") is the KEV catalog, a URL path
// ending in .zip is an OSV archive, anything else a single document.
// file:// URLs and plain paths are not accepted: use `craft db import`.
func ParseSource(spec string) (Source, error) {
	name, raw, ok := strings.Cut(spec, "=")
	name = strings.TrimSpace(name)
	if !ok || name == "" || raw == "" {
		return Source{}, fmt.Errorf("source %q: want NAME=URL", spec)
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return Source{}, fmt.Errorf("source %q: %q is not an http(s) URL", spec, raw)
	}
	kind := KindFile
	switch {
	case strings.HasPrefix(strings.ToLower(name), "kev"):
		kind = KindKEV
	case strings.EqualFold(path.Ext(u.Path), ".zip"):
		kind = KindOSVArchive
	}
	return Source{Name: name, URL: raw, Kind: kind}, nil
}

// UpdateOptions tune Update. The zero value works.
type UpdateOptions struct {
	// Client makes the requests (default: a client with a 10 minute
	// timeout).
	Client *http.Client
	// MaxDownloadBytes bounds one download (default 2 GiB).
	MaxDownloadBytes int64
	// TempDir holds downloads until they are imported (default: the
	// database's folder, so no cross-device copies).
	TempDir string
	// UserAgent is sent with each request.
	UserAgent string
	// Import limits for the downloaded archives.
	Import ImportOptions
	// OnSource, when set, is called before each source is fetched (for
	// progress output).
	OnSource func(Source)
}

// SourceResult is what happened to one source.
type SourceResult struct {
	Source      Source
	NotModified bool          // the server answered 304; nothing to do
	Import      *ImportResult // set when data was downloaded and read
	Err         error         // the source failed; its previous data stays
}

// Update fetches every source with a conditional request (ETag and
// Last-Modified from the previous fetch), checks what arrived and imports
// it in one transaction per source. A source that fails (network error,
// HTTP error, truncated body, content of the wrong kind, an archive that
// does not open or holds no valid record) changes nothing for that source
// and reports Err; the other sources still update. The error return is for
// failures of the database itself.
func (s *Store) Update(ctx context.Context, sources []Source, opts UpdateOptions) ([]SourceResult, error) {
	if opts.Client == nil {
		opts.Client = &http.Client{Timeout: 10 * time.Minute}
	}
	if opts.MaxDownloadBytes <= 0 {
		opts.MaxDownloadBytes = 2 << 30
	}
	if opts.TempDir == "" {
		opts.TempDir = dirOf(s.path)
	}
	if opts.UserAgent == "" {
		opts.UserAgent = "craft (advisory database update)"
	}
	opts.Import = opts.Import.withDefaults()
	seen := map[string]bool{}
	var out []SourceResult
	for _, src := range sources {
		if seen[src.Name] {
			return out, fmt.Errorf("update: source %q given twice", src.Name)
		}
		seen[src.Name] = true
		if opts.OnSource != nil {
			opts.OnSource(src)
		}
		r, err := s.updateSource(ctx, src, opts)
		if err != nil {
			return append(out, r), err
		}
		out = append(out, r)
	}
	return out, nil
}

func dirOf(p string) string {
	i := strings.LastIndexAny(p, `/\`)
	if i < 0 {
		return "."
	}
	return p[:i]
}

type sourceState struct {
	url, etag, lastModified string
}

func (s *Store) sourceState(ctx context.Context, name string) (sourceState, error) {
	var st sourceState
	err := s.db.QueryRowContext(ctx, `SELECT url, etag, last_modified FROM sources WHERE name = ?`, name).Scan(&st.url, &st.etag, &st.lastModified)
	if err != nil && !isNoRows(err) {
		return st, fmt.Errorf("read source %s: %w", name, err)
	}
	return st, nil
}

func (s *Store) updateSource(ctx context.Context, src Source, opts UpdateOptions) (SourceResult, error) {
	res := SourceResult{Source: src}
	now := opts.Import.Now().UTC()
	st, err := s.sourceState(ctx, src.Name)
	if err != nil {
		return res, err
	}
	fail := func(err error) (SourceResult, error) {
		res.Err = fmt.Errorf("source %s (%s): %w", src.Name, src.URL, err)
		if werr := s.recordSourceError(ctx, src, now, res.Err); werr != nil {
			return res, werr
		}
		return res, nil
	}
	tmp, resp, err := s.download(ctx, src, st, opts)
	if err != nil {
		return fail(err)
	}
	if tmp == nil {
		// 304 Not Modified: the stored data is current.
		res.NotModified = true
		if err := s.recordSourceChecked(ctx, src, now); err != nil {
			return res, err
		}
		return res, nil
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	size, err := tmp.Seek(0, io.SeekEnd)
	if err != nil {
		return fail(err)
	}
	etag, lastMod := resp.Header.Get("ETag"), resp.Header.Get("Last-Modified")
	// The source state is written in the same transaction as the data, so
	// the stored ETag always describes the stored data.
	check := func(w *writer, r *ImportResult) error {
		if err := checkSourceResult(src, r); err != nil {
			return &unitError{Rejection{File: src.URL, Reason: err.Error()}}
		}
		_, err := w.tx.ExecContext(ctx, `INSERT OR REPLACE INTO sources(name, url, etag, last_modified, checked_at, updated_at, last_error)
			VALUES (?, ?, ?, ?, ?, ?, '')`, src.Name, src.URL, etag, lastMod, now.Format(time.RFC3339Nano), now.Format(time.RFC3339Nano))
		if err != nil {
			return fmt.Errorf("record source %s: %w", src.Name, err)
		}
		return nil
	}
	iopts := opts.Import
	iopts.Origin = src.URL
	name := src.URL
	r, err := s.runUnit(ctx, name, iopts, check, func(imp *importer) error {
		if src.Kind == KindOSVArchive {
			return imp.zip(ctx, name, tmp, size)
		}
		if _, err := tmp.Seek(0, io.SeekStart); err != nil {
			return err
		}
		data, err := io.ReadAll(io.LimitReader(tmp, opts.Import.MaxFileBytes+1))
		if err != nil {
			return &unitError{Rejection{File: name, Reason: err.Error()}}
		}
		if int64(len(data)) > opts.Import.MaxFileBytes {
			return &unitError{Rejection{File: name, Reason: fmt.Sprintf("larger than the limit of %d bytes", opts.Import.MaxFileBytes)}}
		}
		return imp.add(ctx, pendingDoc{file: docName(src), data: data})
	})
	res.Import = r
	if err != nil {
		return res, err
	}
	if len(r.Failed) > 0 {
		return fail(errors.New(r.Failed[0].Reason))
	}
	return res, nil
}

// docName gives a single downloaded document a name whose extension tells
// the parser its format (JSON unless the URL says YAML).
func docName(src Source) string {
	u, err := url.Parse(src.URL)
	if err == nil && fileFormat(u.Path) != "" {
		return src.URL
	}
	return src.URL + "#.json"
}

// checkSourceResult validates a download before it is committed.
func checkSourceResult(src Source, r *ImportResult) error {
	switch src.Kind {
	case KindKEV:
		if r.KEVEntries == 0 && !r.KEVUnchanged {
			if len(r.Rejected) > 0 {
				return fmt.Errorf("not a valid KEV catalog: %s", r.Rejected[0].Reason)
			}
			return errors.New("not a KEV catalog")
		}
	case KindOSVArchive:
		if r.Records() == 0 {
			if len(r.Rejected) > 0 {
				return fmt.Errorf("no valid OSV record in the archive (%d rejected, first: %s)", len(r.Rejected), r.Rejected[0])
			}
			return errors.New("no OSV record in the archive")
		}
	default:
		if r.Records() == 0 && r.KEVEntries == 0 && !r.KEVUnchanged && r.EOLProducts == 0 {
			if len(r.Rejected) > 0 {
				return fmt.Errorf("nothing usable: %s", r.Rejected[0].Reason)
			}
			return errors.New("nothing usable in the download")
		}
	}
	return nil
}

// download fetches src into a temporary file. It returns a nil file for
// 304 Not Modified.
func (s *Store) download(ctx context.Context, src Source, st sourceState, opts UpdateOptions) (*os.File, *http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, src.URL, nil)
	if err != nil {
		return nil, nil, err
	}
	req.Header.Set("User-Agent", opts.UserAgent)
	// Validators of another URL say nothing about this one.
	if st.etag != "" && st.url == src.URL {
		req.Header.Set("If-None-Match", st.etag)
	}
	if st.lastModified != "" && st.url == src.URL {
		req.Header.Set("If-Modified-Since", st.lastModified)
	}
	resp, err := opts.Client.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusNotModified {
		return nil, resp, nil
	}
	if resp.StatusCode != http.StatusOK {
		return nil, nil, fmt.Errorf("HTTP %s", resp.Status)
	}
	if resp.ContentLength > opts.MaxDownloadBytes {
		return nil, nil, fmt.Errorf("download of %d bytes is larger than the limit of %d", resp.ContentLength, opts.MaxDownloadBytes)
	}
	tmp, err := os.CreateTemp(opts.TempDir, ".craft-download-*")
	if err != nil {
		return nil, nil, err
	}
	n, err := io.Copy(tmp, io.LimitReader(resp.Body, opts.MaxDownloadBytes+1))
	if errors.Is(err, io.ErrUnexpectedEOF) {
		err = fmt.Errorf("truncated download: connection closed after %d of %d bytes", n, resp.ContentLength)
	}
	if err == nil && n > opts.MaxDownloadBytes {
		err = fmt.Errorf("download larger than the limit of %d bytes", opts.MaxDownloadBytes)
	}
	if err == nil && resp.ContentLength >= 0 && n != resp.ContentLength {
		err = fmt.Errorf("truncated download: got %d of %d bytes", n, resp.ContentLength)
	}
	if err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return nil, nil, fmt.Errorf("download: %w", err)
	}
	return tmp, resp, nil
}

func (s *Store) recordSourceChecked(ctx context.Context, src Source, now time.Time) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO sources(name, url, etag, last_modified, checked_at, updated_at, last_error)
		VALUES (?, ?, '', '', ?, '', '')
		ON CONFLICT(name) DO UPDATE SET checked_at = excluded.checked_at, last_error = ''`,
		src.Name, src.URL, now.Format(time.RFC3339Nano))
	if err != nil {
		return fmt.Errorf("record source %s: %w", src.Name, err)
	}
	// A 304 proves the data is current: it counts as an update.
	if _, err := s.db.ExecContext(ctx, `INSERT OR REPLACE INTO meta(key, value) VALUES ('last_updated', ?)`, now.Format(time.RFC3339Nano)); err != nil {
		return fmt.Errorf("record source %s: %w", src.Name, err)
	}
	return nil
}

func (s *Store) recordSourceError(ctx context.Context, src Source, now time.Time, failure error) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO sources(name, url, etag, last_modified, checked_at, updated_at, last_error)
		VALUES (?, ?, '', '', ?, '', ?)
		ON CONFLICT(name) DO UPDATE SET checked_at = excluded.checked_at, last_error = excluded.last_error`,
		src.Name, src.URL, now.Format(time.RFC3339Nano), failure.Error())
	if err != nil {
		return fmt.Errorf("record source %s: %w", src.Name, err)
	}
	return nil
}

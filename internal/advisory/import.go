package advisory

import (
	"archive/zip"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"
)

// Default import limits.
const (
	DefaultMaxFileBytes    = 64 << 20 // one file or zip entry, decompressed
	DefaultMaxArchiveBytes = 8 << 30  // all entries of one zip, decompressed
	maxArchiveEntries      = 5_000_000
)

// ImportOptions tune an import. The zero value uses the defaults.
type ImportOptions struct {
	// MaxFileBytes bounds one file or zip entry (after decompression).
	MaxFileBytes int64
	// MaxArchiveBytes bounds the decompressed total of one zip archive.
	MaxArchiveBytes int64
	// Now stamps the database's last update (default time.Now).
	Now func() time.Time
	// Origin, when set, is recorded as the origin of every record instead
	// of the file name (Update sets the source URL).
	Origin string
}

func (o ImportOptions) withDefaults() ImportOptions {
	if o.MaxFileBytes <= 0 {
		o.MaxFileBytes = DefaultMaxFileBytes
	}
	if o.MaxArchiveBytes <= 0 {
		o.MaxArchiveBytes = DefaultMaxArchiveBytes
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}

// Rejection is an input that was not stored, with where it came from.
type Rejection struct {
	// File is the input file; Entry the zip entry within it, if any.
	File  string `json:"file"`
	Entry string `json:"entry,omitempty"`
	// ID is the record ID, when the input got far enough to have one.
	ID     string `json:"id,omitempty"`
	Reason string `json:"reason"`
}

// String is "file[!entry]: [id: ]reason".
func (r Rejection) String() string {
	where := r.File
	if r.Entry != "" {
		where += "!" + r.Entry
	}
	if r.ID != "" {
		return fmt.Sprintf("%s: %s: %s", where, r.ID, r.Reason)
	}
	return fmt.Sprintf("%s: %s", where, r.Reason)
}

// ImportResult counts what an import did.
type ImportResult struct {
	Imported  int `json:"imported"`  // records new to the database
	Updated   int `json:"updated"`   // records replaced by a newer version
	Unchanged int `json:"unchanged"` // records not newer than the stored ones
	// Withdrawn counts the imported or updated records that are withdrawn.
	Withdrawn int `json:"withdrawn"`
	// KEVEntries is the size of the KEV catalog stored (0 when none).
	KEVEntries        int    `json:"kevEntries,omitempty"`
	KEVCatalogVersion string `json:"kevCatalogVersion,omitempty"`
	// KEVUnchanged is set when a KEV catalog older than the stored one
	// was skipped.
	KEVUnchanged bool `json:"kevUnchanged,omitempty"`
	EOLProducts  int  `json:"eolProducts,omitempty"`
	// Ignored counts files that are not advisory data (README, LICENSE).
	Ignored  int         `json:"ignored"`
	Bytes    int64       `json:"bytes"` // input bytes read (decompressed)
	Rejected []Rejection `json:"rejected"`
	// Failed lists inputs that were rolled back as a whole (an unreadable
	// or truncated archive, a zip bomb); the database holds what it held
	// before for them.
	Failed []Rejection `json:"failed"`
	// Changes says what the committed units changed for matching.
	Changes Changes `json:"-"`
}

// newResult has empty (not nil) lists, so JSON output shows [].
func newResult() *ImportResult {
	return &ImportResult{Rejected: []Rejection{}, Failed: []Rejection{}}
}

func (r *ImportResult) add(o *ImportResult) {
	r.Imported += o.Imported
	r.Updated += o.Updated
	r.Unchanged += o.Unchanged
	r.Withdrawn += o.Withdrawn
	if o.KEVEntries > 0 || o.KEVUnchanged {
		r.KEVEntries, r.KEVCatalogVersion, r.KEVUnchanged = o.KEVEntries, o.KEVCatalogVersion, o.KEVUnchanged
	}
	r.EOLProducts += o.EOLProducts
	r.Ignored += o.Ignored
	r.Bytes += o.Bytes
	r.Rejected = append(r.Rejected, o.Rejected...)
	r.Failed = append(r.Failed, o.Failed...)
	r.Changes.Merge(&o.Changes)
}

// Records is the number of OSV records read and accepted.
func (r *ImportResult) Records() int { return r.Imported + r.Updated + r.Unchanged }

// Import reads OSV records, KEV catalogs and endoflife.date products from
// paths: files (.json, .yaml/.yml, .md with front matter), folders (walked
// recursively, hidden entries skipped) and .zip archives such as osv.dev's
// per-ecosystem all.zip. Each path is imported in its own transaction:
// when it fails as a whole (it cannot be read, a zip is truncated or
// exceeds the size limits) it is rolled back and listed in Failed, and the
// other paths still go through. Single bad records are listed in Rejected
// and skipped. The error return is for failures of the database itself.
func (s *Store) Import(ctx context.Context, paths []string, opts ImportOptions) (*ImportResult, error) {
	opts = opts.withDefaults()
	total := newResult()
	for _, p := range paths {
		res, err := s.importPath(ctx, p, opts)
		if err != nil {
			return total, err
		}
		total.add(res)
	}
	return total, nil
}

// unitError fails a whole input unit (rolled back).
type unitError struct {
	rej Rejection
}

func (e *unitError) Error() string { return e.rej.String() }

func (s *Store) importPath(ctx context.Context, p string, opts ImportOptions) (*ImportResult, error) {
	info, err := os.Stat(p)
	if err != nil {
		res := newResult()
		res.Failed = append(res.Failed, Rejection{File: p, Reason: reason(err)})
		return res, nil
	}
	if !info.IsDir() {
		return s.runUnit(ctx, p, opts, nil, func(imp *importer) error { return imp.file(ctx, p) })
	}
	// A folder: its loose files are one transaction, each zip archive in
	// it another, so that a broken archive fails alone.
	files, err := walkFiles(p)
	if err != nil {
		res := newResult()
		res.Failed = append(res.Failed, Rejection{File: p, Reason: reason(err)})
		return res, nil
	}
	var zips, loose []string
	for _, f := range files {
		if isZip(f) {
			zips = append(zips, f)
		} else {
			loose = append(loose, f)
		}
	}
	total, err := s.runUnit(ctx, p, opts, nil, func(imp *importer) error {
		for _, f := range loose {
			if err := ctx.Err(); err != nil {
				return err
			}
			if err := imp.file(ctx, f); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return total, err
	}
	for _, z := range zips {
		res, err := s.runUnit(ctx, z, opts, nil, func(imp *importer) error { return imp.file(ctx, z) })
		if err != nil {
			return total, err
		}
		total.add(res)
	}
	return total, nil
}

func isZip(p string) bool { return strings.EqualFold(filepath.Ext(p), ".zip") }

// walkFiles lists the regular files under root, sorted, skipping hidden
// files and folders.
func walkFiles(root string) ([]string, error) {
	var files []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p != root && strings.HasPrefix(d.Name(), ".") {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if d.Type().IsRegular() {
			files = append(files, p)
		}
		return nil
	})
	sort.Strings(files)
	return files, err
}

// runUnit imports one unit in one transaction. check, when set, sees the
// result before the commit and may refuse it (the unit is then rolled
// back and listed as failed) or add its own writes.
func (s *Store) runUnit(ctx context.Context, name string, opts ImportOptions, check func(*writer, *ImportResult) error, read func(*importer) error) (*ImportResult, error) {
	res := newResult()
	w, err := s.beginWrite(ctx)
	if err != nil {
		return res, fmt.Errorf("import %s: %w", name, err)
	}
	imp := &importer{s: s, w: w, opts: opts, res: res}
	err = read(imp)
	if ferr := imp.finish(); ferr != nil {
		err = ferr // the writer's error is the cause of errWriterFailed
	}
	if err == nil && check != nil {
		err = check(w, res)
	}
	var ue *unitError
	switch {
	case errors.As(err, &ue):
		w.rollback()
		failed := newResult()
		failed.Failed, failed.Rejected, failed.Bytes = []Rejection{ue.rej}, res.Rejected, res.Bytes
		return failed, nil
	case err != nil:
		w.rollback()
		return res, fmt.Errorf("import %s: %w", name, err)
	}
	if err := w.commit(ctx, opts.Now()); err != nil {
		return res, fmt.Errorf("import %s: %w", name, err)
	}
	res.Changes = w.changes
	return res, nil
}

// importer carries one unit's transaction. Documents flow through a
// pipeline: the reader (the caller of add) sends them in input order,
// parse workers decode and compress them on all cores, and one writer
// goroutine stores them in the same order, so the result does not depend
// on scheduling.
type importer struct {
	s    *Store
	w    *writer
	opts ImportOptions
	res  *ImportResult // written by the writer goroutine only until finish

	started  bool
	work     chan *pendingDoc
	order    chan *pendingDoc
	parsers  sync.WaitGroup
	written  chan struct{} // closed when the writer goroutine ends
	failed   chan struct{} // closed when the writer hits an error
	writeErr error
	bytes    int64 // counted by the reader
	ignored  int   // counted by the reader
}

type pendingDoc struct {
	file, entry string
	data        []byte
	doc         parsedDoc
	done        chan struct{} // closed when doc is set
}

func (imp *importer) file(ctx context.Context, p string) error {
	if isZip(p) {
		f, err := os.Open(p)
		if err != nil {
			return &unitError{Rejection{File: p, Reason: reason(err)}}
		}
		defer f.Close()
		st, err := f.Stat()
		if err != nil {
			return &unitError{Rejection{File: p, Reason: reason(err)}}
		}
		return imp.zip(ctx, p, f, st.Size())
	}
	if fileFormat(p) == "" {
		imp.ignored++
		return nil
	}
	data, err := readLimited(p, imp.opts.MaxFileBytes)
	if err != nil {
		return imp.addRejected(ctx, p, "", reason(err))
	}
	return imp.add(ctx, pendingDoc{file: p, data: data})
}

func readLimited(p string, limit int64) ([]byte, error) {
	f, err := os.Open(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("larger than the limit of %d bytes", limit)
	}
	return data, nil
}

// ImportZip imports one zip archive read from r (size bytes) as a single
// transaction; name is used in messages.
func (s *Store) ImportZip(ctx context.Context, name string, r io.ReaderAt, size int64, opts ImportOptions) (*ImportResult, error) {
	return s.runUnit(ctx, name, opts.withDefaults(), nil, func(imp *importer) error {
		return imp.zip(ctx, name, r, size)
	})
}

func (imp *importer) zip(ctx context.Context, name string, r io.ReaderAt, size int64) error {
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return &unitError{Rejection{File: name, Reason: fmt.Sprintf("not a readable zip archive (truncated?): %v", err)}}
	}
	if len(zr.File) > maxArchiveEntries {
		return &unitError{Rejection{File: name, Reason: fmt.Sprintf("more than %d entries", maxArchiveEntries)}}
	}
	var total int64
	for _, zf := range zr.File {
		if err := ctx.Err(); err != nil {
			return err
		}
		if zf.FileInfo().IsDir() {
			continue
		}
		if fileFormat(zf.Name) == "" {
			imp.ignored++
			continue
		}
		if zf.UncompressedSize64 > uint64(imp.opts.MaxFileBytes) {
			if err := imp.addRejected(ctx, name, zf.Name, fmt.Sprintf("entry declares %d bytes, more than the limit of %d (zip bomb?)", zf.UncompressedSize64, imp.opts.MaxFileBytes)); err != nil {
				return err
			}
			continue
		}
		data, err := readZipEntry(zf, imp.opts.MaxFileBytes)
		total += int64(len(data))
		if total > imp.opts.MaxArchiveBytes {
			return &unitError{Rejection{File: name, Reason: fmt.Sprintf("archive decompresses to more than %d bytes (zip bomb?)", imp.opts.MaxArchiveBytes)}}
		}
		if err != nil {
			if err := imp.addRejected(ctx, name, zf.Name, err.Error()); err != nil {
				return err
			}
			continue
		}
		if err := imp.add(ctx, pendingDoc{file: name, entry: zf.Name, data: data}); err != nil {
			return err
		}
	}
	return nil
}

// readZipEntry reads one entry, never more than limit bytes whatever the
// header says (archive/zip also checks the declared size and CRC).
func readZipEntry(zf *zip.File, limit int64) ([]byte, error) {
	rc, err := zf.Open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	data, err := io.ReadAll(io.LimitReader(rc, limit+1))
	if errors.Is(err, zip.ErrFormat) || errors.Is(err, zip.ErrChecksum) {
		return data, fmt.Errorf("read entry: content does not match the entry's header (corrupt archive or zip bomb): %w", err)
	}
	if err != nil {
		return data, fmt.Errorf("read entry: %w", err)
	}
	if int64(len(data)) > limit {
		return data, fmt.Errorf("entry decompresses to more than the limit of %d bytes (zip bomb?)", limit)
	}
	return data, nil
}

func (imp *importer) start(ctx context.Context) {
	imp.started = true
	workers := runtime.GOMAXPROCS(0)
	imp.work = make(chan *pendingDoc, 4*workers)
	imp.order = make(chan *pendingDoc, 1024)
	imp.written = make(chan struct{})
	imp.failed = make(chan struct{})
	for range workers {
		imp.parsers.Add(1)
		go func() {
			defer imp.parsers.Done()
			for d := range imp.work {
				name := d.file
				if d.entry != "" {
					name = d.entry
				}
				d.doc = imp.s.parseDoc(name, d.data)
				d.data = nil
				close(d.done)
			}
		}()
	}
	go func() {
		defer close(imp.written)
		for d := range imp.order {
			<-d.done
			if imp.writeErr != nil {
				continue // drain
			}
			if err := imp.store(ctx, d); err != nil {
				imp.writeErr = err
				close(imp.failed)
			}
		}
	}()
}

// add queues one document for parsing and storing.
func (imp *importer) add(ctx context.Context, d pendingDoc) error {
	if !imp.started {
		imp.start(ctx)
	}
	imp.bytes += int64(len(d.data))
	pd := &d
	pd.done = make(chan struct{})
	select {
	case imp.order <- pd:
	case <-imp.failed:
		return errWriterFailed
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case imp.work <- pd:
	case <-imp.failed:
		return errWriterFailed
	case <-ctx.Done():
		return ctx.Err()
	}
	return nil
}

// addRejected queues a rejection found while reading, so that it is
// reported in input order with the rest.
func (imp *importer) addRejected(ctx context.Context, file, entry, reason string) error {
	return imp.addParsed(ctx, &pendingDoc{file: file, entry: entry, doc: parsedDoc{kind: kindOSV, err: errors.New(reason)}})
}

func (imp *importer) addParsed(ctx context.Context, pd *pendingDoc) error {
	if !imp.started {
		imp.start(ctx)
	}
	pd.done = make(chan struct{})
	close(pd.done)
	select {
	case imp.order <- pd:
		return nil
	case <-imp.failed:
		return errWriterFailed
	case <-ctx.Done():
		return ctx.Err()
	}
}

var errWriterFailed = errors.New("writer failed")

// finish waits for the pipeline and merges the reader's counters. It
// returns the writer's error, if any.
func (imp *importer) finish() error {
	if imp.started {
		close(imp.work)
		close(imp.order)
		imp.parsers.Wait()
		<-imp.written
		imp.started = false
	}
	imp.res.Bytes += imp.bytes
	imp.res.Ignored += imp.ignored
	imp.bytes, imp.ignored = 0, 0
	return imp.writeErr
}

func (imp *importer) store(ctx context.Context, d *pendingDoc) error {
	res := imp.res
	reject := func(id string, err error) {
		res.Rejected = append(res.Rejected, Rejection{File: d.file, Entry: d.entry, ID: id, Reason: err.Error()})
	}
	doc := d.doc
	if doc.kind == kindIgnored {
		res.Ignored++
		return nil
	}
	if doc.err != nil {
		reject("", doc.err)
		return nil
	}
	switch doc.kind {
	case kindKEV:
		stored, err := putKEV(ctx, imp.w, doc.kev)
		if err != nil {
			return err
		}
		res.KEVCatalogVersion = doc.kev.CatalogVersion
		if stored {
			res.KEVEntries = len(doc.kev.Vulnerabilities)
		} else {
			res.KEVUnchanged = true
		}
	case kindEOL:
		if err := putEOL(ctx, imp.w, doc.eol); err != nil {
			return err
		}
		res.EOLProducts++
	case kindOSV:
		origin := imp.opts.Origin
		if origin == "" {
			origin = d.file
			if d.entry != "" {
				origin += "!" + d.entry
			}
		}
		for _, r := range doc.records {
			if r.err != nil {
				reject(r.id, r.err)
				continue
			}
			o, err := imp.w.put(ctx, r.rec, origin)
			if err != nil {
				return err
			}
			switch o {
			case outcomeImported:
				res.Imported++
			case outcomeUpdated:
				res.Updated++
			case outcomeUnchanged:
				res.Unchanged++
			}
			if o != outcomeUnchanged && r.rec.withdrawn {
				res.Withdrawn++
			}
		}
	}
	return nil
}

// reason is the text of err without the path that a *fs.PathError
// repeats, since a Rejection names the file already.
func reason(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Op + ": " + pe.Err.Error()
	}
	return err.Error()
}

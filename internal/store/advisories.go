package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
)

// Advisory is the working copy of a CSAF advisory: the input it is
// generated from and the document last generated. The store keeps both as
// opaque JSON; package csaf gives them meaning.
type Advisory struct {
	ID         string
	TrackingID string
	// Filename is the section 5.1 file name of TrackingID.
	Filename  string
	ProductID string
	// ReleaseID is the release the draft was generated from; "" when
	// none (or deleted since).
	ReleaseID string
	Category  string
	Title     string
	Status    string
	Version   string
	TLP       string
	Input     []byte
	Document  []byte
	// InitialReleaseDate and PublishedAt are zero until the first
	// publication.
	InitialReleaseDate time.Time
	PublishedAt        time.Time
	CreatedAt          time.Time
	UpdatedAt          time.Time
}

// AdvisoryVersion is one published version, stored once and never
// changed.
type AdvisoryVersion struct {
	AdvisoryID         string
	Version            string
	TrackingID         string
	Filename           string
	ProductID          string
	Category           string
	Title              string
	TLP                string
	Input              []byte
	Document           []byte
	SHA512             string
	InitialReleaseDate time.Time
	PublishedAt        time.Time
}

// CreateAdvisory stores a new advisory (a draft). A tracking ID or file
// name in use is ErrConflict; an unknown product is ErrNotFound.
func (s *Store) CreateAdvisory(ctx context.Context, a Advisory) (Advisory, error) {
	if a.TrackingID == "" || a.Filename == "" || a.ProductID == "" || len(a.Document) == 0 {
		return Advisory{}, fmt.Errorf("store: create advisory: %w: tracking id, file name, product and document are required", ErrInvalid)
	}
	if a.ID == "" {
		id, err := newID()
		if err != nil {
			return Advisory{}, fmt.Errorf("store: create advisory: %w", err)
		}
		a.ID = id
	}
	now := fromDB(toDB(s.now()))
	a.CreatedAt, a.UpdatedAt = now, now
	err := s.inTx(ctx, "create advisory", func(tx *sql.Tx) error {
		if err := productExists(ctx, tx, a.ProductID); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO advisories (id, tracking_id, filename, product_id, release_id,
			category, title, status, version, tlp, input, document, initial_release_date, published_at,
			created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $15)`,
			a.ID, a.TrackingID, a.Filename, a.ProductID, nullString(a.ReleaseID), a.Category, a.Title, a.Status,
			a.Version, a.TLP, string(a.Input), string(a.Document), optToDB(a.InitialReleaseDate),
			optToDB(a.PublishedAt), toDB(now))
		return err
	})
	if err != nil {
		return Advisory{}, err
	}
	return a, nil
}

func nullString(s string) sql.NullString {
	return sql.NullString{String: s, Valid: s != ""}
}

const advisoryColumns = `id, tracking_id, filename, product_id, release_id, category, title, status, version,
	tlp, input, document, initial_release_date, published_at, created_at, updated_at`

func scanAdvisory(row rowScanner) (Advisory, error) {
	var (
		a                Advisory
		rel              sql.NullString
		input, doc       string
		initial, pub     sql.NullInt64
		created, updated int64
	)
	if err := row.Scan(&a.ID, &a.TrackingID, &a.Filename, &a.ProductID, &rel, &a.Category, &a.Title, &a.Status,
		&a.Version, &a.TLP, &input, &doc, &initial, &pub, &created, &updated); err != nil {
		return Advisory{}, err
	}
	a.ReleaseID, a.Input, a.Document = rel.String, []byte(input), []byte(doc)
	a.InitialReleaseDate, a.PublishedAt = optFromDB(initial), optFromDB(pub)
	a.CreatedAt, a.UpdatedAt = fromDB(created), fromDB(updated)
	return a, nil
}

// GetAdvisory returns one advisory by ID, or ErrNotFound.
func (s *Store) GetAdvisory(ctx context.Context, id string) (Advisory, error) {
	a, err := scanAdvisory(s.q().QueryRowContext(ctx, `SELECT `+advisoryColumns+` FROM advisories WHERE id = $1`, id))
	if err != nil {
		return Advisory{}, fmt.Errorf("store: get advisory: %w", notFound(err))
	}
	return a, nil
}

// UpdateAdvisory replaces the working copy's title, status, version,
// input and document (a draft edit). Published versions are not touched.
func (s *Store) UpdateAdvisory(ctx context.Context, a Advisory) (Advisory, error) {
	now := fromDB(toDB(s.now()))
	err := s.inTx(ctx, "update advisory", func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE advisories SET title = $2, status = $3, version = $4, input = $5,
			document = $6, updated_at = $7 WHERE id = $1`,
			a.ID, a.Title, a.Status, a.Version, string(a.Input), string(a.Document), toDB(now))
		if err != nil {
			return err
		}
		return affectedOne(res)
	})
	if err != nil {
		return Advisory{}, err
	}
	return s.GetAdvisory(ctx, a.ID)
}

// PublishAdvisory stores v as a new published version and makes the
// working copy match it, in one transaction. A version already published
// is ErrConflict (two publishers racing: one wins).
func (s *Store) PublishAdvisory(ctx context.Context, a Advisory, v AdvisoryVersion) (Advisory, error) {
	if v.AdvisoryID != a.ID || v.Version == "" || len(v.Document) == 0 || v.SHA512 == "" || v.PublishedAt.IsZero() {
		return Advisory{}, fmt.Errorf("store: publish advisory: %w: incomplete version", ErrInvalid)
	}
	err := s.inTx(ctx, "publish advisory", func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE advisories SET title = $2, status = $3, version = $4, input = $5,
			document = $6, initial_release_date = $7, published_at = $8, updated_at = $8 WHERE id = $1`,
			a.ID, a.Title, a.Status, a.Version, string(a.Input), string(a.Document),
			toDB(v.InitialReleaseDate), toDB(v.PublishedAt))
		if err != nil {
			return err
		}
		if err := affectedOne(res); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO advisory_versions (advisory_id, version, tracking_id, filename,
			product_id, category, title, tlp, input, document, sha512, initial_release_date, published_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
			v.AdvisoryID, v.Version, v.TrackingID, v.Filename, v.ProductID, v.Category, v.Title, v.TLP,
			string(v.Input), string(v.Document), v.SHA512, toDB(v.InitialReleaseDate), toDB(v.PublishedAt))
		return err
	})
	if err != nil {
		return Advisory{}, err
	}
	return s.GetAdvisory(ctx, a.ID)
}

// AdvisoryFilter narrows ListAdvisories.
type AdvisoryFilter struct {
	// All lists every product's advisories; otherwise only ProductIDs'.
	All        bool
	ProductIDs []string
	// Before is the cursor: only advisories created before it (or at it
	// with a smaller ID). Zero for the first page.
	BeforeCreated time.Time
	BeforeID      string
	Limit         int
}

// ListAdvisories returns advisories newest first (creation time, then ID
// descending), at most f.Limit.
func (s *Store) ListAdvisories(ctx context.Context, f AdvisoryFilter) ([]Advisory, error) {
	if !f.All && len(f.ProductIDs) == 0 {
		return nil, nil
	}
	var where []string
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	if !f.All {
		ph := make([]string, len(f.ProductIDs))
		for i, id := range f.ProductIDs {
			ph[i] = arg(id)
		}
		where = append(where, "product_id IN ("+strings.Join(ph, ", ")+")")
	}
	if !f.BeforeCreated.IsZero() {
		c := arg(toDB(f.BeforeCreated))
		where = append(where, "(created_at < "+c+" OR (created_at = "+c+" AND id < "+arg(f.BeforeID)+"))")
	}
	q := `SELECT ` + advisoryColumns + ` FROM advisories`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 100
	}
	q += " ORDER BY created_at DESC, id DESC LIMIT " + arg(limit)
	rows, err := s.q().QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("store: list advisories: %w", err)
	}
	defer rows.Close()
	var out []Advisory
	for rows.Next() {
		a, err := scanAdvisory(rows)
		if err != nil {
			return nil, fmt.Errorf("store: list advisories: %w", err)
		}
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: list advisories: %w", err)
	}
	return out, nil
}

const advisoryVersionColumns = `v.advisory_id, v.version, v.tracking_id, v.filename, v.product_id, v.category,
	v.title, v.tlp, v.input, v.document, v.sha512, v.initial_release_date, v.published_at`

func scanAdvisoryVersion(row rowScanner) (AdvisoryVersion, error) {
	var (
		v          AdvisoryVersion
		input, doc string
		ini, pub   int64
	)
	if err := row.Scan(&v.AdvisoryID, &v.Version, &v.TrackingID, &v.Filename, &v.ProductID, &v.Category,
		&v.Title, &v.TLP, &input, &doc, &v.SHA512, &ini, &pub); err != nil {
		return AdvisoryVersion{}, err
	}
	v.Input, v.Document, v.InitialReleaseDate, v.PublishedAt = []byte(input), []byte(doc), fromDB(ini), fromDB(pub)
	return v, nil
}

// latestVersionJoin keeps, per advisory, the version published last.
const latestVersionJoin = ` FROM advisory_versions v JOIN advisories a ON a.id = v.advisory_id
	AND a.published_at = v.published_at`

// ListLatestAdvisoryVersions returns the latest published version of
// every advisory labelled tlp, most recently published first (ties by
// file name), as a CSAF provider lists them.
func (s *Store) ListLatestAdvisoryVersions(ctx context.Context, tlp string) ([]AdvisoryVersion, error) {
	rows, err := s.q().QueryContext(ctx, `SELECT `+advisoryVersionColumns+latestVersionJoin+
		` WHERE v.tlp = $1 ORDER BY v.published_at DESC, v.filename`, tlp)
	if err != nil {
		return nil, fmt.Errorf("store: list advisory versions: %w", err)
	}
	defer rows.Close()
	var out []AdvisoryVersion
	for rows.Next() {
		v, err := scanAdvisoryVersion(rows)
		if err != nil {
			return nil, fmt.Errorf("store: list advisory versions: %w", err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: list advisory versions: %w", err)
	}
	return out, nil
}

// GetLatestAdvisoryVersion returns the latest published version of the
// advisory whose file name is filename, or ErrNotFound.
func (s *Store) GetLatestAdvisoryVersion(ctx context.Context, filename string) (AdvisoryVersion, error) {
	v, err := scanAdvisoryVersion(s.q().QueryRowContext(ctx, `SELECT `+advisoryVersionColumns+latestVersionJoin+
		` WHERE v.filename = $1`, filename))
	if err != nil {
		return AdvisoryVersion{}, fmt.Errorf("store: get advisory version: %w", notFound(err))
	}
	return v, nil
}

// ListAdvisoryVersions returns every published version of one advisory,
// oldest first.
func (s *Store) ListAdvisoryVersions(ctx context.Context, advisoryID string) ([]AdvisoryVersion, error) {
	rows, err := s.q().QueryContext(ctx, `SELECT `+advisoryVersionColumns+` FROM advisory_versions v
		WHERE v.advisory_id = $1 ORDER BY v.published_at, v.version`, advisoryID)
	if err != nil {
		return nil, fmt.Errorf("store: list advisory versions: %w", err)
	}
	defer rows.Close()
	var out []AdvisoryVersion
	for rows.Next() {
		v, err := scanAdvisoryVersion(rows)
		if err != nil {
			return nil, fmt.Errorf("store: list advisory versions: %w", err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: list advisory versions: %w", err)
	}
	return out, nil
}

// GetAdvisoryVersion returns one published version of an advisory, or
// ErrNotFound.
func (s *Store) GetAdvisoryVersion(ctx context.Context, advisoryID, version string) (AdvisoryVersion, error) {
	v, err := scanAdvisoryVersion(s.q().QueryRowContext(ctx, `SELECT `+advisoryVersionColumns+` FROM advisory_versions v
		WHERE v.advisory_id = $1 AND v.version = $2`, advisoryID, version))
	if err != nil {
		return AdvisoryVersion{}, fmt.Errorf("store: get advisory version: %w", notFound(err))
	}
	return v, nil
}

package advisory

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"
)

// kevCatalog is the CISA KEV catalog as published
// (https://www.cisa.gov/known-exploited-vulnerabilities-catalog), the
// fields craft keeps.
type kevCatalog struct {
	Title           string     `json:"title"`
	CatalogVersion  string     `json:"catalogVersion"`
	DateReleased    time.Time  `json:"dateReleased"`
	Count           int        `json:"count"`
	Vulnerabilities []kevEntry `json:"vulnerabilities"`
}

type kevEntry struct {
	CVEID                      string   `json:"cveID"`
	VendorProject              string   `json:"vendorProject"`
	Product                    string   `json:"product"`
	VulnerabilityName          string   `json:"vulnerabilityName"`
	DateAdded                  string   `json:"dateAdded"`
	ShortDescription           string   `json:"shortDescription"`
	RequiredAction             string   `json:"requiredAction"`
	DueDate                    string   `json:"dueDate"`
	KnownRansomwareCampaignUse string   `json:"knownRansomwareCampaignUse"`
	Notes                      string   `json:"notes"`
	CWEs                       []string `json:"cwes"`
}

var cveIDPattern = regexp.MustCompile(`^CVE-[0-9]{4}-[0-9]{4,}$`)

// parseKEV decodes and checks a KEV catalog. Since a catalog replaces the
// stored one as a whole, any malformed entry rejects the whole file and
// the stored catalog stays.
func parseKEV(data []byte) (*kevCatalog, error) {
	var c kevCatalog
	if err := json.Unmarshal(data, &c); err != nil {
		return nil, fmt.Errorf("KEV catalog of the wrong shape: %w", err)
	}
	if strings.TrimSpace(c.CatalogVersion) == "" {
		return nil, errors.New("KEV catalog of the wrong shape: no catalogVersion")
	}
	if len(c.Vulnerabilities) == 0 {
		return nil, errors.New("KEV catalog of the wrong shape: no vulnerabilities")
	}
	seen := make(map[string]bool, len(c.Vulnerabilities))
	for i := range c.Vulnerabilities {
		e := &c.Vulnerabilities[i]
		e.CVEID = strings.ToUpper(strings.TrimSpace(e.CVEID))
		if !cveIDPattern.MatchString(e.CVEID) {
			return nil, fmt.Errorf("KEV catalog of the wrong shape: vulnerabilities[%d]: cveID %q is not a CVE ID", i, e.CVEID)
		}
		if seen[e.CVEID] {
			return nil, fmt.Errorf("KEV catalog: vulnerabilities[%d]: %s listed twice", i, e.CVEID)
		}
		seen[e.CVEID] = true
		if _, err := time.Parse(time.DateOnly, e.DateAdded); err != nil {
			return nil, fmt.Errorf("KEV catalog: %s: dateAdded %q is not a date", e.CVEID, e.DateAdded)
		}
		if e.DueDate != "" {
			if _, err := time.Parse(time.DateOnly, e.DueDate); err != nil {
				return nil, fmt.Errorf("KEV catalog: %s: dueDate %q is not a date", e.CVEID, e.DueDate)
			}
		}
	}
	if c.Count != 0 && c.Count != len(c.Vulnerabilities) {
		return nil, fmt.Errorf("KEV catalog: count says %d entries, found %d (truncated?)", c.Count, len(c.Vulnerabilities))
	}
	return &c, nil
}

// putKEV replaces the stored catalog with c, unless the stored one was
// released later. It reports whether c was stored.
func putKEV(ctx context.Context, w *writer, c *kevCatalog) (bool, error) {
	var stored string
	err := w.tx.QueryRowContext(ctx, `SELECT value FROM meta WHERE key='kev_date_released'`).Scan(&stored)
	if err == nil {
		if t, perr := time.Parse(time.RFC3339Nano, stored); perr == nil && c.DateReleased.Before(t) {
			return false, nil
		}
	}
	old, err := kevDates(ctx, w)
	if err != nil {
		return false, err
	}
	for _, e := range c.Vulnerabilities {
		if d, ok := old[e.CVEID]; !ok || d != e.DateAdded {
			w.changes.addKEV(e.CVEID)
		}
		delete(old, e.CVEID)
	}
	for id := range old {
		w.changes.addKEV(id)
	}
	if _, err := w.tx.ExecContext(ctx, `DELETE FROM kev`); err != nil {
		return false, fmt.Errorf("replace KEV catalog: %w", err)
	}
	st, err := w.tx.PrepareContext(ctx, `INSERT INTO kev(cve_id, vendor_project, product, vulnerability_name,
		date_added, short_description, required_action, due_date, ransomware, notes, cwes)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return false, fmt.Errorf("replace KEV catalog: %w", err)
	}
	defer st.Close()
	for _, e := range c.Vulnerabilities {
		cwes, err := json.Marshal(e.CWEs)
		if err != nil {
			return false, fmt.Errorf("replace KEV catalog: %s: %w", e.CVEID, err)
		}
		if _, err := st.ExecContext(ctx, e.CVEID, e.VendorProject, e.Product, e.VulnerabilityName,
			e.DateAdded, e.ShortDescription, e.RequiredAction, e.DueDate, e.KnownRansomwareCampaignUse,
			e.Notes, string(cwes)); err != nil {
			return false, fmt.Errorf("replace KEV catalog: %s: %w", e.CVEID, err)
		}
	}
	if err := setMeta(ctx, w.tx, "kev_catalog_version", c.CatalogVersion); err != nil {
		return false, err
	}
	if err := setMeta(ctx, w.tx, "kev_date_released", c.DateReleased.UTC().Format(time.RFC3339Nano)); err != nil {
		return false, err
	}
	return true, nil
}

package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
)

// ProductProfile is what the CRA asks of a product beyond its name: the
// manufacturer, what it is for, its class (Annex III/IV), its support
// period (Art. 13(8)), where vulnerabilities are reported, and the Member
// States it is made available in (Art. 14). The store keeps the values as
// given; the server validates them.
type ProductProfile struct {
	Manufacturer    string
	Description     string
	IntendedPurpose string
	// Class is "default", "important-i", "important-ii" or "critical".
	Class string
	// SupportStart and SupportEnd are months, "2026-12"; "" when unset.
	SupportStart string
	SupportEnd   string
	// SupportJustification explains a support period shorter than five
	// years (Art. 13(8)).
	SupportJustification string
	SecurityContact      string
	// MemberStates are ISO 3166-1 alpha-2 codes.
	MemberStates []string
	// UpdatedAt is when the profile last changed; zero when never.
	UpdatedAt time.Time
}

// GetProductProfile returns the CRA fields of a product, or ErrNotFound.
func (s *Store) GetProductProfile(ctx context.Context, id string) (ProductProfile, error) {
	var (
		p      ProductProfile
		states string
		at     int64
	)
	err := s.q().QueryRowContext(ctx, `SELECT manufacturer, description, intended_purpose, cra_class,
		support_start, support_end, support_justification, security_contact, member_states, updated_at
		FROM products WHERE id = $1`, id).Scan(&p.Manufacturer, &p.Description, &p.IntendedPurpose, &p.Class,
		&p.SupportStart, &p.SupportEnd, &p.SupportJustification, &p.SecurityContact, &states, &at)
	if err != nil {
		return ProductProfile{}, fmt.Errorf("store: get product profile: %w", notFound(err))
	}
	p.MemberStates = splitList(states)
	if at != 0 {
		p.UpdatedAt = fromDB(at)
	}
	return p, nil
}

// SetProductProfile replaces the CRA fields of a product (ErrNotFound when
// it does not exist; an unknown class is ErrConflict from the CHECK
// constraint). An empty Class means "default".
func (s *Store) SetProductProfile(ctx context.Context, id string, p ProductProfile) error {
	if p.Class == "" {
		p.Class = "default"
	}
	for _, c := range p.MemberStates {
		if strings.Contains(c, ",") {
			return fmt.Errorf("store: set product profile: %w: member state %q", ErrInvalid, c)
		}
	}
	at := p.UpdatedAt
	if at.IsZero() {
		at = s.now()
	}
	return s.inTx(ctx, "set product profile", func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE products SET manufacturer = $1, description = $2,
			intended_purpose = $3, cra_class = $4, support_start = $5, support_end = $6,
			support_justification = $7, security_contact = $8, member_states = $9, updated_at = $10
			WHERE id = $11`,
			p.Manufacturer, p.Description, p.IntendedPurpose, p.Class, p.SupportStart, p.SupportEnd,
			p.SupportJustification, p.SecurityContact, strings.Join(p.MemberStates, ","), toDB(at), id)
		if err != nil {
			return err
		}
		return affectedOne(res)
	})
}

func splitList(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

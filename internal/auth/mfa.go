package auth

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// MFAPolicy says who must use a second factor. Administrators always must
// (DESIGN.md, "Security of craft itself"); RequireForAll extends that to
// every account.
type MFAPolicy struct {
	RequireForAll bool
}

// Required reports whether u must pass (or enrol) TOTP to sign in.
func (p MFAPolicy) Required(u User) bool {
	return p.RequireForAll || u.Role == RoleAdministrator || u.MFAEnabled
}

// MFA enrols and verifies TOTP second factors and recovery codes.
type MFA struct {
	Users  UserStore
	Store  MFAStore
	Sealer *Sealer
	// Issuer is shown in the authenticator app; "" means "craft".
	Issuer string
	Now    func() time.Time
}

// Enrolment is what the server shows once when a user sets up TOTP: the
// base32 secret for manual entry and the otpauth:// URL for the QR code.
type Enrolment struct {
	Secret string
	URL    string
}

func totpContext(userID string) []byte { return []byte("craft totp secret v1\x00" + userID) }

// BeginEnrolment makes a new TOTP secret for u and stores it sealed but
// not yet enabled. A user who has MFA enabled must disable it first.
func (m *MFA) BeginEnrolment(ctx context.Context, u User) (Enrolment, error) {
	if u.MFAEnabled {
		return Enrolment{}, fmt.Errorf("%w: multi-factor authentication is already enabled", ErrInvalidInput)
	}
	issuer := m.Issuer
	if issuer == "" {
		issuer = "craft"
	}
	key, err := newTOTPKey(issuer, u.Email)
	if err != nil {
		return Enrolment{}, err
	}
	sealed, err := m.Sealer.Seal([]byte(key.Secret()), totpContext(u.ID))
	if err != nil {
		return Enrolment{}, err
	}
	u.MFASecret, u.MFAEnabled = sealed, false
	if _, err := m.Users.UpdateUser(ctx, u); err != nil {
		return Enrolment{}, fmt.Errorf("auth: begin mfa enrolment: %w", err)
	}
	return Enrolment{Secret: key.Secret(), URL: key.URL()}, nil
}

// ConfirmEnrolment checks the first code from the user's app against the
// pending secret, enables MFA and returns the recovery codes, to be shown
// once. The code counts as used.
func (m *MFA) ConfirmEnrolment(ctx context.Context, userID, code string) ([]string, error) {
	u, err := m.Users.GetUser(ctx, userID)
	if err != nil {
		return nil, fmt.Errorf("auth: confirm mfa enrolment: %w", err)
	}
	if u.MFAEnabled || len(u.MFASecret) == 0 {
		return nil, fmt.Errorf("%w: no pending enrolment", ErrInvalidInput)
	}
	if err := m.checkTOTP(ctx, u, code); err != nil {
		return nil, err
	}
	codes, err := m.RegenerateRecoveryCodes(ctx, userID)
	if err != nil {
		return nil, err
	}
	u.MFAEnabled = true
	if _, err := m.Users.UpdateUser(ctx, u); err != nil {
		return nil, fmt.Errorf("auth: confirm mfa enrolment: %w", err)
	}
	return codes, nil
}

// Verify accepts a current TOTP code (once: a code replayed within its
// window is refused) or an unused recovery code (which is then used up).
// Wrong codes return ErrInvalidCode; throttling is the caller's
// ([Service.VerifyMFA] does it).
func (m *MFA) Verify(ctx context.Context, userID, code string) error {
	u, err := m.Users.GetUser(ctx, userID)
	if err != nil {
		return fmt.Errorf("auth: verify mfa: %w", err)
	}
	if !u.MFAEnabled {
		return ErrInvalidCode
	}
	if rc, ok := normalizeRecoveryCode(code); ok {
		err := m.Store.UseRecoveryCode(ctx, u.ID, sha256Hex(rc), m.now())
		switch {
		case errors.Is(err, ErrNotFound):
			return ErrInvalidCode
		case err != nil:
			return fmt.Errorf("auth: verify recovery code: %w", err)
		}
		return nil
	}
	return m.checkTOTP(ctx, u, code)
}

func (m *MFA) checkTOTP(ctx context.Context, u User, code string) error {
	secret, err := m.Sealer.Open(u.MFASecret, totpContext(u.ID))
	if err != nil {
		return fmt.Errorf("auth: totp secret of %s: %w", u.ID, err)
	}
	step, ok, err := matchTOTP(string(secret), code, m.now())
	if err != nil {
		return err
	}
	if !ok {
		return ErrInvalidCode
	}
	first, err := m.Store.UseTOTPStep(ctx, u.ID, step)
	if err != nil {
		return fmt.Errorf("auth: totp replay check: %w", err)
	}
	if !first {
		return ErrInvalidCode
	}
	return nil
}

// RegenerateRecoveryCodes replaces the user's recovery codes with
// RecoveryCodeCount new ones and returns them for display.
func (m *MFA) RegenerateRecoveryCodes(ctx context.Context, userID string) ([]string, error) {
	codes, hashes, err := newRecoveryCodes()
	if err != nil {
		return nil, err
	}
	if err := m.Store.SetRecoveryCodes(ctx, userID, hashes); err != nil {
		return nil, fmt.Errorf("auth: store recovery codes: %w", err)
	}
	return codes, nil
}

// Disable removes the user's TOTP secret and recovery codes. The server
// must not offer this to an account whose policy requires MFA unless it
// enrols again.
func (m *MFA) Disable(ctx context.Context, userID string) error {
	u, err := m.Users.GetUser(ctx, userID)
	if err != nil {
		return fmt.Errorf("auth: disable mfa: %w", err)
	}
	u.MFASecret, u.MFAEnabled = nil, false
	if _, err := m.Users.UpdateUser(ctx, u); err != nil {
		return fmt.Errorf("auth: disable mfa: %w", err)
	}
	if err := m.Store.SetRecoveryCodes(ctx, userID, nil); err != nil {
		return fmt.Errorf("auth: disable mfa: %w", err)
	}
	return nil
}

// RecoveryCodesLeft is the number of unused recovery codes, for the
// account page.
func (m *MFA) RecoveryCodesLeft(ctx context.Context, userID string) (int, error) {
	h, err := m.Store.RecoveryCodeHashes(ctx, userID)
	if err != nil {
		return 0, fmt.Errorf("auth: recovery codes: %w", err)
	}
	return len(h), nil
}

func (m *MFA) now() time.Time {
	if m.Now == nil {
		return time.Now()
	}
	return m.Now()
}

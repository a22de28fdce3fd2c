package auth

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"
)

// maxPasswordInput bounds the bytes of a password attempt that are
// normalised and hashed (256 characters of at most 4 bytes each).
const maxPasswordInput = 4 * MaxPasswordLength

// Service is the sign-in flow: password step, second factor, password
// changes and account creation, with throttling and sessions.
type Service struct {
	Users    UserStore
	Hasher   *PasswordHasher
	Sessions *Sessions
	MFA      *MFA
	Throttle *Throttle
	// Tokens and Setup are set when ServiceConfig has their stores.
	Tokens *Tokens
	Setup  *SetupTokens
	Policy MFAPolicy
	// Account, IP and MFACode are the throttling policies; zero values
	// mean [DefaultAccountThrottle], [DefaultIPThrottle] and
	// [DefaultAccountThrottle].
	Account, IP, MFACode ThrottlePolicy
	Now                  func() time.Time

	// dummyHash is verified for unknown and disabled accounts so that
	// every failed sign-in costs one argon2id run.
	dummyHash string
	// verify is the password check; tests wrap it to count runs.
	verify func(encoded, pw string) (bool, error)
}

// ServiceConfig wires a Service.
type ServiceConfig struct {
	Users    UserStore
	MFAStore MFAStore
	Sessions SessionStore
	Throttle ThrottleStore
	// Tokens and Setup are optional: without them Service.Tokens and
	// Service.Setup stay nil.
	Tokens TokenStore
	Setup  SetupStore
	Sealer *Sealer
	// Hasher nil means argon2id with [DefaultArgon2Params].
	Hasher *PasswordHasher
	Policy MFAPolicy
	// IdleTimeout and AbsoluteTimeout of sessions; zero means defaults.
	IdleTimeout, AbsoluteTimeout time.Duration
	Issuer                       string
	Now                          func() time.Time
}

// NewService builds the sign-in flow. It hashes one random password to
// make the dummy hash for unknown accounts.
func NewService(c ServiceConfig) (*Service, error) {
	if c.Users == nil || c.MFAStore == nil || c.Sessions == nil || c.Throttle == nil || c.Sealer == nil {
		return nil, fmt.Errorf("%w: auth service needs users, mfa, sessions and throttle stores and a sealer", ErrInvalidInput)
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Hasher == nil {
		c.Hasher = NewPasswordHasher()
	}
	var b [24]byte
	if _, err := rand.Read(b[:]); err != nil {
		return nil, fmt.Errorf("auth: dummy password: %w", err)
	}
	dummy, err := c.Hasher.Hash(base64.RawURLEncoding.EncodeToString(b[:]))
	if err != nil {
		return nil, err
	}
	s := &Service{
		Users:  c.Users,
		Hasher: c.Hasher,
		Sessions: &Sessions{Store: c.Sessions, Users: c.Users, IdleTimeout: c.IdleTimeout,
			AbsoluteTimeout: c.AbsoluteTimeout, MFA: c.Policy, Now: c.Now},
		MFA:       &MFA{Users: c.Users, Store: c.MFAStore, Sealer: c.Sealer, Issuer: c.Issuer, Now: c.Now},
		Throttle:  &Throttle{Store: c.Throttle, Now: c.Now},
		Policy:    c.Policy,
		Now:       c.Now,
		dummyHash: dummy,
	}
	if c.Tokens != nil {
		s.Tokens = &Tokens{Store: c.Tokens, Users: c.Users, Now: c.Now}
	}
	if c.Setup != nil {
		s.Setup = &SetupTokens{Store: c.Setup, Now: c.Now}
	}
	s.verify = s.Hasher.Verify
	return s, nil
}

// LoginRequest is one sign-in attempt.
type LoginRequest struct {
	Email, Password string
	// IP is the client address (as the server determined it), UserAgent
	// the browser's, for throttling and the session list.
	IP, UserAgent string
	// OldSessionToken is the session cookie the browser sent, if any; it
	// is ended, so a session never survives a sign-in (no fixation).
	OldSessionToken string
}

// LoginResult is a successful password step.
type LoginResult struct {
	User    User
	Session NewSession
	// MFARequired: the session is pending until VerifyMFA succeeds.
	MFARequired bool
	// MFAEnrolmentRequired: the user must enrol TOTP (CompleteEnrolment)
	// before the session is of any use.
	MFAEnrolmentRequired bool
}

// Login checks an e-mail address and password. Failures are
// ErrInvalidCredentials whether the account is unknown, disabled or the
// password wrong, after the same argon2id work, and are counted per
// account and per address; while either counter asks for a wait, attempts
// are refused with a *ThrottledError before any check. A success resets
// the account counter (not the address's), rehashes a password stored
// with weaker parameters, and starts a new session.
func (s *Service) Login(ctx context.Context, req LoginRequest) (LoginResult, error) {
	keys := []ThrottleKey{AccountKey(req.Email, s.account()), IPKey(req.IP, s.ip())}
	if err := s.Throttle.Check(ctx, keys...); err != nil {
		return LoginResult{}, err
	}
	u, ok, err := s.checkPassword(ctx, req.Email, req.Password)
	if err != nil {
		return LoginResult{}, err
	}
	if !ok {
		if err := s.Throttle.Failure(ctx, keys...); err != nil {
			return LoginResult{}, err
		}
		return LoginResult{}, ErrInvalidCredentials
	}
	if err := s.Throttle.Success(ctx, keys...); err != nil {
		return LoginResult{}, err
	}
	if s.Hasher.NeedsRehash(u.PasswordHash) {
		if u, err = s.storePassword(ctx, u, req.Password); err != nil {
			return LoginResult{}, err
		}
	}
	if req.OldSessionToken != "" {
		if err := s.Sessions.Revoke(ctx, req.OldSessionToken); err != nil {
			return LoginResult{}, err
		}
	}
	need := s.Policy.Required(u)
	ns, err := s.Sessions.Create(ctx, u.ID, req.IP, req.UserAgent, !need)
	if err != nil {
		return LoginResult{}, err
	}
	return LoginResult{User: u, Session: ns, MFARequired: need && u.MFAEnabled, MFAEnrolmentRequired: need && !u.MFAEnabled}, nil
}

// checkPassword runs exactly one argon2id verification whatever the
// account: the real hash, or the dummy one for an unknown, disabled or
// password-less account.
func (s *Service) checkPassword(ctx context.Context, email, pw string) (User, bool, error) {
	u, err := s.Users.GetUserByEmail(ctx, email)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return User{}, false, fmt.Errorf("auth: sign in: %w", err)
	}
	usable := err == nil && !u.Disabled() && u.PasswordHash != ""
	hash := s.dummyHash
	if usable {
		hash = u.PasswordHash
	}
	if len(pw) > maxPasswordInput {
		pw = pw[:maxPasswordInput] // still hashed, still wrong: same work, same answer
		usable = false
	}
	ok, verr := s.verify(hash, pw)
	if verr != nil {
		if usable {
			return User{}, false, fmt.Errorf("auth: stored password hash of %s: %w", u.ID, verr)
		}
		return User{}, false, verr
	}
	return u, ok && usable, nil
}

// VerifyMFA checks the second factor (TOTP or recovery code) of a session
// that passed the password step, throttled per account and per address,
// and rotates the session: the pending token stops working and the new one
// is fully signed in.
func (s *Service) VerifyMFA(ctx context.Context, sessionToken, code, ip string) (NewSession, error) {
	sess, err := s.Sessions.Validate(ctx, sessionToken)
	if err != nil {
		return NewSession{}, err
	}
	keys := []ThrottleKey{MFAKey(sess.UserID, s.mfaCode()), IPKey(ip, s.ip())}
	if err := s.Throttle.Check(ctx, keys...); err != nil {
		return NewSession{}, err
	}
	if err := s.MFA.Verify(ctx, sess.UserID, code); err != nil {
		if errors.Is(err, ErrInvalidCode) {
			if ferr := s.Throttle.Failure(ctx, keys...); ferr != nil {
				return NewSession{}, ferr
			}
		}
		return NewSession{}, err
	}
	if err := s.Throttle.Success(ctx, keys...); err != nil {
		return NewSession{}, err
	}
	return s.Sessions.Rotate(ctx, sessionToken, true)
}

// BeginEnrolment starts TOTP enrolment for the session's user (a pending
// session of a user who must enrol, or a signed-in user).
func (s *Service) BeginEnrolment(ctx context.Context, sessionToken string) (Enrolment, error) {
	sess, err := s.Sessions.Validate(ctx, sessionToken)
	if err != nil {
		return Enrolment{}, err
	}
	u, err := s.Users.GetUser(ctx, sess.UserID)
	if err != nil {
		return Enrolment{}, fmt.Errorf("auth: enrol: %w", err)
	}
	if u.MFAEnabled {
		// Re-enrolling would let a pending session replace the factor it
		// has not passed.
		return Enrolment{}, fmt.Errorf("%w: multi-factor authentication is already enabled", ErrInvalidInput)
	}
	return s.MFA.BeginEnrolment(ctx, u)
}

// CompleteEnrolment confirms enrolment with the first code, returns the
// recovery codes (show once) and rotates the session to a fully signed-in
// one.
func (s *Service) CompleteEnrolment(ctx context.Context, sessionToken, code, ip string) (NewSession, []string, error) {
	sess, err := s.Sessions.Validate(ctx, sessionToken)
	if err != nil {
		return NewSession{}, nil, err
	}
	keys := []ThrottleKey{MFAKey(sess.UserID, s.mfaCode()), IPKey(ip, s.ip())}
	if err := s.Throttle.Check(ctx, keys...); err != nil {
		return NewSession{}, nil, err
	}
	codes, err := s.MFA.ConfirmEnrolment(ctx, sess.UserID, code)
	if err != nil {
		if errors.Is(err, ErrInvalidCode) {
			if ferr := s.Throttle.Failure(ctx, keys...); ferr != nil {
				return NewSession{}, nil, ferr
			}
		}
		return NewSession{}, nil, err
	}
	if err := s.Throttle.Success(ctx, keys...); err != nil {
		return NewSession{}, nil, err
	}
	ns, err := s.Sessions.Rotate(ctx, sessionToken, true)
	if err != nil {
		return NewSession{}, nil, err
	}
	return ns, codes, nil
}

// ChangePassword changes the signed-in user's password after checking the
// current one (throttled like a sign-in), and ends every other session of
// the user.
func (s *Service) ChangePassword(ctx context.Context, p Principal, current, next, ip string) error {
	if err := Authorize(p, PermAccountManage, ""); err != nil {
		return err
	}
	u, err := s.Users.GetUser(ctx, p.UserID)
	if err != nil {
		return fmt.Errorf("auth: change password: %w", err)
	}
	keys := []ThrottleKey{AccountKey(u.Email, s.account()), IPKey(ip, s.ip())}
	if err := s.Throttle.Check(ctx, keys...); err != nil {
		return err
	}
	if _, ok, err := s.checkPassword(ctx, u.Email, current); err != nil {
		return err
	} else if !ok {
		if err := s.Throttle.Failure(ctx, keys...); err != nil {
			return err
		}
		return ErrInvalidCredentials
	}
	if err := CheckPassword(next, u.Email); err != nil {
		return err
	}
	if _, err := s.storePassword(ctx, u, next); err != nil {
		return err
	}
	_, err = s.Sessions.RevokeAll(ctx, u.ID, p.SessionID)
	return err
}

// SetPassword sets a new password without knowing the old one (first-run
// setup, craft admin create, an administrator's reset), applying the
// password policy, and ends every session of the user.
func (s *Service) SetPassword(ctx context.Context, userID, pw string) error {
	u, err := s.Users.GetUser(ctx, userID)
	if err != nil {
		return fmt.Errorf("auth: set password: %w", err)
	}
	if err := CheckPassword(pw, u.Email); err != nil {
		return err
	}
	if _, err := s.storePassword(ctx, u, pw); err != nil {
		return err
	}
	_, err = s.Sessions.RevokeAll(ctx, u.ID, "")
	return err
}

// NewUser asks for an account.
type NewUser struct {
	Email, DisplayName, Password string
	// Role "" means RoleViewer: new accounts get the lowest role.
	Role Role
}

// CreateUser applies the password policy, hashes the password and stores
// the account.
func (s *Service) CreateUser(ctx context.Context, n NewUser) (User, error) {
	u, err := NewAccount(s.Hasher, n, s.Now())
	if err != nil {
		return User{}, err
	}
	u, err = s.Users.CreateUser(ctx, u)
	if err != nil {
		return User{}, fmt.Errorf("auth: create user: %w", err)
	}
	return u, nil
}

// NewAccount checks a requested account (a plausible e-mail address, a
// known role, "" meaning viewer, a password that meets the policy) and
// returns the User to store, with the password hashed by h. It needs no
// storage, so craft admin create can use it before the server ever ran.
func NewAccount(h *PasswordHasher, n NewUser, now time.Time) (User, error) {
	email := strings.TrimSpace(n.Email)
	if err := checkEmail(email); err != nil {
		return User{}, err
	}
	role := n.Role
	if role == "" {
		role = RoleViewer
	}
	if !role.Valid() {
		return User{}, fmt.Errorf("%w: unknown role %q", ErrInvalidInput, role)
	}
	if err := CheckPassword(n.Password, email); err != nil {
		return User{}, err
	}
	hash, err := h.Hash(n.Password)
	if err != nil {
		return User{}, err
	}
	return User{Email: email, DisplayName: strings.TrimSpace(n.DisplayName), PasswordHash: hash,
		Role: role, CreatedAt: now, UpdatedAt: now}, nil
}

func (s *Service) storePassword(ctx context.Context, u User, pw string) (User, error) {
	hash, err := s.Hasher.Hash(pw)
	if err != nil {
		return User{}, err
	}
	u.PasswordHash = hash
	u, err = s.Users.UpdateUser(ctx, u)
	if err != nil {
		return User{}, fmt.Errorf("auth: store password: %w", err)
	}
	return u, nil
}

// checkEmail is a plausibility check, not RFC 5322: one "@" with text on
// both sides, no spaces or control characters, at most 254 bytes.
func checkEmail(e string) error {
	at := strings.LastIndexByte(e, '@')
	if len(e) > 254 || at < 1 || at == len(e)-1 || strings.ContainsFunc(e, func(r rune) bool { return r <= ' ' || r == 0x7f }) {
		return fmt.Errorf("%w: %q is not an e-mail address", ErrInvalidInput, e)
	}
	return nil
}

func (s *Service) account() ThrottlePolicy { return orDefault(s.Account, DefaultAccountThrottle()) }
func (s *Service) ip() ThrottlePolicy      { return orDefault(s.IP, DefaultIPThrottle()) }
func (s *Service) mfaCode() ThrottlePolicy { return orDefault(s.MFACode, DefaultAccountThrottle()) }

func orDefault(p, d ThrottlePolicy) ThrottlePolicy {
	if p == (ThrottlePolicy{}) {
		return d
	}
	return p
}

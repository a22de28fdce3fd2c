package auth

import (
	"context"
	"fmt"
	"time"
)

// User administration: the rules an administrator's actions must keep.
// Each needs PermUserAdmin and ends the target's sessions, so a change of
// privilege takes effect at once and the user signs in again under it.
// craft never lets the last enabled administrator be demoted or disabled:
// that would leave no one able to administer the server short of
// craft admin create.

// SetRole changes the account role of userID.
func (s *Service) SetRole(ctx context.Context, actor Principal, userID string, role Role) (User, error) {
	if err := Authorize(actor, PermUserAdmin, ""); err != nil {
		return User{}, err
	}
	if !role.Valid() {
		return User{}, fmt.Errorf("%w: unknown role %q", ErrInvalidInput, role)
	}
	u, err := s.Users.GetUser(ctx, userID)
	if err != nil {
		return User{}, fmt.Errorf("auth: set role: %w", err)
	}
	if u.Role == role {
		return u, nil
	}
	if u.Role == RoleAdministrator && !u.Disabled() {
		if err := s.keepAnAdministrator(ctx, u.ID); err != nil {
			return User{}, err
		}
	}
	u.Role = role
	if u, err = s.Users.UpdateUser(ctx, u); err != nil {
		return User{}, fmt.Errorf("auth: set role: %w", err)
	}
	if _, err := s.Sessions.RevokeAll(ctx, u.ID, ""); err != nil {
		return User{}, err
	}
	return u, nil
}

// SetDisabled disables (or enables again) the account userID. Disabling
// ends its sessions and revokes its API tokens.
func (s *Service) SetDisabled(ctx context.Context, actor Principal, userID string, disabled bool) (User, error) {
	if err := Authorize(actor, PermUserAdmin, ""); err != nil {
		return User{}, err
	}
	u, err := s.Users.GetUser(ctx, userID)
	if err != nil {
		return User{}, fmt.Errorf("auth: disable user: %w", err)
	}
	if u.Disabled() == disabled {
		return u, nil
	}
	if disabled && u.Role == RoleAdministrator {
		if err := s.keepAnAdministrator(ctx, u.ID); err != nil {
			return User{}, err
		}
	}
	if disabled {
		u.DisabledAt = s.Now()
	} else {
		u.DisabledAt = time.Time{}
	}
	if u, err = s.Users.UpdateUser(ctx, u); err != nil {
		return User{}, fmt.Errorf("auth: disable user: %w", err)
	}
	if !disabled {
		return u, nil
	}
	if _, err := s.Sessions.RevokeAll(ctx, u.ID, ""); err != nil {
		return User{}, err
	}
	if s.Tokens != nil {
		if _, err := s.Tokens.RevokeAll(ctx, u.ID); err != nil {
			return User{}, err
		}
	}
	return u, nil
}

// ResetMFA removes the second factor of userID (a lost phone and lost
// recovery codes) and ends its sessions; if the policy requires MFA, the
// user enrols again at the next sign-in.
func (s *Service) ResetMFA(ctx context.Context, actor Principal, userID string) error {
	if err := Authorize(actor, PermUserAdmin, ""); err != nil {
		return err
	}
	if err := s.MFA.Disable(ctx, userID); err != nil {
		return err
	}
	_, err := s.Sessions.RevokeAll(ctx, userID, "")
	return err
}

// keepAnAdministrator refuses a change that would leave no enabled
// administrator besides exceptID.
func (s *Service) keepAnAdministrator(ctx context.Context, exceptID string) error {
	users, err := s.Users.ListUsers(ctx)
	if err != nil {
		return fmt.Errorf("auth: list users: %w", err)
	}
	for _, u := range users {
		if u.ID != exceptID && u.Role == RoleAdministrator && !u.Disabled() {
			return nil
		}
	}
	return fmt.Errorf("%w: this is the last enabled administrator; make another one first", ErrInvalidInput)
}

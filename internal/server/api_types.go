package server

import (
	"time"

	"github.com/craft-cra/craft/internal/auth"
	"github.com/craft-cra/craft/internal/store"
)

// userJSON is an account as the API shows it: never the password hash or
// the MFA secret.
type userJSON struct {
	ID          string    `json:"id"`
	Email       string    `json:"email"`
	DisplayName string    `json:"display_name"`
	Role        string    `json:"role"`
	MFAEnabled  bool      `json:"mfa_enabled"`
	Disabled    bool      `json:"disabled"`
	CreatedAt   time.Time `json:"created_at"`
}

func userFromAuth(u auth.User) userJSON {
	return userJSON{ID: u.ID, Email: u.Email, DisplayName: u.DisplayName, Role: string(u.Role),
		MFAEnabled: u.MFAEnabled, Disabled: u.Disabled(), CreatedAt: u.CreatedAt}
}

func userFromStore(u store.User) userJSON {
	return userJSON{ID: u.ID, Email: u.Email, DisplayName: u.DisplayName, Role: string(u.Role),
		MFAEnabled: u.MFAEnabled, Disabled: !u.DisabledAt.IsZero(), CreatedAt: u.CreatedAt}
}

// productJSON is a product.
type productJSON struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	CreatedAt time.Time `json:"created_at"`
}

func productFromStore(p store.Product) productJSON {
	return productJSON{ID: p.ID, Name: p.Name, CreatedAt: p.CreatedAt}
}

// membershipJSON is a user's role on a product.
type membershipJSON struct {
	UserID    string `json:"user_id"`
	ProductID string `json:"product_id"`
	Role      string `json:"role"`
}

// sessionJSON is a session on the account page. ID is the stored id (a
// hash of the token), enough to end it, useless as a cookie.
type sessionJSON struct {
	ID         string    `json:"id"`
	Current    bool      `json:"current"`
	CreatedAt  time.Time `json:"created_at"`
	LastSeenAt time.Time `json:"last_seen_at"`
	ExpiresAt  time.Time `json:"expires_at"`
	IP         string    `json:"ip"`
	UserAgent  string    `json:"user_agent"`
}

// tokenJSON is an API token without its secret.
type tokenJSON struct {
	ID         string     `json:"id"`
	Name       string     `json:"name"`
	Role       string     `json:"role"`
	Products   []string   `json:"products,omitempty"`
	Scoped     bool       `json:"scoped"`
	CreatedAt  time.Time  `json:"created_at"`
	ExpiresAt  time.Time  `json:"expires_at"`
	LastUsedAt *time.Time `json:"last_used_at,omitempty"`
	RevokedAt  *time.Time `json:"revoked_at,omitempty"`
}

func tokenFromAuth(t auth.APIToken) tokenJSON {
	j := tokenJSON{ID: t.ID, Name: t.Name, Role: string(t.Role), Products: t.Products, Scoped: t.Products != nil,
		CreatedAt: t.CreatedAt, ExpiresAt: t.ExpiresAt}
	if !t.LastUsedAt.IsZero() {
		x := t.LastUsedAt
		j.LastUsedAt = &x
	}
	if !t.RevokedAt.IsZero() {
		x := t.RevokedAt
		j.RevokedAt = &x
	}
	return j
}

// eventJSON is an audit event.
type eventJSON struct {
	Seq      int64             `json:"seq"`
	At       time.Time         `json:"at"`
	Actor    string            `json:"actor"`
	Action   string            `json:"action"`
	Target   string            `json:"target"`
	SourceIP string            `json:"source_ip"`
	Detail   map[string]string `json:"detail,omitempty"`
	PrevHash string            `json:"prev_hash"`
	Hash     string            `json:"hash"`
}

func eventFromStore(e store.Event) eventJSON {
	return eventJSON{Seq: e.Seq, At: e.At, Actor: e.Actor, Action: e.Action, Target: e.Target,
		SourceIP: e.SourceIP, Detail: e.Detail, PrevHash: e.PrevHash, Hash: e.Hash}
}

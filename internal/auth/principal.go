package auth

import "sort"

// PrincipalKind says how a caller authenticated.
type PrincipalKind int

// The kinds of principal. The zero value is an anonymous caller.
const (
	KindAnonymous PrincipalKind = iota
	KindUser                    // a browser session
	KindToken                   // an API token
)

// Principal is who makes a request: a signed-in user or an API token, with
// everything [Authorize] needs to decide. Build it with
// [Sessions.Principal], [Tokens.Authenticate] or [NewUserPrincipal]; the
// zero value is anonymous and is denied everything.
type Principal struct {
	Kind PrincipalKind
	// UserID is the account (for a token, the account that created it).
	UserID string
	Email  string
	// Role is the account's own role, as stored now.
	Role Role
	// Memberships maps product ID → role on that product.
	Memberships map[string]Role
	// MFAPending is set on a session that passed the password but not the
	// second factor (or must still enrol one); such a principal is denied
	// everything but the MFA pages, which the server serves without
	// Authorize.
	MFAPending bool
	// SessionID is the stored id (hash) of the session, for sessions.
	SessionID string
	// Token is the scope of the API token; nil for sessions.
	Token *TokenScope
}

// TokenScope is what an API token adds to its creator's rights: it can
// only take away.
type TokenScope struct {
	ID   string
	Role Role
	// Products, when Scoped, is the only products the token may touch.
	Scoped   bool
	Products []string
}

// NewUserPrincipal is the principal of a user with the given memberships.
func NewUserPrincipal(u User, memberships []Membership) Principal {
	m := make(map[string]Role, len(memberships))
	for _, x := range memberships {
		if x.UserID == u.ID {
			m[x.ProductID] = x.Role
		}
	}
	return Principal{Kind: KindUser, UserID: u.ID, Email: u.Email, Role: u.Role, Memberships: m}
}

// authenticated reports whether p names an account.
func (p Principal) authenticated() bool {
	return (p.Kind == KindUser || p.Kind == KindToken) && p.UserID != "" && p.Role.Valid()
}

// productRole is p's effective role on one product, "" for none: the
// account role for administrators, else the lower of the account role and
// the membership role; a token lowers it to its own role and removes
// products outside its scope.
func (p Principal) productRole(productID string) Role {
	if productID == "" {
		return ""
	}
	role := p.Role
	if role != RoleAdministrator {
		m, ok := p.Memberships[productID]
		if !ok {
			return ""
		}
		role = minRole(role, m)
	}
	if p.Token != nil {
		if p.Token.Scoped && !contains(p.Token.Products, productID) {
			return ""
		}
		role = minRole(role, p.Token.Role)
	}
	return role
}

// globalRole is p's role for permissions that name no product.
func (p Principal) globalRole() Role {
	if p.Token != nil {
		return minRole(p.Role, p.Token.Role)
	}
	return p.Role
}

// CanSeeProduct reports whether p may read the product.
func (p Principal) CanSeeProduct(productID string) bool {
	return Authorize(p, PermProductRead, productID) == nil
}

// ProductFilter says which products a listing may show p: all of them, or
// only ids (sorted). An anonymous or MFA-pending principal sees none.
func (p Principal) ProductFilter() (all bool, ids []string) {
	if Authorize(p, PermProductList, "") != nil {
		return false, nil
	}
	if p.Role == RoleAdministrator && (p.Token == nil || !p.Token.Scoped) {
		return true, nil
	}
	var candidates []string
	if p.Role == RoleAdministrator {
		candidates = p.Token.Products
	} else {
		for id := range p.Memberships {
			candidates = append(candidates, id)
		}
	}
	for _, id := range candidates {
		if p.CanSeeProduct(id) {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	return false, ids
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

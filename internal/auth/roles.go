package auth

import "fmt"

// Role is a level of trust. Roles are ordered: each holds every permission
// of the roles below it. The string values are the ones stored in the
// database.
type Role string

// The roles, lowest first. New accounts get RoleViewer.
const (
	RoleViewer          Role = "viewer"
	RoleContributor     Role = "contributor"
	RoleSecurityOfficer Role = "security_officer"
	RoleAdministrator   Role = "admin"
)

// Roles lists every role, lowest first.
var roleOrder = [...]Role{RoleViewer, RoleContributor, RoleSecurityOfficer, RoleAdministrator}

// Roles returns every role, lowest first.
func Roles() []Role { return append([]Role(nil), roleOrder[:]...) }

// rank is the position of r in the order, or -1 for an unknown role.
func (r Role) rank() int {
	for i, x := range roleOrder {
		if x == r {
			return i
		}
	}
	return -1
}

// Valid reports whether r is one of the four roles.
func (r Role) Valid() bool { return r.rank() >= 0 }

// AtLeast reports whether r is o or higher. An unknown role is below every
// role, so it is never at least anything.
func (r Role) AtLeast(o Role) bool {
	return r.rank() >= 0 && o.rank() >= 0 && r.rank() >= o.rank()
}

// ParseRole accepts a stored role name; "administrator" and
// "security-officer" are accepted as spellings of the same roles.
func ParseRole(s string) (Role, error) {
	switch s {
	case "administrator":
		return RoleAdministrator, nil
	case "security-officer", "securityofficer":
		return RoleSecurityOfficer, nil
	}
	if r := Role(s); r.Valid() {
		return r, nil
	}
	return "", fmt.Errorf("%w: unknown role %q (want viewer, contributor, security_officer or admin)", ErrInvalidInput, s)
}

// minRole is the lower of two roles; an unknown role wins, so that a
// corrupted value never grants anything.
func minRole(a, b Role) Role {
	if !a.Valid() || !b.Valid() {
		return ""
	}
	if a.rank() <= b.rank() {
		return a
	}
	return b
}

package auth

// Permission is one thing a route may need. Every route of the server is
// registered with exactly one permission (or is on the public allow-list).
type Permission string

// Product permissions apply to one product: the caller needs a membership
// of that product (administrators have every product).
const (
	// PermProductRead: see a product, its releases, SBOMs and findings.
	PermProductRead Permission = "product:read"
	// PermProductWrite: change a product, add releases, upload SBOMs.
	PermProductWrite Permission = "product:write"
	// PermFindingTriage: decide findings (VEX statements), assign them.
	PermFindingTriage Permission = "finding:triage"
	// PermCaseRead: read vulnerability reports and cases, which may hold
	// unfixed vulnerabilities.
	PermCaseRead Permission = "case:read"
	// PermCaseManage: handle cases, Article 14 notifications, advisories.
	PermCaseManage Permission = "case:manage"
	// PermMembershipAdmin: change who is a member of a product.
	PermMembershipAdmin Permission = "membership:admin"
)

// Global permissions do not name a product.
const (
	// PermProductList: list the products the caller can see (the list
	// itself is filtered with [Principal.CanSeeProduct]).
	PermProductList Permission = "product:list"
	// PermProductCreate: create a product.
	PermProductCreate Permission = "product:create"
	// PermAccountManage: change one's own password, MFA and sessions.
	// Never granted to API tokens.
	PermAccountManage Permission = "account:manage"
	// PermTokenCreate: create API tokens no stronger than oneself. Never
	// granted to API tokens, so a leaked token cannot mint new ones.
	PermTokenCreate Permission = "token:create"
	// PermUserAdmin: create, disable and change the role of accounts.
	PermUserAdmin Permission = "user:admin"
	// PermAuditRead: read and export the audit log.
	PermAuditRead Permission = "audit:read"
	// PermSettingsRead and PermSettingsWrite: server settings.
	PermSettingsRead  Permission = "settings:read"
	PermSettingsWrite Permission = "settings:write"
)

// permSpec is one row of the policy table: the lowest role that holds the
// permission, whether it applies to a product, and whether API tokens may
// use it at all.
type permSpec struct {
	min        Role
	product    bool
	tokenUsage bool
}

// policy is the role → permission table. A permission missing from it is
// denied to everybody.
var policy = map[Permission]permSpec{
	PermProductRead:     {min: RoleViewer, product: true, tokenUsage: true},
	PermProductWrite:    {min: RoleContributor, product: true, tokenUsage: true},
	PermFindingTriage:   {min: RoleSecurityOfficer, product: true, tokenUsage: true},
	PermCaseRead:        {min: RoleSecurityOfficer, product: true, tokenUsage: true},
	PermCaseManage:      {min: RoleSecurityOfficer, product: true, tokenUsage: true},
	PermMembershipAdmin: {min: RoleAdministrator, product: true, tokenUsage: true},

	PermProductList:   {min: RoleViewer, tokenUsage: true},
	PermProductCreate: {min: RoleAdministrator, tokenUsage: true},
	PermAccountManage: {min: RoleViewer},
	PermTokenCreate:   {min: RoleViewer},
	PermUserAdmin:     {min: RoleAdministrator, tokenUsage: true},
	PermAuditRead:     {min: RoleAdministrator, tokenUsage: true},
	PermSettingsRead:  {min: RoleAdministrator, tokenUsage: true},
	PermSettingsWrite: {min: RoleAdministrator, tokenUsage: true},
}

// Permissions returns every known permission in a stable order.
func Permissions() []Permission {
	return []Permission{
		PermProductRead, PermProductWrite, PermFindingTriage, PermCaseRead, PermCaseManage, PermMembershipAdmin,
		PermProductList, PermProductCreate, PermAccountManage, PermTokenCreate,
		PermUserAdmin, PermAuditRead, PermSettingsRead, PermSettingsWrite,
	}
}

// ProductScoped reports whether perm applies to one product.
func (p Permission) ProductScoped() bool { return policy[p].product }

// Known reports whether perm is in the policy table.
func (p Permission) Known() bool {
	_, ok := policy[p]
	return ok
}

// RolePermissions returns the permissions role holds, for display.
func RolePermissions(r Role) []Permission {
	var out []Permission
	for _, p := range Permissions() {
		if r.AtLeast(policy[p].min) {
			out = append(out, p)
		}
	}
	return out
}

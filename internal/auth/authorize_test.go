package auth_test

import (
	"errors"
	"fmt"
	"net/http"
	"testing"

	"github.com/craft-cra/craft/internal/auth"
)

// spec restates the policy in the words of docs/auth.md, independently of
// permissions.go: the lowest role for each permission, whether it names a
// product, and whether a token may use it.
var spec = map[auth.Permission]struct {
	min       auth.Role
	product   bool
	viaToken  bool
	viaScoped bool // a product-scoped token may use this global permission
}{
	auth.PermProductRead:     {auth.RoleViewer, true, true, true},
	auth.PermProductWrite:    {auth.RoleContributor, true, true, true},
	auth.PermFindingTriage:   {auth.RoleSecurityOfficer, true, true, true},
	auth.PermCaseRead:        {auth.RoleSecurityOfficer, true, true, true},
	auth.PermCaseManage:      {auth.RoleSecurityOfficer, true, true, true},
	auth.PermMembershipAdmin: {auth.RoleAdministrator, true, true, true},
	auth.PermProductList:     {auth.RoleViewer, false, true, true},
	auth.PermProductCreate:   {auth.RoleAdministrator, false, true, false},
	auth.PermAccountManage:   {auth.RoleViewer, false, false, false},
	auth.PermTokenCreate:     {auth.RoleViewer, false, false, false},
	auth.PermUserAdmin:       {auth.RoleAdministrator, false, true, false},
	auth.PermAuditRead:       {auth.RoleAdministrator, false, true, false},
	auth.PermSettingsRead:    {auth.RoleAdministrator, false, true, false},
	auth.PermSettingsWrite:   {auth.RoleAdministrator, false, true, false},
}

var rank = map[auth.Role]int{auth.RoleViewer: 1, auth.RoleContributor: 2, auth.RoleSecurityOfficer: 3, auth.RoleAdministrator: 4}

func TestSpecCoversEveryPermission(t *testing.T) {
	if len(spec) != len(auth.Permissions()) {
		t.Fatalf("spec has %d permissions, package %d", len(spec), len(auth.Permissions()))
	}
	for _, p := range auth.Permissions() {
		if _, ok := spec[p]; !ok {
			t.Errorf("permission %s has no spec row", p)
		}
	}
}

type tokenCase struct {
	name    string
	role    auth.Role // "" = a session, no token
	scope   []string  // nil = unscoped
	present bool
}

// TestAuthorizeMatrix walks every account role × permission × membership
// of product P × token (none, or each role, unscoped, scoped to P, scoped
// to Q) × product argument (P, another product Q, none).
func TestAuthorizeMatrix(t *testing.T) {
	const P, Q = "prod-P", "prod-Q"
	memberships := []auth.Role{"", auth.RoleViewer, auth.RoleContributor, auth.RoleSecurityOfficer}
	tokens := []tokenCase{{name: "session"}}
	for _, r := range auth.Roles() {
		tokens = append(tokens,
			tokenCase{name: "token-" + string(r), role: r, present: true},
			tokenCase{name: "token-" + string(r) + "-scopedP", role: r, scope: []string{P}, present: true},
			tokenCase{name: "token-" + string(r) + "-scopedQ", role: r, scope: []string{Q}, present: true},
		)
	}
	cases := 0
	for _, role := range auth.Roles() {
		for _, m := range memberships {
			for _, tk := range tokens {
				p := auth.Principal{Kind: auth.KindUser, UserID: "u", Role: role, Memberships: map[string]auth.Role{}}
				if m != "" {
					p.Memberships[P] = m
				}
				if tk.present {
					p.Kind = auth.KindToken
					p.Token = &auth.TokenScope{ID: "t", Role: tk.role, Scoped: tk.scope != nil, Products: tk.scope}
				}
				for _, perm := range auth.Permissions() {
					for _, product := range []string{P, Q, ""} {
						cases++
						want := expected(role, m, tk, perm, product, P)
						err := auth.Authorize(p, perm, product)
						name := fmt.Sprintf("role=%s member=%q %s %s product=%q", role, m, tk.name, perm, product)
						if (err == nil) != want {
							t.Errorf("%s: Authorize = %v, want allowed=%v", name, err, want)
						}
						if err != nil && (!errors.Is(err, auth.ErrForbidden) || auth.HTTPStatus(err) != http.StatusForbidden) {
							t.Errorf("%s: authenticated principal denied with %v, want 403", name, err)
						}
					}
				}
			}
		}
	}
	t.Logf("%d combinations", cases)
}

// expected is the policy of docs/auth.md, written from the spec table.
func expected(role, member auth.Role, tk tokenCase, perm auth.Permission, product, P string) bool {
	s := spec[perm]
	if tk.present && !s.viaToken {
		return false
	}
	eff := rank[role]
	if s.product {
		if product == "" {
			return false
		}
		if role != auth.RoleAdministrator {
			if product != P || member == "" {
				return false // no membership of this product
			}
			eff = min(eff, rank[member])
		}
		if tk.present && tk.scope != nil && tk.scope[0] != product {
			return false
		}
	} else if tk.present && tk.scope != nil && !s.viaScoped {
		return false
	}
	if tk.present {
		eff = min(eff, rank[tk.role])
	}
	return eff >= rank[s.min]
}

func TestAuthorizeUnauthenticated(t *testing.T) {
	admin := auth.Principal{Kind: auth.KindUser, UserID: "u", Role: auth.RoleAdministrator}
	pending := admin
	pending.MFAPending = true
	noUser := admin
	noUser.UserID = ""
	badRole := admin
	badRole.Role = "root"
	tokenWithoutScope := admin
	tokenWithoutScope.Kind = auth.KindToken
	tests := []struct {
		name string
		p    auth.Principal
		want int
	}{
		{"anonymous", auth.Principal{}, http.StatusUnauthorized},
		{"MFA pending", pending, http.StatusUnauthorized},
		{"no user id", noUser, http.StatusUnauthorized},
		{"unknown role", badRole, http.StatusUnauthorized},
		{"token kind without scope", tokenWithoutScope, http.StatusForbidden},
	}
	for _, tc := range tests {
		for _, perm := range auth.Permissions() {
			err := auth.Authorize(tc.p, perm, "P")
			if got := auth.HTTPStatus(err); got != tc.want {
				t.Errorf("%s %s: status %d (%v), want %d", tc.name, perm, got, err, tc.want)
			}
		}
	}
	if err := auth.Authorize(admin, "made:up", "P"); !errors.Is(err, auth.ErrForbidden) {
		t.Errorf("unknown permission: %v", err)
	}
}

func TestTenantIsolation(t *testing.T) {
	// The example, spelled out: a contributor on A sees nothing of B.
	p := auth.Principal{Kind: auth.KindUser, UserID: "u", Role: auth.RoleContributor,
		Memberships: map[string]auth.Role{"A": auth.RoleContributor}}
	for _, perm := range auth.Permissions() {
		if perm.ProductScoped() && auth.Authorize(p, perm, "B") == nil {
			t.Errorf("contributor on A has %s on B", perm)
		}
	}
	if auth.Authorize(p, auth.PermProductWrite, "A") != nil {
		t.Error("contributor on A cannot write A")
	}
	if all, ids := p.ProductFilter(); all || len(ids) != 1 || ids[0] != "A" {
		t.Errorf("ProductFilter = %v %v", all, ids)
	}
	admin := auth.Principal{Kind: auth.KindUser, UserID: "a", Role: auth.RoleAdministrator}
	if all, _ := admin.ProductFilter(); !all {
		t.Error("administrator does not see every product")
	}
	scoped := admin
	scoped.Kind = auth.KindToken
	scoped.Token = &auth.TokenScope{Role: auth.RoleAdministrator, Scoped: true, Products: []string{"B", "A"}}
	if all, ids := scoped.ProductFilter(); all || fmt.Sprint(ids) != "[A B]" {
		t.Errorf("scoped admin token ProductFilter = %v %v", all, ids)
	}
	if all, ids := (auth.Principal{}).ProductFilter(); all || ids != nil {
		t.Error("anonymous sees products")
	}
}

func TestRoles(t *testing.T) {
	for _, s := range []string{"viewer", "contributor", "security_officer", "admin", "administrator"} {
		if _, err := auth.ParseRole(s); err != nil {
			t.Errorf("ParseRole(%q): %v", s, err)
		}
	}
	for _, s := range []string{"", "root", "Admin", "owner"} {
		if _, err := auth.ParseRole(s); err == nil {
			t.Errorf("ParseRole(%q) accepted", s)
		}
	}
	if auth.Role("root").AtLeast(auth.RoleViewer) || auth.RoleViewer.AtLeast("") {
		t.Error("an unknown role compares")
	}
	if got := auth.RolePermissions(auth.RoleViewer); len(got) != 4 {
		t.Errorf("viewer holds %v", got)
	}
}

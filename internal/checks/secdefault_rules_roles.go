package checks

import (
	"sort"
	"strings"
)

// privilegedRoleWords mark a role as privileged by its name alone.
var privilegedRoleWords = []string{
	"admin", "admins", "administrator", "administrators", "superuser", "superadmin", "root",
	"owner", "owners", "manager", "managers", "sudo", "sysadmin", "su",
}

// defaultRoleKey reports whether a key path sets the role that new
// accounts get.
func defaultRoleKey(p []string) bool {
	if len(p) == 0 {
		return false
	}
	nk := sdNormKey(p[len(p)-1])
	switch nk {
	case "defaultrole", "defaultroles", "newuserrole", "newuserroles", "defaultuserrole", "signuprole",
		"registrationrole", "initialrole", "selfregistrationrole", "newuserdefaultrole", "newaccountrole",
		"defaultgroup", "newusergroup", "defaultusergroup", "defaultmemberrole":
		return true
	case "role", "roles", "group":
		return sdHasWord(sdPathWords(p[:len(p)-1]), "signup", "registration", "register", "newuser", "newusers",
			"onboarding", "selfservice", "defaults", "default", "new")
	}
	return false
}

// dangerousPermission reports whether a permission name lets its holder
// delete things or manage users and roles.
func dangerousPermission(p string) bool {
	t := strings.TrimSpace(p)
	if t == "*" || strings.EqualFold(t, "all") || strings.HasSuffix(t, ".*") || strings.HasSuffix(t, ":*") {
		return true
	}
	w := sdKeyWords(t)
	if sdHasWord(w, "delete", "destroy", "remove", "purge", "drop", "superuser", "sudo") {
		return true
	}
	if sdHasWord(w, "admin", "administer", "administration") {
		return true
	}
	return sdHasWord(w, "user", "users", "member", "members", "role", "roles", "account", "accounts", "permission", "permissions") &&
		sdHasWord(w, "manage", "admin", "write", "create", "edit", "assign", "grant", "update")
}

// roleDefinition finds the definition of role in the document: a map
// entry named like the role under a roles/groups section, or a list item
// whose name or id is the role.
func roleDefinition(root *cfgNode, role string) (def *cfgNode) {
	want := sdNormKey(role)
	cfgVisit(root, func(p []string, n, parent *cfgNode) bool {
		if def != nil {
			return false
		}
		if n.Kind != cfgMap {
			return true
		}
		inRoles := sdHasWord(sdPathWords(p), "role", "roles", "group", "groups", "permissions", "acl", "rbac")
		if n.Key != "" && sdNormKey(n.Key) == want && inRoles {
			def = n
			return false
		}
		if n.Key == "" && inRoles {
			if id := n.child("name", "id", "key", "slug", "role"); id != nil && id.Kind == cfgScalar && sdNormKey(id.Value) == want {
				def = n
				return false
			}
		}
		return true
	})
	return def
}

// roleGrants lists what a role definition grants that is dangerous, and
// its display name.
func roleGrants(def *cfgNode) (grants []string, display string) {
	seen := map[string]bool{}
	cfgVisit(def, func(p []string, n, parent *cfgNode) bool {
		if n.Kind != cfgScalar {
			return true
		}
		switch nk := sdNormKey(n.Key); {
		case nk == "displayname" || nk == "label" || nk == "title" || (nk == "name" && parent == def):
			if display == "" {
				display = n.Value
			}
		case n.Key != "" && sdIsTrue(n.Value) && dangerousPermission(n.Key):
			if !seen[n.Key] {
				seen[n.Key] = true
				grants = append(grants, n.Key)
			}
		case (n.Key == "" || sdHasWord(sdKeyWords(n.Key), "permissions", "permission", "grants", "scopes", "abilities", "actions", "privileges", "capabilities", "allow", "rights")) && dangerousPermission(n.Value):
			if !seen[n.Value] {
				seen[n.Value] = true
				grants = append(grants, n.Value)
			}
		}
		return true
	})
	sort.Strings(grants)
	return grants, display
}

// newUserRoleRule reports a privileged role given to new accounts.
func newUserRoleRule(doc *cfgDoc, s *sdSink) {
	cfgVisit(doc.Root, func(p []string, n, parent *cfgNode) bool {
		if n.Kind == cfgMap || !defaultRoleKey(p) {
			return true
		}
		for _, role := range n.scalars() {
			role = strings.TrimSpace(role)
			if role == "" || strings.Contains(role, "$") || strings.Contains(role, "{{") {
				continue
			}
			def := roleDefinition(doc.Root, role)
			var grants []string
			display := ""
			if def != nil {
				grants, display = roleGrants(def)
			}
			byName := sdHasWord(sdKeyWords(role), privilegedRoleWords...) || sdHasWord(sdKeyWords(display), privilegedRoleWords...)
			if !byName && len(grants) == 0 {
				continue
			}
			name := role
			if display != "" && display != role {
				name = role + " (" + display + ")"
			}
			msg := "new accounts get the privileged role " + name + " by default"
			ev := sdJoinPath(p) + ": " + role
			if len(grants) > 0 {
				msg += "; it grants " + strings.Join(grants, ", ")
				ev += " → " + strings.Join(grants, ", ")
			}
			s.fail(idNewUserRole, n.Line, msg, ev)
		}
		return true
	})
}

package server

import (
	"github.com/craft-cra/craft/internal/auth"
)

// apiRoutes is the JSON API under /api/v1: one line per route with the
// permission it needs. Keep it readable: this table is what a reviewer
// checks.
func (s *Server) apiRoutes() []Route {
	const v1 = "/api/v1"
	return []Route{
		// Sign-in, MFA and setup (public: on the allow-list).
		{Method: "POST", Pattern: v1 + "/auth/login", Public: true, Rate: RateAuth, Handler: s.login},
		{Method: "POST", Pattern: v1 + "/auth/mfa", Public: true, Rate: RateAuth, Handler: s.mfaVerify},
		{Method: "POST", Pattern: v1 + "/auth/mfa/enrol", Public: true, Rate: RateAuth, Handler: s.mfaEnrolBegin},
		{Method: "POST", Pattern: v1 + "/auth/mfa/enrol/confirm", Public: true, Rate: RateAuth, Handler: s.mfaEnrolConfirm},
		{Method: "POST", Pattern: v1 + "/auth/logout", Public: true, Handler: s.logout},
		{Method: "GET", Pattern: v1 + "/setup", Public: true, Rate: RateAuth, Handler: s.setupStatus},
		{Method: "POST", Pattern: v1 + "/setup", Public: true, Rate: RateAuth, Handler: s.setup},

		// The signed-in account.
		{Method: "GET", Pattern: v1 + "/me", Perm: auth.PermProductList, Handler: s.me},
		{Method: "POST", Pattern: v1 + "/me/password", Perm: auth.PermAccountManage, Rate: RateAuth, Handler: s.changePassword},
		{Method: "GET", Pattern: v1 + "/me/sessions", Perm: auth.PermAccountManage, Handler: s.listSessions},
		{Method: "DELETE", Pattern: v1 + "/me/sessions", Perm: auth.PermAccountManage, Handler: s.revokeAllSessions},
		{Method: "DELETE", Pattern: v1 + "/me/sessions/{id}", Perm: auth.PermAccountManage, Handler: s.revokeSession},
		{Method: "GET", Pattern: v1 + "/me/tokens", Perm: auth.PermAccountManage, Handler: s.listTokens},
		{Method: "POST", Pattern: v1 + "/me/tokens", Perm: auth.PermTokenCreate, Handler: s.createToken},
		{Method: "DELETE", Pattern: v1 + "/me/tokens/{id}", Perm: auth.PermAccountManage, Handler: s.revokeToken},
		{Method: "POST", Pattern: v1 + "/me/mfa/recovery-codes", Perm: auth.PermAccountManage, Handler: s.regenerateRecoveryCodes},

		// Administration.
		{Method: "GET", Pattern: v1 + "/users", Perm: auth.PermUserAdmin, Handler: s.listUsers},
		{Method: "POST", Pattern: v1 + "/users", Perm: auth.PermUserAdmin, Handler: s.createUser},
		{Method: "PATCH", Pattern: v1 + "/users/{id}", Perm: auth.PermUserAdmin, Handler: s.updateUser},
		{Method: "POST", Pattern: v1 + "/users/{id}/mfa-reset", Perm: auth.PermUserAdmin, Handler: s.resetUserMFA},
		{Method: "GET", Pattern: v1 + "/products", Perm: auth.PermProductList, Handler: s.listProducts},
		{Method: "POST", Pattern: v1 + "/products", Perm: auth.PermProductCreate, Handler: s.createProductDetail},
		{Method: "GET", Pattern: v1 + "/products/{id}", Perm: auth.PermProductRead, ProductParam: "id", Handler: s.getProductDetail},
		{Method: "PATCH", Pattern: v1 + "/products/{id}", Perm: auth.PermProductWrite, ProductParam: "id", Handler: s.updateProduct},
		{Method: "DELETE", Pattern: v1 + "/products/{id}", Perm: auth.PermProductCreate, Handler: s.deleteProduct},
		{Method: "GET", Pattern: v1 + "/products/{id}/members", Perm: auth.PermMembershipAdmin, ProductParam: "id", Handler: s.listMembers},
		{Method: "PUT", Pattern: v1 + "/products/{id}/members/{user}", Perm: auth.PermMembershipAdmin, ProductParam: "id", Handler: s.setMember},
		{Method: "DELETE", Pattern: v1 + "/products/{id}/members/{user}", Perm: auth.PermMembershipAdmin, ProductParam: "id", Handler: s.deleteMember},

		// Releases and their SBOMs (issue 6).
		{Method: "GET", Pattern: v1 + "/products/{product}/sbom", Perm: auth.PermProductRead, ProductParam: "product", Handler: s.productSBOM},
		{Method: "GET", Pattern: v1 + "/products/{product}/releases", Perm: auth.PermProductRead, ProductParam: "product", Handler: s.listReleases},
		{Method: "POST", Pattern: v1 + "/products/{product}/releases", Perm: auth.PermProductWrite, ProductParam: "product", Handler: s.createRelease},
		{Method: "GET", Pattern: v1 + "/products/{product}/releases/{version}", Perm: auth.PermProductRead, ProductParam: "product", Handler: s.getRelease},
		{Method: "DELETE", Pattern: v1 + "/products/{product}/releases/{version}", Perm: auth.PermProductCreate, Handler: s.deleteRelease},
		{Method: "GET", Pattern: v1 + "/products/{product}/releases/{version}/components", Perm: auth.PermProductRead, ProductParam: "product", Handler: s.listComponents},
		{Method: "GET", Pattern: v1 + "/products/{product}/releases/{version}/sbom", Perm: auth.PermProductRead, ProductParam: "product", Handler: s.downloadSBOM},
		{Method: "POST", Pattern: v1 + "/products/{product}/releases/{version}/sbom", Perm: auth.PermProductWrite, ProductParam: "product", MaxBody: SBOMMaxBody, Handler: s.uploadSBOM},
		{Method: "GET", Pattern: v1 + "/products/{product}/releases/{version}/findings", Perm: auth.PermProductRead, ProductParam: "product", Handler: s.listFindings},

		{Method: "GET", Pattern: v1 + "/audit", Perm: auth.PermAuditRead, Handler: s.listAudit},
		{Method: "GET", Pattern: v1 + "/audit/export", Perm: auth.PermAuditRead, Handler: s.exportAudit},
		{Method: "GET", Pattern: v1 + "/audit/verify", Perm: auth.PermAuditRead, Handler: s.verifyAudit},
		{Method: "GET", Pattern: v1 + "/settings", Perm: auth.PermSettingsRead, Handler: s.getSettings},
		{Method: "PATCH", Pattern: v1 + "/settings", Perm: auth.PermSettingsWrite, Handler: s.updateSettings},
	}
}

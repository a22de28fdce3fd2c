package server

import (
	"context"
	"fmt"
	"net/http"

	"github.com/craft-cra/craft/internal/store"
)

// Audit actions the server records. Details never hold passwords, tokens,
// codes or report contents (TestAuditHoldsNoSecrets).
const (
	ActLoginSuccess     = "login.success"
	ActLoginFailed      = "login.failed"
	ActMFASuccess       = "mfa.success"
	ActMFAFailed        = "mfa.failed"
	ActMFAEnrolled      = "mfa.enrol"
	ActMFAReset         = "mfa.reset"
	ActRecoveryCodes    = "mfa.recovery_codes"
	ActLogout           = "logout"
	ActSetup            = "setup.admin_created"
	ActPasswordChange   = "password.change"
	ActSessionRevoke    = "session.revoke"
	ActSessionRevokeAll = "session.revoke_all"
	ActTokenCreate      = "token.create"
	ActTokenRevoke      = "token.revoke"
	ActTokenUse         = "token.use"
	ActUserCreate       = "user.create"
	ActRoleChange       = "role.change"
	ActUserDisable      = "user.disable"
	ActUserEnable       = "user.enable"
	ActProductCreate    = "product.create"
	ActProductDelete    = "product.delete"
	ActMembershipSet    = "membership.set"
	ActMembershipDelete = "membership.delete"
	ActAuditExport      = "audit.export"
	ActSettingChange    = "setting.change"
)

// auditSourceKey carries the client address to audit events written below
// package auth (token use).
type auditSourceKey struct{}

func withAuditSource(ctx context.Context, ip string) context.Context {
	return context.WithValue(ctx, auditSourceKey{}, ip)
}

func auditSource(ctx context.Context) string {
	ip, _ := ctx.Value(auditSourceKey{}).(string)
	return ip
}

// actorOf names the caller of r for the audit log: "user:<id>",
// "token:<id>" (with the user in the detail) or "anonymous".
func actorOf(r *http.Request) string {
	p := PrincipalFrom(r.Context())
	switch {
	case p.Token != nil:
		return "token:" + p.Token.ID
	case p.UserID != "":
		return "user:" + p.UserID
	}
	return "anonymous"
}

// audit appends one event for the request r: actor, time, source address
// and request ID come from the request.
func (s *Server) audit(r *http.Request, action, target string, detail map[string]string) error {
	return s.auditAs(r.Context(), actorOf(r), ClientIP(r), action, target, detail)
}

// auditAs appends one event with an explicit actor and source.
func (s *Server) auditAs(ctx context.Context, actor, ip, action, target string, detail map[string]string) error {
	d := make(map[string]string, len(detail)+1)
	for k, v := range detail {
		d[k] = v
	}
	if id := RequestID(ctx); id != "" {
		d["request_id"] = id
	}
	if _, err := s.store.AppendAudit(ctx, store.Event{
		At: s.now(), Actor: actor, Action: action, Target: target, SourceIP: ip, Detail: d,
	}); err != nil {
		return fmt.Errorf("audit %s: %w", action, err)
	}
	s.m.audit.Inc()
	return nil
}

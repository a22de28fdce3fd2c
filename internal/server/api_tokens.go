package server

import (
	"net/http"
	"strconv"
	"time"

	"github.com/craft-cra/craft/internal/auth"
)

// listTokens is GET /api/v1/me/tokens: the caller's tokens, never their
// secrets.
func (s *Server) listTokens(w http.ResponseWriter, r *http.Request) error {
	p := PrincipalFrom(r.Context())
	list, err := s.auth.Tokens.List(r.Context(), p.UserID)
	if err != nil {
		return err
	}
	out := make([]tokenJSON, 0, len(list))
	for _, t := range list {
		out = append(out, tokenFromAuth(t))
	}
	return writeJSON(w, http.StatusOK, out)
}

type tokenRequest struct {
	Name string `json:"name"`
	// Role "" means the creator's own role.
	Role     string   `json:"role"`
	Products []string `json:"products"`
	// ExpiresInDays 0 means 90 days; at most 365.
	ExpiresInDays int `json:"expires_in_days"`
}

type tokenCreated struct {
	tokenJSON
	// Token is the secret, shown this once.
	Token string `json:"token"`
}

// createToken is POST /api/v1/me/tokens. The answer holds the token itself,
// once; craft keeps only its hash.
func (s *Server) createToken(w http.ResponseWriter, r *http.Request) error {
	var req tokenRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	p := PrincipalFrom(r.Context())
	if req.Name == "" || len(req.Name) > 100 {
		return badRequest("name is required (at most 100 bytes)")
	}
	role := p.Role
	if req.Role != "" {
		var err error
		if role, err = auth.ParseRole(req.Role); err != nil {
			return badRequest("unknown role")
		}
	}
	if req.ExpiresInDays < 0 || req.ExpiresInDays > 365 {
		return badRequest("expires_in_days must be between 1 and 365")
	}
	if len(req.Products) > 1000 {
		return badRequest("too many products")
	}
	nt, err := s.auth.Tokens.Create(r.Context(), p, auth.TokenRequest{Name: req.Name, Role: role,
		Products: req.Products, Lifetime: time.Duration(req.ExpiresInDays) * 24 * time.Hour})
	if err != nil {
		return err
	}
	detail := map[string]string{"name": nt.Stored.Name, "role": string(nt.Stored.Role),
		"expires_at": nt.Stored.ExpiresAt.UTC().Format(time.RFC3339), "products": strconv.Itoa(len(nt.Stored.Products))}
	if nt.Stored.Products == nil {
		detail["products"] = "all"
	}
	if err := s.audit(r, ActTokenCreate, "token:"+nt.Stored.ID, detail); err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, tokenCreated{tokenJSON: tokenFromAuth(nt.Stored), Token: nt.Token})
}

// revokeToken is DELETE /api/v1/me/tokens/{id}: one of the caller's own
// tokens; another user's is 404.
func (s *Server) revokeToken(w http.ResponseWriter, r *http.Request) error {
	p := PrincipalFrom(r.Context())
	id := r.PathValue("id")
	if err := s.auth.Tokens.Revoke(r.Context(), p.UserID, id); err != nil {
		return err
	}
	if err := s.audit(r, ActTokenRevoke, "token:"+id, nil); err != nil {
		return err
	}
	return noContent(w)
}

func itoa(n int) string { return strconv.Itoa(n) }

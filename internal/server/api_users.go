package server

import (
	"net/http"

	"github.com/craft-cra/craft/internal/auth"
	"github.com/craft-cra/craft/internal/store"
)

// userCursor is the cursor of GET /api/v1/users: the last address's
// store.EmailKey.
type userCursor struct {
	EmailKey string `json:"e"`
}

// listUsers is GET /api/v1/users: one page (?limit=, ?cursor=) of the
// accounts, by e-mail address.
func (s *Server) listUsers(w http.ResponseWriter, r *http.Request) error {
	pr, err := parsePageRequest(r)
	if err != nil {
		return err
	}
	var after userCursor
	if _, err := pr.Decode(&after); err != nil {
		return err
	}
	list, err := s.store.ListUsersPage(r.Context(), after.EmailKey, pr.Limit)
	if err != nil {
		return err
	}
	out := make([]userJSON, 0, len(list))
	for _, u := range list {
		out = append(out, userFromStore(u))
	}
	return writeJSON(w, http.StatusOK, newPage(out, pr.Limit, func(u userJSON) any { return userCursor{EmailKey: store.EmailKey(u.Email)} }))
}

type createUserRequest struct {
	Email       string `json:"email"`
	DisplayName string `json:"display_name"`
	// Password is the initial password the administrator hands over out of
	// band; the user should change it at the first sign-in.
	Password string `json:"password"`
}

// createUser is POST /api/v1/users: a new account, always a viewer (raise
// the role with PATCH afterwards), with an initial password that meets the
// policy.
func (s *Server) createUser(w http.ResponseWriter, r *http.Request) error {
	var req createUserRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	u, err := s.auth.CreateUser(r.Context(), auth.NewUser{Email: req.Email, DisplayName: req.DisplayName,
		Password: req.Password, Role: auth.RoleViewer})
	if err != nil {
		return err
	}
	if err := s.audit(r, ActUserCreate, "user:"+u.ID, map[string]string{"role": string(u.Role), "via": "api"}); err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, userFromAuth(u))
}

type updateUserRequest struct {
	Role     *string `json:"role"`
	Disabled *bool   `json:"disabled"`
}

// updateUser is PATCH /api/v1/users/{id}: role and disabled. A change ends
// the user's sessions (auth's rule); the last administrator stays.
func (s *Server) updateUser(w http.ResponseWriter, r *http.Request) error {
	var req updateUserRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	if req.Role == nil && req.Disabled == nil {
		return badRequest("nothing to change: give role or disabled")
	}
	ctx := r.Context()
	p := PrincipalFrom(ctx)
	id := r.PathValue("id")
	u, err := s.auth.Users.GetUser(ctx, id)
	if err != nil {
		return err
	}
	if req.Role != nil {
		role, err := auth.ParseRole(*req.Role)
		if err != nil {
			return badRequest("unknown role")
		}
		old := u.Role
		if u, err = s.auth.SetRole(ctx, p, id, role); err != nil {
			return err
		}
		if old != role {
			if err := s.audit(r, ActRoleChange, "user:"+id, map[string]string{"from": string(old), "to": string(role)}); err != nil {
				return err
			}
		}
	}
	if req.Disabled != nil {
		was := u.Disabled()
		if u, err = s.auth.SetDisabled(ctx, p, id, *req.Disabled); err != nil {
			return err
		}
		if was != *req.Disabled {
			act := ActUserEnable
			if *req.Disabled {
				act = ActUserDisable
			}
			if err := s.audit(r, act, "user:"+id, nil); err != nil {
				return err
			}
		}
	}
	return writeJSON(w, http.StatusOK, userFromAuth(u))
}

// resetUserMFA is POST /api/v1/users/{id}/mfa-reset: a user who lost their
// second factor enrols again at the next sign-in.
func (s *Server) resetUserMFA(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	if err := s.auth.ResetMFA(r.Context(), PrincipalFrom(r.Context()), id); err != nil {
		return err
	}
	if err := s.audit(r, ActMFAReset, "user:"+id, nil); err != nil {
		return err
	}
	return noContent(w)
}

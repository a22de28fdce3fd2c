package server

import (
	"net/http"

	"github.com/craft-cra/craft/internal/auth"
	"github.com/craft-cra/craft/internal/store"
)

// listProducts is GET /api/v1/products: only the products the caller may
// see (Principal.ProductFilter).
func (s *Server) listProducts(w http.ResponseWriter, r *http.Request) error {
	all, ids := PrincipalFrom(r.Context()).ProductFilter()
	list, err := s.store.ListProducts(r.Context())
	if err != nil {
		return err
	}
	visible := make(map[string]bool, len(ids))
	for _, id := range ids {
		visible[id] = true
	}
	out := make([]productJSON, 0, len(list))
	for _, p := range list {
		if all || visible[p.ID] {
			out = append(out, productFromStore(p))
		}
	}
	return writeJSON(w, http.StatusOK, out)
}

// deleteProduct is DELETE /api/v1/products/{id}, with its memberships and
// token scopes (a token scoped to it is left scoped to nothing).
func (s *Server) deleteProduct(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	p, err := s.store.GetProduct(r.Context(), id)
	if err != nil {
		return err
	}
	if err := s.store.DeleteProduct(r.Context(), id); err != nil {
		return err
	}
	if err := s.audit(r, ActProductDelete, "product:"+id, map[string]string{"name": p.Name}); err != nil {
		return err
	}
	return noContent(w)
}

// listMembers is GET /api/v1/products/{id}/members.
func (s *Server) listMembers(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	if _, err := s.store.GetProduct(r.Context(), id); err != nil {
		return err
	}
	list, err := s.store.ListMemberships(r.Context(), "", id)
	if err != nil {
		return err
	}
	out := make([]membershipJSON, 0, len(list))
	for _, m := range list {
		out = append(out, membershipJSON{UserID: m.UserID, ProductID: m.ProductID, Role: string(m.Role)})
	}
	return writeJSON(w, http.StatusOK, out)
}

type memberRequest struct {
	Role string `json:"role"`
}

// setMember is PUT /api/v1/products/{id}/members/{user}: give a user a role
// on the product (viewer, contributor or security_officer).
func (s *Server) setMember(w http.ResponseWriter, r *http.Request) error {
	var req memberRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	role, err := auth.ParseRole(req.Role)
	if err != nil || role == auth.RoleAdministrator {
		return badRequest("role must be viewer, contributor or security_officer")
	}
	pid, uid := r.PathValue("id"), r.PathValue("user")
	if err := s.store.SetMembership(r.Context(), store.Membership{UserID: uid, ProductID: pid, Role: store.Role(role)}); err != nil {
		return err
	}
	if err := s.audit(r, ActMembershipSet, "user:"+uid, map[string]string{"product": pid, "role": string(role)}); err != nil {
		return err
	}
	return noContent(w)
}

// deleteMember is DELETE /api/v1/products/{id}/members/{user}.
func (s *Server) deleteMember(w http.ResponseWriter, r *http.Request) error {
	pid, uid := r.PathValue("id"), r.PathValue("user")
	if _, err := s.store.GetMembership(r.Context(), uid, pid); err != nil {
		return err
	}
	if err := s.store.DeleteMembership(r.Context(), uid, pid); err != nil {
		return err
	}
	if err := s.audit(r, ActMembershipDelete, "user:"+uid, map[string]string{"product": pid}); err != nil {
		return err
	}
	return noContent(w)
}

package server

import (
	"net/http"

	"github.com/craft-cra/craft/internal/auth"
	"github.com/craft-cra/craft/internal/store"
)

// productCursor is the cursor of GET /api/v1/products: the last name.
type productCursor struct {
	Name string `json:"n"`
}

// listProducts is GET /api/v1/products: one page (?limit=, ?cursor=) of
// the products the caller may see (Principal.ProductFilter), by name.
func (s *Server) listProducts(w http.ResponseWriter, r *http.Request) error {
	pr, err := parsePageRequest(r)
	if err != nil {
		return err
	}
	var after productCursor
	if _, err := pr.Decode(&after); err != nil {
		return err
	}
	all, ids := PrincipalFrom(r.Context()).ProductFilter()
	list, err := s.store.ListProductsPage(r.Context(), store.ProductPage{All: all, IDs: ids, AfterName: after.Name, Limit: pr.Limit})
	if err != nil {
		return err
	}
	out := make([]productJSON, 0, len(list))
	for _, p := range list {
		out = append(out, productFromStore(p))
	}
	return writeJSON(w, http.StatusOK, newPage(out, pr.Limit, func(p productJSON) any { return productCursor{Name: p.Name} }))
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

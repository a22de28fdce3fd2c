package server

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/craft-cra/craft/internal/store"
)

// ActProductUpdate is the audit action of a change to a product's CRA
// fields.
const ActProductUpdate = "product.update"

// productCreateRequest is POST /api/v1/products: a name and, optionally,
// the CRA fields.
type productCreateRequest struct {
	Name string `json:"name"`
	profileInput
}

// createProductDetail is POST /api/v1/products: the product and its CRA
// fields are stored together or not at all.
func (s *Server) createProductDetail(w http.ResponseWriter, r *http.Request) error {
	var req productCreateRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	name, err := textField("name", req.Name, 200)
	if err != nil {
		return err
	}
	if name == "" || strings.ContainsAny(name, "\n\t") {
		return badRequest("name is required: one line of at most 200 characters")
	}
	var prof store.ProductProfile
	changed := req.apply(&prof)
	if err := validateProfile(&prof); err != nil {
		return err
	}
	var p store.Product
	err = s.store.InTx(r.Context(), func(tx *store.Store) error {
		var err error
		if p, err = tx.CreateProduct(r.Context(), store.Product{Name: name}); err != nil {
			return err
		}
		prof.UpdatedAt = p.CreatedAt
		return tx.SetProductProfile(r.Context(), p.ID, prof)
	})
	if err != nil {
		return err
	}
	detail := describeProfile(prof, changed)
	detail["name"] = p.Name
	if err := s.audit(r, ActProductCreate, "product:"+p.ID, detail); err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, productDetail(p, prof, s.now()))
}

// getProductDetail is GET /api/v1/products/{id}: the product with its CRA
// fields, the conformity assessment its class implies and its support
// status.
func (s *Server) getProductDetail(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	p, err := s.store.GetProduct(r.Context(), id)
	if err != nil {
		return err
	}
	prof, err := s.store.GetProductProfile(r.Context(), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, productDetail(p, prof, s.now()))
}

// updateProduct is PATCH /api/v1/products/{id}: the CRA fields given are
// replaced, the others kept; the result is validated as a whole.
func (s *Server) updateProduct(w http.ResponseWriter, r *http.Request) error {
	var req profileInput
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	p, prof, err := s.applyProductUpdate(r, r.PathValue("id"), req)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, productDetail(p, prof, s.now()))
}

// applyProductUpdate replaces the CRA fields of product id that in gives,
// validates the result as a whole, stores it and audit-logs the change:
// the one implementation behind PATCH /api/v1/products/{id} and the
// product page's form. Invalid input is a 400 *Error naming the field.
func (s *Server) applyProductUpdate(r *http.Request, id string, in profileInput) (store.Product, store.ProductProfile, error) {
	p, err := s.store.GetProduct(r.Context(), id)
	if err != nil {
		return store.Product{}, store.ProductProfile{}, err
	}
	prof, err := s.store.GetProductProfile(r.Context(), id)
	if err != nil {
		return store.Product{}, store.ProductProfile{}, err
	}
	changed := in.apply(&prof)
	if len(changed) == 0 {
		return store.Product{}, store.ProductProfile{}, badRequest("name at least one field to change")
	}
	if err := validateProfile(&prof); err != nil {
		return store.Product{}, store.ProductProfile{}, err
	}
	prof.UpdatedAt = s.now()
	if err := s.store.SetProductProfile(r.Context(), id, prof); err != nil {
		return store.Product{}, store.ProductProfile{}, fmt.Errorf("server: update product %s: %w", id, err)
	}
	if err := s.audit(r, ActProductUpdate, "product:"+id, describeProfile(prof, changed)); err != nil {
		return store.Product{}, store.ProductProfile{}, err
	}
	prof.UpdatedAt = prof.UpdatedAt.UTC()
	return p, prof, nil
}

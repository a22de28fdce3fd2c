package auth

import "fmt"

// Authorize is the one policy decision of craft serve: may p do perm,
// on productID for product permissions? It returns nil, an error matching
// ErrUnauthenticated (answer 401; ErrMFARequired when only the second
// factor is missing) or an error matching ErrForbidden (answer 403).
//
// Deny by default: an anonymous principal, an unknown permission, an
// unknown role, a product permission without a product, a product the
// principal is not a member of, a product outside a token's scope and a
// permission tokens may not use are all refused. productID is ignored for
// global permissions.
func Authorize(p Principal, perm Permission, productID string) error {
	if !p.authenticated() {
		return ErrUnauthenticated
	}
	if p.MFAPending {
		return ErrMFARequired
	}
	spec, ok := policy[perm]
	if !ok {
		return fmt.Errorf("%w: unknown permission %q", ErrForbidden, perm)
	}
	if p.Kind == KindToken && (p.Token == nil || !spec.tokenUsage) {
		return fmt.Errorf("%w: %s cannot be used with an API token", ErrForbidden, perm)
	}
	var role Role
	if spec.product {
		if productID == "" {
			return fmt.Errorf("%w: %s needs a product", ErrForbidden, perm)
		}
		role = p.productRole(productID)
	} else {
		role = p.globalRole()
		if p.Token != nil && p.Token.Scoped && perm != PermProductList {
			// A product-scoped token stays inside its products.
			role = ""
		}
	}
	if !role.AtLeast(spec.min) {
		if productID != "" && spec.product {
			return fmt.Errorf("%w: %s on product %s", ErrForbidden, perm, productID)
		}
		return fmt.Errorf("%w: %s", ErrForbidden, perm)
	}
	return nil
}

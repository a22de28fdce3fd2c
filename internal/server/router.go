package server

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/craft-cra/craft/internal/auth"
)

// buildHandler registers every route of the table on a ServeMux behind the
// per-route steps (rate-limit class, body limit, authentication,
// authorisation) and wraps the mux in the middleware chain.
func (s *Server) buildHandler() (http.Handler, error) {
	mux := http.NewServeMux()
	seen := make(map[string]bool)
	routes := s.Routes()
	for i := range routes {
		rt := &routes[i]
		if err := checkRoute(rt); err != nil {
			return nil, err
		}
		if seen[rt.pattern()] {
			return nil, fmt.Errorf("route %s registered twice", rt.pattern())
		}
		seen[rt.pattern()] = true
		mux.Handle(rt.pattern(), s.route(rt))
	}
	fallback := &Route{Method: "", Pattern: "/", Public: true}
	mux.Handle("/", s.noRoute(mux, fallback))
	return s.chain(mux), nil
}

// checkRoute enforces the rules of the route table: a method, a pattern, a
// handler, and either a known permission or a place on the allow-list.
func checkRoute(rt *Route) error {
	if rt.Method == "" || !strings.HasPrefix(rt.Pattern, "/") || rt.Handler == nil {
		return fmt.Errorf("route %q: method, pattern and handler are required", rt.pattern())
	}
	if rt.Public {
		if rt.Perm != "" {
			return fmt.Errorf("route %s: public routes have no permission", rt.pattern())
		}
		if !onAllowList(rt) {
			return fmt.Errorf("route %s is public but not on the allow-list", rt.pattern())
		}
		return nil
	}
	if !rt.Perm.Known() {
		return fmt.Errorf("route %s: unknown or missing permission %q", rt.pattern(), rt.Perm)
	}
	if rt.Perm.ProductScoped() && rt.ProductParam == "" {
		return fmt.Errorf("route %s: product permission %s without ProductParam", rt.pattern(), rt.Perm)
	}
	if rt.ProductParam != "" && !strings.Contains(rt.Pattern, "{"+rt.ProductParam+"}") {
		return fmt.Errorf("route %s: ProductParam %q is not a wildcard of the pattern", rt.pattern(), rt.ProductParam)
	}
	return nil
}

// route is the handler of one route: its rate-limit class, body limit,
// authentication and the central authorisation, then the route's handler.
func (s *Server) route(rt *Route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ri := infoFrom(r.Context())
		ri.Route = rt
		if rt.Rate == RateAuth {
			if ok, wait := s.limits.auth.allow(ri.ClientIP); !ok {
				s.m.rateLimited.WithLabelValues("auth").Inc()
				s.writeError(w, r, errRateLimited(wait))
				return
			}
		}
		limit := rt.maxBody()
		if r.ContentLength > limit {
			s.writeError(w, r, errTooLarge(limit))
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, limit)
		if !rt.Public {
			if err := s.authenticateAndAuthorize(r, rt); err != nil {
				s.writeError(w, r, err)
				return
			}
		}
		if err := rt.Handler(w, r); err != nil {
			s.writeError(w, r, err)
		}
	})
}

// authenticateAndAuthorize is the one place where access is decided: the
// caller is authenticated, auth.Authorize is asked for the route's
// permission (on the product named in the path for product permissions),
// and the principal's own rate limit is counted.
func (s *Server) authenticateAndAuthorize(r *http.Request, rt *Route) error {
	p, err := s.Authenticate(r)
	if err != nil {
		return err
	}
	productID := ""
	if rt.ProductParam != "" {
		productID = r.PathValue(rt.ProductParam)
	}
	if err := auth.Authorize(p, rt.Perm, productID); err != nil {
		return err
	}
	if ok, wait := s.limits.principal.allow(principalKey(p)); !ok {
		s.m.rateLimited.WithLabelValues("principal").Inc()
		return errRateLimited(wait)
	}
	return nil
}

// noRoute answers requests no route matches: 405 with Allow when the path
// exists with other methods, else 404, both as problem+json.
func (s *Server) noRoute(mux *http.ServeMux, rt *Route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		infoFrom(r.Context()).Route = rt
		var allow []string
		for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
			if m == r.Method {
				continue
			}
			probe := r.Clone(r.Context())
			probe.Method = m
			if _, pat := mux.Handler(probe); pat != "" && pat != "/" {
				allow = append(allow, m)
			}
		}
		if len(allow) > 0 {
			w.Header().Set("Allow", strings.Join(allow, ", "))
			s.writeError(w, r, &Error{Status: http.StatusMethodNotAllowed})
			return
		}
		s.writeError(w, r, &Error{Status: http.StatusNotFound})
	})
}

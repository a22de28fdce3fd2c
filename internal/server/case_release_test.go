package server

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/craft-cra/craft/internal/auth"
	"github.com/craft-cra/craft/internal/store"
	"github.com/craft-cra/craft/internal/store/storetest"
)

// release creates releases of p without an SBOM.
func (e *env) release(p store.Product, versions ...string) {
	e.t.Helper()
	for _, v := range versions {
		if _, err := e.st.CreateRelease(context.Background(), store.Release{ProductID: p.ID, Version: v}); err != nil {
			e.t.Fatal(err)
		}
	}
}

// TestCaseReleasesChecked: the releases a case names by hand (affected,
// fixed in, the measure's fixed release) must be releases of its product;
// a release of another product is unknown too.
func TestCaseReleasesChecked(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st, Config{Limits: RateLimits{Disabled: true}})
		widget, gadget := e.product("Widget"), e.product("Gadget")
		e.release(widget, "1.0", "1.1")
		e.release(gadget, "9.9")
		u := e.user("so@example.eu", auth.RoleSecurityOfficer)
		e.member(u, widget, store.RoleSecurityOfficer)
		so := e.session(u)
		w := e.do("POST", "/api/v1/cases", map[string]any{"product": widget.ID, "title": "Overflow"}, withCookie(so))
		expectStatus(t, w, http.StatusCreated)
		ref := "/api/v1/cases/" + decode[caseJSON](t, w).Reference
		tests := []struct {
			name, method, path string
			body               map[string]any
			status             int
			detail             string
		}{
			{"create_unknown_affected", "POST", "/api/v1/cases", map[string]any{"product": widget.ID, "title": "x",
				"affected_releases": []string{"1.0", "2.0"}}, 422, `affected_releases[1]: "2.0"`},
			{"affected_known", "PATCH", ref, map[string]any{"affected_releases": []string{"1.0", "1.1"}}, 200, ""},
			{"affected_unknown", "PATCH", ref, map[string]any{"affected_releases": []string{"1.0", "1.2"}}, 422, `affected_releases[1]: "1.2"`},
			{"affected_other_product", "PATCH", ref, map[string]any{"affected_releases": []string{"9.9"}}, 422, `affected_releases[0]: "9.9"`},
			{"fixed_unknown", "PATCH", ref, map[string]any{"fixed_in_release": "1.2"}, 422, `fixed_in_release: "1.2"`},
			{"fixed_known", "PATCH", ref, map[string]any{"fixed_in_release": "1.1"}, 200, ""},
			{"fixed_cleared", "PATCH", ref, map[string]any{"fixed_in_release": ""}, 200, ""},
			{"measure_unknown", "POST", ref + "/measure", map[string]any{"available_at": e.clock.Now().UTC().Format("2006-01-02T15:04:05Z"),
				"fixed_in_release": "1.3"}, 422, `fixed_in_release: "1.3"`},
			{"measure_known", "POST", ref + "/measure", map[string]any{"available_at": e.clock.Now().UTC().Format("2006-01-02T15:04:05Z"),
				"fixed_in_release": "1.1"}, 200, ""},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				w := e.do(tt.method, tt.path, tt.body, withCookie(so))
				expectStatus(t, w, tt.status)
				if tt.detail != "" && !strings.Contains(w.Body.String(), strings.ReplaceAll(tt.detail, `"`, `\"`)) {
					t.Fatalf("body %s, want %s", w.Body.String(), tt.detail)
				}
			})
		}
		c := decode[caseJSON](t, e.do("GET", ref, nil, withCookie(so)))
		if strings.Join(c.AffectedReleases, ",") != "1.0,1.1" || c.FixedInRelease != "1.1" {
			t.Fatalf("refused changes were kept: %+v", c)
		}
	})
}

package server

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/craft-cra/craft/internal/auth"
	"github.com/craft-cra/craft/internal/store"
	"github.com/craft-cra/craft/internal/store/storetest"
)

// listItems is how many rows each paged list gets in TestListPagination:
// more than two pages of 100.
const listItems = 250

// pagedEnv is an env with listItems products, releases of one product,
// components of one release, reports and users, and an administrator's
// session.
type pagedEnv struct {
	*env
	admin   string
	product store.Product
}

func newPagedEnv(t *testing.T, st *store.Store) *pagedEnv {
	t.Helper()
	ctx := context.Background()
	e := newEnv(t, st, Config{Limits: RateLimits{Disabled: true}})
	pe := &pagedEnv{env: e, admin: e.session(e.user("admin@example.eu", auth.RoleAdministrator))}
	// Created in a shuffled order, so that insertion order is not the
	// list order by accident.
	for _, i := range rand.New(rand.NewPCG(1, 2)).Perm(listItems) {
		p := e.product(fmt.Sprintf("product-%03d", i))
		if i == 0 {
			pe.product = p
		}
	}
	comps := make([]store.ReleaseComponent, listItems)
	for i := range listItems {
		// Every release on the same day: the order falls back to the
		// later keys.
		if _, err := st.CreateRelease(ctx, store.Release{ProductID: pe.product.ID, Version: fmt.Sprintf("1.%03d", i),
			ReleasedOn: "2026-12-01"}); err != nil {
			t.Fatal(err)
		}
		eco := []string{"npm", "Go"}[i%2]
		comps[i] = store.ReleaseComponent{ComponentID: fmt.Sprintf("c-%03d", i), Name: fmt.Sprintf("lib-%03d", i),
			Version: "1.0.0", Ecosystem: eco, PURL: fmt.Sprintf("pkg:%s/lib-%03d@1.0.0", strings.ToLower(eco), i)}
		if _, err := st.CreateReport(ctx, store.Report{ProductID: pe.product.ID, Description: "d"}, fmt.Sprintf("hash-%d", i)); err != nil {
			t.Fatal(err)
		}
		e.user(fmt.Sprintf("user-%03d@example.eu", i), auth.RoleViewer)
	}
	if _, _, err := st.PutReleaseSBOM(ctx, store.SBOMUpload{ProductID: pe.product.ID, Version: "2.0", ReleasedOn: "2026-11-01",
		Data: []byte("{}"), Components: comps, Info: store.SBOMInfo{ContentType: "application/json"}}); err != nil {
		t.Fatal(err)
	}
	return pe
}

// walk reads every page of the list at path (limit per page) and returns
// the items' key field in order. It fails when a page is larger than limit
// or the walk does not end.
func (pe *pagedEnv) walk(t *testing.T, path, key string, limit int) []string {
	t.Helper()
	var got []string
	cursor := ""
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	for pages := 0; ; pages++ {
		if pages > listItems {
			t.Fatalf("%s: no end after %d pages", path, pages)
		}
		url := fmt.Sprintf("%s%slimit=%d", path, sep, limit)
		if cursor != "" {
			url += "&cursor=" + cursor
		}
		w := pe.do("GET", url, nil, withCookie(pe.admin))
		expectStatus(t, w, http.StatusOK)
		page := decode[Page[map[string]any]](t, w)
		if len(page.Items) > limit {
			t.Fatalf("%s: page of %d items, limit %d", url, len(page.Items), limit)
		}
		for _, it := range page.Items {
			s, _ := it[key].(string)
			got = append(got, s)
		}
		if page.NextCursor == "" {
			return got
		}
		cursor = page.NextCursor
	}
}

// TestListPagination walks every paged list of listItems rows with
// limit=100 and expects each row exactly once, in the order of the
// unpaged store query, on SQLite and PostgreSQL.
func TestListPagination(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		pe := newPagedEnv(t, st)
		pid := pe.product.ID
		rel, err := st.GetRelease(ctx, pid, "2.0")
		if err != nil {
			t.Fatal(err)
		}
		products, _ := st.ListProducts(ctx)
		releases, _ := st.ListReleases(ctx, pid)
		comps, _ := st.ListReleaseComponents(ctx, rel.ID)
		reports, _ := st.ListReports(ctx, store.ReportFilter{All: true, Limit: 1000})
		users, _ := st.ListUsers(ctx)
		for _, tc := range []struct {
			name, path, key string
			want            []string
		}{
			{"products", "/api/v1/products", "name", keys(products, func(p store.Product) string { return p.Name })},
			{"releases", "/api/v1/products/" + pid + "/releases", "version", keys(releases, func(r store.Release) string { return r.Version })},
			{"components", "/api/v1/products/" + pid + "/releases/2.0/components", "id",
				keys(comps, func(c store.ReleaseComponent) string { return c.ComponentID })},
			{"reports", "/api/v1/reports", "reference", keys(reports, func(r store.Report) string { return r.Reference })},
			{"users", "/api/v1/users", "email", keys(users, func(u store.User) string { return u.Email })},
		} {
			t.Run(tc.name, func(t *testing.T) {
				if len(tc.want) < listItems {
					t.Fatalf("fixture: %d rows, want at least %d", len(tc.want), listItems)
				}
				if diff := cmp.Diff(tc.want, pe.walk(t, tc.path, tc.key, 100)); diff != "" {
					t.Errorf("GET %s, all pages (-want +got):\n%s", tc.path, diff)
				}
			})
		}
	})
}

func keys[T any](list []T, key func(T) string) []string {
	out := make([]string, len(list))
	for i, x := range list {
		out[i] = key(x)
	}
	return out
}

// TestComponentFilters checks ?q= (name or purl, case-blind, wildcards
// taken literally) and ?ecosystem= of the component list, across pages.
func TestComponentFilters(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		pe := newPagedEnv(t, st)
		base := "/api/v1/products/" + pe.product.ID + "/releases/2.0/components"
		ids := func(from, to, step int) []string {
			var out []string
			for i := from; i < to; i += step {
				out = append(out, fmt.Sprintf("c-%03d", i))
			}
			return out
		}
		for _, tc := range []struct {
			query string
			want  []string
		}{
			{"q=lib-01", ids(10, 20, 1)},
			{"q=LIB-00", ids(0, 10, 1)},
			{"q=pkg:go/lib-01", ids(11, 20, 2)},
			{"ecosystem=go", ids(1, listItems, 2)},
			{"ecosystem=npm&q=lib-1", ids(100, 200, 2)},
			{"q=%25", nil},
			{"q=lib_0", nil},
			{"ecosystem=pypi", nil},
		} {
			got := pe.walk(t, base+"?"+tc.query, "id", 7)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("?%s (-want +got):\n%s", tc.query, diff)
			}
		}
	})
}

// TestPaginationErrors: a bad limit or cursor is a 400 problem whose detail
// names the parameter, on every paged list.
func TestPaginationErrors(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t), Config{Limits: RateLimits{Disabled: true}})
	admin := e.session(e.user("admin@example.eu", auth.RoleAdministrator))
	p := e.product("router")
	if _, _, err := e.st.PutReleaseSBOM(context.Background(), store.SBOMUpload{ProductID: p.ID, Version: "1.0",
		Data: []byte("{}"), Info: store.SBOMInfo{ContentType: "application/json"}}); err != nil {
		t.Fatal(err)
	}
	lists := []string{"/api/v1/products", "/api/v1/products/" + p.ID + "/releases",
		"/api/v1/products/" + p.ID + "/releases/1.0/components", "/api/v1/reports", "/api/v1/users"}
	for _, list := range lists {
		for _, tc := range []struct{ query, param string }{
			{"limit=0", "limit"},
			{"limit=1001", "limit"},
			{"limit=ten", "limit"},
			{"cursor=%21%21", "cursor"},
			{"cursor=bm90IGpzb24", "cursor"},
			{"cursor=" + strings.Repeat("a", maxCursorLen+1), "cursor"},
		} {
			w := e.do("GET", list+"?"+tc.query, nil, withCookie(admin))
			if w.Code != http.StatusBadRequest || w.Header().Get("Content-Type") != "application/problem+json" {
				t.Errorf("GET %s?%.30s: %d %s, want 400 application/problem+json", list, tc.query, w.Code, w.Header().Get("Content-Type"))
				continue
			}
			if pr := decode[Problem](t, w); !strings.HasPrefix(pr.Detail, tc.param+":") {
				t.Errorf("GET %s?%.30s: detail %q does not start with %q", list, tc.query, pr.Detail, tc.param+":")
			}
		}
	}
}

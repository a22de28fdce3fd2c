package server

import (
	"testing"

	"github.com/craft-cra/craft/internal/auth"
	"github.com/craft-cra/craft/internal/store"
	"github.com/craft-cra/craft/internal/store/storetest"
)

func TestLoginAndMe(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st, Config{})
		u := e.user("ann@example.eu", auth.RoleViewer)
		w := e.do("POST", "/api/v1/auth/login", map[string]string{"email": "ann@example.eu", "password": testPassword})
		expectStatus(t, w, 200)
		c := sessionCookie(w)
		if c == nil {
			t.Fatal("no session cookie")
		}
		w = e.do("GET", "/api/v1/me", nil, withCookie(c.Value))
		expectStatus(t, w, 200)
		me := decode[meResponse](t, w)
		if me.ID != u.ID || me.Role != "viewer" || me.Via != "session" {
			t.Fatalf("me = %+v", me)
		}
	})
}

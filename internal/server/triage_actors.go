package server

import (
	"context"
	"fmt"
	"strings"
)

// actorEmails maps audit actors ("user:<id>") to the users' e-mail
// addresses, so pages and answers can say who decided. Actors that are
// not users (tokens, "anonymous") and users that no longer exist are
// missing: callers show the actor as it is.
type actorEmails map[string]string

// email is the e-mail address of actor, "" when unknown.
func (m actorEmails) email(actor string) string { return m[actor] }

// display is the e-mail address of actor, else actor itself.
func (m actorEmails) display(actor string) string {
	if e := m[actor]; e != "" {
		return e
	}
	return actor
}

// resolveActors looks up the users among actors with one query, however
// many there are; without any "user:" actor it asks nothing.
func (s *Server) resolveActors(ctx context.Context, actors ...string) (actorEmails, error) {
	want := map[string]bool{}
	for _, a := range actors {
		if id, ok := strings.CutPrefix(a, "user:"); ok && id != "" {
			want[id] = true
		}
	}
	out := actorEmails{}
	if len(want) == 0 {
		return out, nil
	}
	users, err := s.store.ListUsers(ctx)
	if err != nil {
		return nil, fmt.Errorf("server: resolve actors: %w", err)
	}
	for _, u := range users {
		if want[u.ID] {
			out["user:"+u.ID] = u.Email
		}
	}
	return out, nil
}

package storetest

import (
	"context"
	"testing"

	"github.com/craft-cra/craft/internal/store"
)

func TestForEach(t *testing.T) {
	ForEach(t, func(t *testing.T, s *store.Store) {
		n, err := s.CountUsers(context.Background())
		if err != nil || n != 0 {
			t.Errorf("fresh store has %d users (%v)", n, err)
		}
	})
}

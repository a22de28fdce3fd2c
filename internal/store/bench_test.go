package store

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"
)

func benchStore(b *testing.B) *Store {
	b.Helper()
	s, err := Open(context.Background(), Config{Driver: DriverSQLite, Path: filepath.Join(b.TempDir(), SQLiteFile)})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	return s
}

// BenchmarkGetSessionUser is the read every authenticated request makes.
func BenchmarkGetSessionUser(b *testing.B) {
	s := benchStore(b)
	ctx := context.Background()
	u, err := s.CreateUser(ctx, User{Email: "a@example.org"})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := s.CreateSession(ctx, Session{ID: "h", UserID: u.ID, ExpiresAt: fixedNow, AbsoluteExpiresAt: fixedNow}); err != nil {
		b.Fatal(err)
	}
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, _, err := s.GetSessionUser(ctx, "h"); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkAppendAudit is one audited write.
func BenchmarkAppendAudit(b *testing.B) {
	s := benchStore(b)
	ctx := context.Background()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			i++
			if _, err := s.AppendAudit(ctx, Event{Actor: "user:1", Action: "login", Target: fmt.Sprint(i), At: time.Now()}); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

package store

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestSetupTokenSingleUse(t *testing.T) {
	forEachStore(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		if err := s.CreateSetupToken(ctx, "sh", fixedNow.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		if err := s.CreateSetupToken(ctx, "old", fixedNow.Add(-time.Second)); err != nil {
			t.Fatal(err)
		}
		if err := s.ConsumeSetupToken(ctx, "old", fixedNow); !errors.Is(err, ErrNotFound) {
			t.Errorf("expired token: err = %v, want ErrNotFound", err)
		}
		if err := s.ConsumeSetupToken(ctx, "nope", fixedNow); !errors.Is(err, ErrNotFound) {
			t.Errorf("unknown token: err = %v, want ErrNotFound", err)
		}
		// Many concurrent consumers: exactly one wins.
		var wins atomic.Int32
		var wg sync.WaitGroup
		for range 16 {
			wg.Go(func() {
				err := s.ConsumeSetupToken(ctx, "sh", fixedNow)
				switch {
				case err == nil:
					wins.Add(1)
				case !errors.Is(err, ErrNotFound):
					t.Errorf("consume: %v", err)
				}
			})
		}
		wg.Wait()
		if wins.Load() != 1 {
			t.Errorf("%d consumers won, want exactly 1", wins.Load())
		}
		if n, err := s.DeleteSetupTokens(ctx); err != nil || n != 2 {
			t.Errorf("DeleteSetupTokens = %d, %v", n, err)
		}
	})
}

func TestLoginAttempts(t *testing.T) {
	forEachStore(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		a, err := s.GetLoginAttempt(ctx, "ip:192.0.2.1")
		if err != nil || a.Failures != 0 || a.Key != "ip:192.0.2.1" {
			t.Fatalf("fresh key = %+v, %v", a, err)
		}
		lock := func(n int) time.Time {
			if n < 3 {
				return time.Time{}
			}
			return fixedNow.Add(time.Duration(n) * time.Second)
		}
		var wg sync.WaitGroup
		for range 5 {
			wg.Go(func() {
				if _, err := s.RecordLoginFailure(ctx, "user:u1", fixedNow, lock); err != nil {
					t.Errorf("record: %v", err)
				}
			})
		}
		wg.Wait()
		a, err = s.GetLoginAttempt(ctx, "user:u1")
		if err != nil || a.Failures != 5 || !a.LastFailureAt.Equal(fixedNow) || !a.LockedUntil.Equal(fixedNow.Add(5*time.Second)) {
			t.Errorf("after 5 concurrent failures: %+v, %v", a, err)
		}
		a, _ = s.RecordLoginFailure(ctx, "ip:192.0.2.1", fixedNow, nil)
		if a.Failures != 1 || !a.LockedUntil.IsZero() {
			t.Errorf("first ip failure = %+v", a)
		}
		if err := s.ResetLoginAttempts(ctx, "user:u1"); err != nil {
			t.Fatal(err)
		}
		if a, _ := s.GetLoginAttempt(ctx, "user:u1"); a.Failures != 0 {
			t.Errorf("after reset: %+v", a)
		}
		if n, err := s.DeleteStaleLoginAttempts(ctx, fixedNow.Add(time.Minute)); err != nil || n != 1 {
			t.Errorf("DeleteStaleLoginAttempts = %d, %v", n, err)
		}
	})
}

func TestSettings(t *testing.T) {
	forEachStore(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		if _, err := s.GetSetting(ctx, "mfa.required"); !errors.Is(err, ErrNotFound) {
			t.Errorf("err = %v, want ErrNotFound", err)
		}
		for _, v := range []string{"admins", "all"} {
			if err := s.SetSetting(ctx, "mfa.required", v); err != nil {
				t.Fatal(err)
			}
		}
		if v, err := s.GetSetting(ctx, "mfa.required"); err != nil || v != "all" {
			t.Errorf("GetSetting = %q, %v", v, err)
		}
		if m, err := s.ListSettings(ctx); err != nil || len(m) != 1 || m["mfa.required"] != "all" {
			t.Errorf("ListSettings = %v, %v", m, err)
		}
		if err := s.DeleteSetting(ctx, "mfa.required"); err != nil {
			t.Fatal(err)
		}
		if err := s.DeleteSetting(ctx, "mfa.required"); !errors.Is(err, ErrNotFound) {
			t.Errorf("err = %v, want ErrNotFound", err)
		}
	})
}

func TestLeases(t *testing.T) {
	forEachStore(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		var now atomic.Int64
		now.Store(fixedNow.UnixNano())
		s.now = func() time.Time { return time.Unix(0, now.Load()) }
		ok, err := s.AcquireLease(ctx, "osv-sync", "a", time.Minute)
		if err != nil || !ok {
			t.Fatalf("a acquires a free lease: %v, %v", ok, err)
		}
		if ok, _ := s.AcquireLease(ctx, "osv-sync", "b", time.Minute); ok {
			t.Error("b took a lease a holds")
		}
		if ok, _ := s.AcquireLease(ctx, "osv-sync", "a", time.Minute); !ok {
			t.Error("a could not re-acquire its own lease")
		}
		if ok, _ := s.RenewLease(ctx, "osv-sync", "b", time.Minute); ok {
			t.Error("b renewed a's lease")
		}
		now.Add(int64(2 * time.Minute))
		if ok, _ := s.RenewLease(ctx, "osv-sync", "a", time.Minute); ok {
			t.Error("a renewed an expired lease")
		}
		if ok, _ := s.AcquireLease(ctx, "osv-sync", "b", time.Minute); !ok {
			t.Error("b could not take over an expired lease")
		}
		if err := s.ReleaseLease(ctx, "osv-sync", "a"); err != nil {
			t.Fatal(err)
		}
		if ok, _ := s.RenewLease(ctx, "osv-sync", "b", time.Minute); !ok {
			t.Error("a's release of a lease it no longer holds freed b's lease")
		}
		if err := s.ReleaseLease(ctx, "osv-sync", "b"); err != nil {
			t.Fatal(err)
		}
		if ok, _ := s.AcquireLease(ctx, "osv-sync", "a", time.Minute); !ok {
			t.Error("a could not take a released lease")
		}
		if _, err := s.AcquireLease(ctx, "x", "a", 0); !errors.Is(err, ErrInvalid) {
			t.Errorf("zero ttl: err = %v", err)
		}
	})
}

// TestLeaseRace has two Store instances on one database (two craft serve
// processes) race for the same lease many times: exactly one wins each
// round.
func TestLeaseRace(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) {
		t.Parallel()
		path := t.TempDir() + "/" + SQLiteFile
		leaseRace(t, Config{Driver: DriverSQLite, Path: path})
	})
	t.Run("postgres", func(t *testing.T) {
		t.Parallel()
		leaseRace(t, Config{Driver: DriverPostgres, DSN: postgresDSN(t)})
	})
}

func leaseRace(t *testing.T, cfg Config) {
	ctx := context.Background()
	var stores []*Store
	for range 2 {
		s, err := Open(ctx, cfg)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		stores = append(stores, s)
	}
	for round := range 20 {
		name := "job-" + string(rune('a'+round))
		var wins atomic.Int32
		var wg sync.WaitGroup
		for i, s := range stores {
			for g := range 4 {
				holder := string(rune('A'+i)) + string(rune('0'+g))
				wg.Go(func() {
					ok, err := s.AcquireLease(ctx, name, holder, time.Hour)
					if err != nil {
						t.Errorf("acquire: %v", err)
					}
					if ok {
						wins.Add(1)
					}
				})
			}
		}
		wg.Wait()
		if wins.Load() != 1 {
			t.Fatalf("round %d: %d holders got the lease, want 1", round, wins.Load())
		}
	}
}

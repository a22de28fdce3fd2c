package store

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"
)

func appendN(t *testing.T, s *Store, n int) {
	t.Helper()
	for i := range n {
		_, err := s.AppendAudit(context.Background(), Event{
			At: fixedNow.Add(time.Duration(i) * time.Second), Actor: "user:u1", Action: "login", Target: fmt.Sprintf("user:%d", i),
			SourceIP: "192.0.2.1", Detail: map[string]string{"method": "password", "n": fmt.Sprint(i)},
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

func mustVerify(t *testing.T, s *Store) VerifyResult {
	t.Helper()
	r, err := s.VerifyAudit(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestAuditAppendAndList(t *testing.T) {
	forEachStore(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		if r := mustVerify(t, s); !r.OK || r.Count != 0 {
			t.Errorf("empty log: %+v", r)
		}
		e, err := s.AppendAudit(ctx, Event{Actor: "system", Action: "setup.token_created"})
		if err != nil {
			t.Fatal(err)
		}
		if e.Seq != 1 || e.PrevHash != genesisHash || len(e.Hash) != 64 || e.At.IsZero() {
			t.Errorf("first event = %+v", e)
		}
		if _, err := s.AppendAudit(ctx, Event{Actor: "system"}); !errors.Is(err, ErrInvalid) {
			t.Errorf("event without action: err = %v", err)
		}
		appendN(t, s, 5)
		r := mustVerify(t, s)
		if !r.OK || r.Count != 6 || r.HeadSeq != 6 {
			t.Errorf("verify = %+v", r)
		}
		l, err := s.ListAudit(ctx, AuditFilter{Action: "login", AfterSeq: 2, Limit: 2})
		if err != nil || len(l) != 2 || l[0].Seq != 3 || l[0].Detail["n"] != "1" || !l[0].At.Equal(fixedNow.Add(time.Second)) {
			t.Errorf("ListAudit = %+v, %v", l, err)
		}
		l, _ = s.ListAudit(ctx, AuditFilter{Newest: true, Limit: 1})
		if len(l) != 1 || l[0].Seq != 6 {
			t.Errorf("newest = %+v", l)
		}
		l, _ = s.ListAudit(ctx, AuditFilter{Since: fixedNow.Add(2 * time.Second), Until: fixedNow.Add(4 * time.Second)})
		if len(l) != 2 || l[0].Target != "user:2" {
			t.Errorf("time window = %+v", l)
		}
		if l, _ := s.ListAudit(ctx, AuditFilter{Actor: "system"}); len(l) != 1 || l[0].Detail != nil {
			t.Errorf("actor filter = %+v", l)
		}
	})
}

func TestAuditTamperDetected(t *testing.T) {
	cases := []struct {
		name    string
		tamper  func(t *testing.T, s *Store)
		wantSeq int64
	}{
		{"edit_detail", func(t *testing.T, s *Store) {
			rawExec(t, s, `UPDATE audit_log SET detail = '{"method":"sso","n":"2"}' WHERE seq = 3`)
		}, 3},
		{"edit_time", func(t *testing.T, s *Store) {
			rawExec(t, s, `UPDATE audit_log SET at = at + 1 WHERE seq = 4`)
		}, 4},
		{"edit_and_rehash_row", func(t *testing.T, s *Store) {
			// A forger who recomputes the edited row's own hash still breaks
			// the link to the next row.
			h := auditHash(2, toDB(fixedNow), "user:evil", "login", "user:0", "192.0.2.1", `{"method":"password","n":"0"}`, genesisHash)
			rawExec(t, s, `UPDATE audit_log SET actor = 'user:evil', hash = $1 WHERE seq = 2`, h)
		}, 2},
		{"delete_middle", func(t *testing.T, s *Store) {
			rawExec(t, s, `DELETE FROM audit_log WHERE seq = 3`)
		}, 3},
		{"delete_first", func(t *testing.T, s *Store) {
			rawExec(t, s, `DELETE FROM audit_log WHERE seq = 1`)
		}, 1},
		{"delete_newest", func(t *testing.T, s *Store) {
			rawExec(t, s, `DELETE FROM audit_log WHERE seq >= 5`)
		}, 5},
		{"delete_all", func(t *testing.T, s *Store) {
			rawExec(t, s, `DELETE FROM audit_log`)
		}, 1},
		{"swap_rows", func(t *testing.T, s *Store) {
			// Exchange the contents of seq 2 and 4, keeping the seq column.
			rawExec(t, s, `UPDATE audit_log SET seq = -2 WHERE seq = 2`)
			rawExec(t, s, `UPDATE audit_log SET seq = 2 WHERE seq = 4`)
			rawExec(t, s, `UPDATE audit_log SET seq = 4 WHERE seq = -2`)
		}, 2},
		{"insert_middle", func(t *testing.T, s *Store) {
			// Renumber 4..6 up by one and slip a forged row in as 4.
			for _, seq := range []int{6, 5, 4} {
				rawExec(t, s, `UPDATE audit_log SET seq = seq + 1 WHERE seq = $1`, seq)
			}
			var prev string
			if err := s.read.QueryRowContext(context.Background(), `SELECT hash FROM audit_log WHERE seq = 3`).Scan(&prev); err != nil {
				t.Fatal(err)
			}
			h := auditHash(4, 1, "user:evil", "role.change", "user:evil", "", "{}", prev)
			rawExec(t, s, `INSERT INTO audit_log (seq, at, actor, action, target, source_ip, detail, prev_hash, hash)
				VALUES (4, 1, 'user:evil', 'role.change', 'user:evil', '', '{}', $1, $2)`, prev, h)
		}, 5},
		{"append_outside", func(t *testing.T, s *Store) {
			var prev string
			if err := s.read.QueryRowContext(context.Background(), `SELECT hash FROM audit_log WHERE seq = 6`).Scan(&prev); err != nil {
				t.Fatal(err)
			}
			h := auditHash(7, 1, "x", "y", "", "", "{}", prev)
			rawExec(t, s, `INSERT INTO audit_log (seq, at, actor, action, target, source_ip, detail, prev_hash, hash)
				VALUES (7, 1, 'x', 'y', '', '', '{}', $1, $2)`, prev, h)
		}, 7},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			forEachStore(t, func(t *testing.T, s *Store) {
				appendN(t, s, 6)
				if r := mustVerify(t, s); !r.OK {
					t.Fatalf("before tampering: %+v", r)
				}
				tc.tamper(t, s)
				r := mustVerify(t, s)
				if r.OK || r.FirstBadSeq != tc.wantSeq {
					t.Errorf("verify after %s = %+v, want first bad seq %d", tc.name, r, tc.wantSeq)
				}
				if r.Reason == "" {
					t.Error("no reason given")
				}
			})
		})
	}
}

// TestAuditConcurrentAppends appends from many goroutines through two Store
// instances on one database (two processes): the chain stays linear.
func TestAuditConcurrentAppends(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) {
		t.Parallel()
		auditRace(t, Config{Driver: DriverSQLite, Path: t.TempDir() + "/" + SQLiteFile})
	})
	t.Run("postgres", func(t *testing.T) {
		t.Parallel()
		auditRace(t, Config{Driver: DriverPostgres, DSN: postgresDSN(t)})
	})
}

func auditRace(t *testing.T, cfg Config) {
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
	const perWorker, workers = 10, 8
	var wg sync.WaitGroup
	for w := range workers {
		s := stores[w%2]
		wg.Go(func() {
			for i := range perWorker {
				if _, err := s.AppendAudit(ctx, Event{Actor: fmt.Sprintf("worker:%d", w), Action: "test", Target: fmt.Sprint(i)}); err != nil {
					t.Errorf("append: %v", err)
					return
				}
			}
		})
	}
	wg.Wait()
	r := mustVerify(t, stores[1])
	if !r.OK || r.Count != perWorker*workers || r.HeadSeq != perWorker*workers {
		t.Errorf("after concurrent appends: %+v", r)
	}
}

func TestAuditFailedTransactionLeavesNothing(t *testing.T) {
	forEachStore(t, func(t *testing.T, s *Store) {
		appendN(t, s, 2)
		// A row squatting on the next seq makes the insert fail; the head
		// must not move either.
		rawExec(t, s, `INSERT INTO audit_log (seq, at, actor, action, target, source_ip, detail, prev_hash, hash)
			VALUES (3, 0, 'x', 'y', '', '', '{}', '', '')`)
		if _, err := s.AppendAudit(context.Background(), Event{Actor: "a", Action: "b"}); !errors.Is(err, ErrConflict) {
			t.Fatalf("append onto a squatted seq: err = %v, want ErrConflict", err)
		}
		r := mustVerify(t, s)
		if r.HeadSeq != 2 {
			t.Errorf("head moved to %d after a failed append", r.HeadSeq)
		}
	})
}

func TestFindSecretLike(t *testing.T) {
	for _, tc := range []struct {
		e    Event
		want int
	}{
		{Event{Actor: "user:0123456789abcdef0123456789abcdef", Detail: map[string]string{"role": "admin", "ip": "192.0.2.1"}}, 0},
		{Event{Detail: map[string]string{"password": "x"}}, 1},
		{Event{Detail: map[string]string{"note": "craft_pat_Zx81kQ0w9dLmN3pR7tYv2bC4"}}, 1},
		{Event{Target: "Bearer abcDEF1234567890ghiJKL0987654321"}, 1},
		{Event{Detail: map[string]string{"sha": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"}}, 1},
		{Event{Detail: map[string]string{"reason": "too many failed attempts from one address"}}, 0},
	} {
		if got := FindSecretLike(tc.e); len(got) != tc.want {
			t.Errorf("FindSecretLike(%+v) = %v, want %d hits", tc.e, got, tc.want)
		}
	}
}

// TestAuditVerifyWhileAppending verifies again and again while events are
// appended: a consistent snapshot never reports a false break.
func TestAuditVerifyWhileAppending(t *testing.T) {
	forEachStore(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		done := make(chan struct{})
		go func() {
			defer close(done)
			for i := range 200 {
				if _, err := s.AppendAudit(ctx, Event{Actor: "a", Action: "b", Target: fmt.Sprint(i)}); err != nil {
					t.Errorf("append: %v", err)
					return
				}
			}
		}()
		for {
			select {
			case <-done:
				if r := mustVerify(t, s); !r.OK || r.Count != 200 {
					t.Errorf("final verify = %+v", r)
				}
				return
			default:
			}
			if r := mustVerify(t, s); !r.OK {
				t.Fatalf("verify during appends = %+v", r)
			}
		}
	})
}

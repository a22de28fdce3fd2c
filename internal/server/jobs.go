package server

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"time"
)

// Background jobs run in one craft serve process at a time: each run takes
// a lease from the store first (store.AcquireLease), so several processes
// on one PostgreSQL never run a job twice.
const (
	// jobInterval is how often the jobs are tried.
	jobInterval = 5 * time.Minute
	// cleanupLease names the clean-up job's lease; it is held for at most
	// cleanupLeaseTTL.
	cleanupLease    = "cleanup"
	cleanupLeaseTTL = 2 * time.Minute
	// loginAttemptsCutoff is how old a login counter's last failure must
	// be before it is deleted: a day, far beyond the 90 s that TOTP replay
	// records need (docs/auth.md) and the 24 h after which the throttle
	// forgets a counter anyway.
	loginAttemptsCutoff = 24 * time.Hour
)

// holder names this process in leases: host and pid.
func holder() string {
	h, _ := os.Hostname()
	return fmt.Sprintf("%s:%d", h, os.Getpid())
}

// runJobs runs the background jobs until ctx ends.
func (s *Server) runJobs(ctx context.Context) {
	id := holder()
	t := time.NewTicker(jobInterval)
	defer t.Stop()
	var monitored time.Time // the last monitoring run of this process
	for {
		if err := s.LoadSettings(ctx); err != nil && ctx.Err() == nil {
			s.log.Warn("reload settings", slog.String("error", err.Error()))
		}
		if _, err := s.Cleanup(ctx, id); err != nil && ctx.Err() == nil {
			s.log.Error("cleanup job", slog.String("error", err.Error()))
		}
		s.monitorTick(ctx, id, &monitored)
		s.notifyTick(ctx, id)
		s.snapshotTick(ctx, id)
		s.caseTick(ctx, id)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// CleanupResult says what one clean-up run did.
type CleanupResult struct {
	Ran           bool // false: another process holds the lease
	Sessions      int  // expired sessions deleted
	LoginAttempts int  // stale login counters deleted
}

// Cleanup deletes expired sessions and login counters quiet for a day, if
// holder gets the clean-up lease; otherwise it does nothing.
func (s *Server) Cleanup(ctx context.Context, holder string) (CleanupResult, error) {
	ok, err := s.store.AcquireLease(ctx, cleanupLease, holder, cleanupLeaseTTL)
	if err != nil {
		s.m.jobs.WithLabelValues(cleanupLease, "failed").Inc()
		return CleanupResult{}, fmt.Errorf("cleanup: lease: %w", err)
	}
	if !ok {
		s.m.jobs.WithLabelValues(cleanupLease, "skipped").Inc()
		return CleanupResult{}, nil
	}
	defer s.store.ReleaseLease(context.WithoutCancel(ctx), cleanupLease, holder)
	now := s.now()
	res := CleanupResult{Ran: true}
	if res.Sessions, err = s.store.DeleteExpiredSessions(ctx, now); err != nil {
		s.m.jobs.WithLabelValues(cleanupLease, "failed").Inc()
		return res, fmt.Errorf("cleanup: sessions: %w", err)
	}
	if res.LoginAttempts, err = s.store.DeleteStaleLoginAttempts(ctx, now.Add(-loginAttemptsCutoff)); err != nil {
		s.m.jobs.WithLabelValues(cleanupLease, "failed").Inc()
		return res, fmt.Errorf("cleanup: login attempts: %w", err)
	}
	s.m.jobs.WithLabelValues(cleanupLease, "ran").Inc()
	s.log.Info("cleanup", slog.Int("sessions", res.Sessions), slog.Int("login_attempts", res.LoginAttempts))
	return res, nil
}

package server

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/craft-cra/craft/internal/auth"
	"github.com/craft-cra/craft/internal/store"
)

// Deps are what a Server is built from.
type Deps struct {
	Store *store.Store
	// Auth is the sign-in flow; build it with NewAuth so that token use is
	// audited.
	Auth   *auth.Service
	Logger *slog.Logger
	// Now is the clock; nil means time.Now.
	Now    func() time.Time
	Config Config
}

// Server is craft serve's HTTP application. It holds no global state: every
// dependency is a field, so tests build as many as they like.
type Server struct {
	store  *store.Store
	auth   *auth.Service
	log    *slog.Logger
	now    func() time.Time
	cfg    Config
	m      *metrics
	limits *limiters
	// activityLog is the operator's setting for the optional per-request
	// activity log (the audit chain is always on).
	activityLog atomic.Bool
	handler     http.Handler
}

// New builds a Server and its route table. It fails when the route table
// breaks a rule (a route without permission that is not on the allow-list,
// two routes on one pattern).
func New(d Deps) (*Server, error) {
	if d.Store == nil || d.Auth == nil {
		return nil, errors.New("server: store and auth service are required")
	}
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	s := &Server{
		store: d.Store,
		auth:  d.Auth,
		log:   d.Logger,
		now:   d.Now,
		cfg:   d.Config.withDefaults(),
	}
	s.m = newMetrics()
	s.limits = newLimiters(s.cfg.Limits, s.now)
	s.activityLog.Store(true)
	h, err := s.buildHandler()
	if err != nil {
		return nil, fmt.Errorf("server: %w", err)
	}
	s.handler = h
	return s, nil
}

// Handler is the main listener's handler: every route behind the
// middleware chain.
func (s *Server) Handler() http.Handler { return s.handler }

// Config returns the configuration in force (defaults filled in).
func (s *Server) Config() Config { return s.cfg }

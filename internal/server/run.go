package server

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"
)

// Listeners are what Run serves on: the main listener (TLS unless
// InsecureHTTP) and, optionally, the metrics listener.
type Listeners struct {
	Main    net.Listener
	TLS     *tls.Config // nil only with Config.InsecureHTTP
	Metrics net.Listener
}

// httpServer is the main http.Server with craft's timeouts and limits.
func (s *Server) httpServer(tc *tls.Config) *http.Server {
	return &http.Server{
		Handler:           s.handler,
		TLSConfig:         tc,
		ReadHeaderTimeout: s.cfg.ReadHeaderTimeout,
		ReadTimeout:       s.cfg.ReadTimeout,
		WriteTimeout:      s.cfg.WriteTimeout,
		IdleTimeout:       s.cfg.IdleTimeout,
		MaxHeaderBytes:    s.cfg.MaxHeaderBytes,
		ErrorLog:          log.New(slogWriter{s.log}, "", 0),
	}
}

// Run serves until ctx ends (SIGINT/SIGTERM in craft serve), then shuts
// down gracefully: no new connections, requests in flight get
// ShutdownTimeout to finish, background jobs stop and release their leases.
func (s *Server) Run(ctx context.Context, l Listeners) error {
	if l.TLS == nil && !s.cfg.InsecureHTTP {
		return errors.New("server: TLS configuration missing (plain HTTP needs InsecureHTTP)")
	}
	if err := s.LoadSettings(ctx); err != nil {
		return err
	}
	main := s.httpServer(l.TLS)
	servers := []*http.Server{main}
	errc := make(chan error, 2)
	go func() {
		var err error
		if l.TLS != nil {
			err = main.Serve(tls.NewListener(l.Main, l.TLS))
		} else {
			err = main.Serve(l.Main)
		}
		errc <- err
	}()
	if l.Metrics != nil {
		ms := &http.Server{Handler: s.MetricsHandler(), ReadHeaderTimeout: 5 * time.Second,
			ReadTimeout: 10 * time.Second, WriteTimeout: 30 * time.Second, MaxHeaderBytes: 8 << 10,
			ErrorLog: log.New(slogWriter{s.log}, "", 0)}
		servers = append(servers, ms)
		go func() { errc <- ms.Serve(l.Metrics) }()
	}
	jobsCtx, stopJobs := context.WithCancel(context.WithoutCancel(ctx))
	var wg sync.WaitGroup
	wg.Go(func() { s.runJobs(jobsCtx) })

	var runErr error
	select {
	case <-ctx.Done():
	case err := <-errc:
		if !errors.Is(err, http.ErrServerClosed) {
			runErr = fmt.Errorf("server: %w", err)
		}
	}
	s.log.Info("shutting down", slog.Duration("grace", s.cfg.ShutdownTimeout))
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.cfg.ShutdownTimeout)
	defer cancel()
	for _, hs := range servers {
		if err := hs.Shutdown(sctx); err != nil && runErr == nil {
			runErr = fmt.Errorf("server: shutdown: %w", err)
		}
	}
	stopJobs()
	wg.Wait()
	return runErr
}

// slogWriter sends net/http's own error log (TLS handshake failures and
// the like) to the JSON log.
type slogWriter struct{ l *slog.Logger }

func (w slogWriter) Write(p []byte) (int, error) {
	msg := string(p)
	if n := len(msg); n > 0 && msg[n-1] == '\n' {
		msg = msg[:n-1]
	}
	w.l.Warn("http server", slog.String("detail", msg))
	return len(p), nil
}

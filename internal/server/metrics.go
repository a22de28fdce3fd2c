package server

import (
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// metrics are the server's Prometheus metrics, in a registry of its own (not
// the global default one), served only on the metrics listener.
type metrics struct {
	reg          *prometheus.Registry
	requests     *prometheus.CounterVec
	duration     *prometheus.HistogramVec
	rateLimited  *prometheus.CounterVec
	logins       *prometheus.CounterVec
	csrfRejected prometheus.Counter
	panics       prometheus.Counter
	audit        prometheus.Counter
	jobs         *prometheus.CounterVec
}

func newMetrics() *metrics {
	reg := prometheus.NewRegistry()
	m := &metrics{
		reg: reg,
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "craft_http_requests_total", Help: "HTTP requests by route pattern and status.",
		}, []string{"route", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "craft_http_request_duration_seconds", Help: "HTTP request duration by route pattern.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
		}, []string{"route"}),
		rateLimited: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "craft_http_rate_limited_total", Help: "Requests refused with 429 by limit class (ip, principal, auth).",
		}, []string{"class"}),
		logins: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "craft_logins_total", Help: "Sign-in attempts by outcome (success, mfa_pending, failed, throttled).",
		}, []string{"outcome"}),
		csrfRejected: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "craft_http_cross_origin_rejected_total", Help: "State-changing cross-origin requests refused.",
		}),
		panics: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "craft_http_panics_total", Help: "Handler panics recovered (answered 500).",
		}),
		audit: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "craft_audit_events_total", Help: "Audit events appended by this process.",
		}),
		jobs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "craft_jobs_runs_total", Help: "Background job runs by job and outcome (ran, skipped, failed).",
		}, []string{"job", "outcome"}),
	}
	reg.MustRegister(m.requests, m.duration, m.rateLimited, m.logins, m.csrfRejected, m.panics, m.audit, m.jobs,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// MetricsHandler serves the metrics for the metrics listener (and pprof in
// binaries built with -tags craft_pprof). It is never part of Handler.
func (s *Server) MetricsHandler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(s.m.reg, promhttp.HandlerOpts{}))
	debugRoutes(mux)
	return mux
}

//go:build craft_pprof

package server

import (
	"net/http"
	"net/http/pprof"
)

// debugRoutes serves net/http/pprof on the metrics listener (never the main
// one) in binaries built with -tags craft_pprof, for profiling a test
// installation. Release builds do not have it.
func debugRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /debug/pprof/", pprof.Index)
	mux.HandleFunc("GET /debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("GET /debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("GET /debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("GET /debug/pprof/trace", pprof.Trace)
}

// DebugEnabled reports whether this binary serves pprof on the metrics
// listener.
const DebugEnabled = true

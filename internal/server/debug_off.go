//go:build !craft_pprof

package server

import "net/http"

// debugRoutes adds nothing: profiling endpoints exist only in binaries
// built with -tags craft_pprof (see debug_on.go).
func debugRoutes(*http.ServeMux) {}

// DebugEnabled reports whether this binary serves pprof on the metrics
// listener.
const DebugEnabled = false

package server

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// ContentSecurityPolicy is sent with every response: only the server's own
// scripts, styles and images (and data: images for QR codes), no inline
// code, no framing, no plugins, forms post only to craft.
const ContentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

// PermissionsPolicy switches off browser features craft never uses.
const PermissionsPolicy = "accelerometer=(), autoplay=(), camera=(), display-capture=(), geolocation=(), " +
	"gyroscope=(), magnetometer=(), microphone=(), midi=(), payment=(), publickey-credentials-get=(), " +
	"screen-wake-lock=(), serial=(), usb=(), xr-spatial-tracking=()"

// InsecureTransportHeader is set on every response when craft serves plain
// HTTP (--insecure-http), so the pages and API clients can warn.
const InsecureTransportHeader = "X-Craft-Insecure-Transport"

// chain wraps the mux in the middleware every request passes, outermost
// first: request info and ID, security headers, logging and metrics, panic
// recovery, the per-address rate limit and cross-origin (CSRF) protection.
// Authentication, authorisation and body limits are per route (route).
func (s *Server) chain(mux http.Handler) http.Handler {
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.m.csrfRejected.Inc()
		s.writeError(w, r, &Error{Status: http.StatusForbidden, Type: "cross-origin",
			Detail: "cross-origin requests that change state are refused"})
	}))
	h := cop.Handler(mux)
	h = s.limitIP(h)
	h = s.recoverPanics(h)
	h = s.observe(h)
	h = s.securityHeaders(h)
	return s.requestInfo(h)
}

// requestInfo gives the request its ID and client address and puts both in
// the context.
func (s *Server) requestInfo(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ri := &requestInfo{ID: newRequestID(), ClientIP: clientIP(r, s.cfg.TrustedProxies)}
		w.Header().Set("X-Request-ID", ri.ID)
		next.ServeHTTP(w, r.WithContext(withInfo(r.Context(), ri)))
	})
}

// newRequestID is 128 random bits, hex: the shape of craft's IDs.
func newRequestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// securityHeaders sets the headers of every response. Cache-Control:
// no-store is the default; only static assets may loosen it.
func (s *Server) securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", ContentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Permissions-Policy", PermissionsPolicy)
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Cross-Origin-Resource-Policy", "same-origin")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Cache-Control", "no-store")
		if s.cfg.InsecureHTTP {
			h.Set(InsecureTransportHeader, "1")
		} else {
			h.Set("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
		}
		next.ServeHTTP(w, r)
	})
}

// statusWriter records the status and size of a response.
type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += int64(n)
	return n, err
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// observe writes the activity log line (unless the operator turned the
// optional activity log off) and the request metrics. Log lines carry the
// route pattern, never the query string, cookies or headers.
func (s *Server) observe(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r)
		if sw.status == 0 {
			sw.status = http.StatusOK
		}
		ri := infoFrom(r.Context())
		route := "unmatched"
		if ri.Route != nil {
			route = ri.Route.pattern()
			if ri.Route.Method == "" {
				route = "unmatched"
			}
		}
		d := time.Since(start)
		s.m.requests.WithLabelValues(route, strconv.Itoa(sw.status)).Inc()
		s.m.duration.WithLabelValues(route).Observe(d.Seconds())
		if !s.activityLog.Load() && sw.status < 500 {
			return
		}
		attrs := []slog.Attr{
			slog.String("request_id", ri.ID),
			slog.String("method", r.Method),
			slog.String("route", route),
			slog.Int("status", sw.status),
			slog.Int64("bytes", sw.bytes),
			slog.Duration("duration", d),
			slog.String("ip", ri.ClientIP),
		}
		if p := ri.Principal; p.UserID != "" {
			attrs = append(attrs, slog.String("user", p.UserID))
			if p.Token != nil {
				attrs = append(attrs, slog.String("token", p.Token.ID))
			}
		}
		level := slog.LevelInfo
		if sw.status >= 500 {
			level = slog.LevelError
		}
		s.log.LogAttrs(r.Context(), level, "request", attrs...)
	})
}

// recoverPanics turns a panic into a 500 without internals; the panic value
// is logged with the request ID.
func (s *Server) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			v := recover()
			if v == nil {
				return
			}
			if v == http.ErrAbortHandler {
				panic(v)
			}
			s.m.panics.Inc()
			s.writeError(w, r, &Error{Status: http.StatusInternalServerError, Err: fmt.Errorf("panic: %v", v)})
		}()
		next.ServeHTTP(w, r)
	})
}

// limitIP counts every request against its client address.
func (s *Server) limitIP(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if ok, wait := s.limits.ip.allow(infoFrom(r.Context()).ClientIP); !ok {
			s.m.rateLimited.WithLabelValues("ip").Inc()
			s.writeError(w, r, errRateLimited(wait))
			return
		}
		next.ServeHTTP(w, r)
	})
}

// clientIP is the peer address, or, when the peer is a trusted proxy, the
// right-most address of X-Forwarded-For that is not a trusted proxy.
func clientIP(r *http.Request, trusted []netip.Prefix) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	peer, err := netip.ParseAddr(host)
	if err != nil {
		return host
	}
	peer = peer.Unmap()
	if len(trusted) == 0 || !isTrusted(peer, trusted) {
		return peer.String()
	}
	hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		a, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			break
		}
		a = a.Unmap()
		if !isTrusted(a, trusted) {
			return a.String()
		}
	}
	return peer.String()
}

func isTrusted(a netip.Addr, trusted []netip.Prefix) bool {
	for _, p := range trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

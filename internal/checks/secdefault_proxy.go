package checks

import (
	"net"
	"regexp"
	"strconv"
	"strings"
)

// localUpstreamRe finds a reverse-proxy target on the loopback interface.
var localUpstreamRe = regexp.MustCompile(`^(?:https?|grpcs?|uwsgi)://(?:127\.0\.0\.1|localhost|\[::1\]):(\d+)`)

// nginxLocalUpstreams records the loopback ports nginx forwards to
// (proxy_pass http://127.0.0.1:8000; upstream { server 127.0.0.1:8000; }).
func nginxLocalUpstreams(ds []*ngxDirective, inUpstream bool, depth int, s *sdSink) {
	if depth > maxCfgDepth {
		return
	}
	for _, d := range ds {
		name := strings.ToLower(d.Name)
		switch {
		case (name == "proxy_pass" || name == "uwsgi_pass" || name == "grpc_pass" || name == "fastcgi_pass") && len(d.Args) > 0:
			a := d.Args[0]
			if !strings.Contains(a, "://") {
				a = "http://" + a
			}
			if m := localUpstreamRe.FindStringSubmatch(a); m != nil {
				s.facts.proxied = append(s.facts.proxied, sdPortRef{port: m[1], path: s.path, line: d.Line, evidence: d.Name + " " + d.Args[0]})
			}
		case inUpstream && name == "server" && len(d.Args) > 0:
			if host, port, err := net.SplitHostPort(d.Args[0]); err == nil && (host == "127.0.0.1" || host == "localhost" || host == "::1") {
				s.facts.proxied = append(s.facts.proxied, sdPortRef{port: port, path: s.path, line: d.Line, evidence: "server " + d.Args[0]})
			}
		}
		nginxLocalUpstreams(d.Block, name == "upstream" || (inUpstream && len(d.Block) == 0), depth+1, s)
	}
}

// mainListeners records the product's own listeners on every interface,
// with their port: {host: 0.0.0.0, port: 8000} or listen: 0.0.0.0:8000.
// Alone they are not reported (see bindRule); behind a local reverse
// proxy they should be on localhost.
func mainListeners(doc *cfgDoc, s *sdSink) {
	cfgVisit(doc.Root, func(p []string, n, parent *cfgNode) bool {
		if n.Kind != cfgScalar || n.Key == "" || !sdAnyIP(n.Value) || n.Value == "*" {
			return true
		}
		if !sdHasWord(sdKeyWords(n.Key), "host", "bind", "listen", "address", "addr") {
			return true
		}
		port := ""
		if _, pt, err := net.SplitHostPort(strings.Trim(n.Value, `"'`)); err == nil {
			port = pt
		} else if pn := parent.child("port", "httpport", "listenport"); pn != nil && pn.Kind == cfgScalar {
			port = strings.TrimSpace(pn.Value)
		}
		if port != "" {
			s.facts.listeners = append(s.facts.listeners, sdPortRef{port: port, path: s.path, line: n.Line, evidence: sdJoinPath(p) + ": " + n.Value + " (port " + port + ")"})
		}
		return true
	})
}

// behindProxy reports main listeners on every interface whose port a
// reverse proxy of the same product reaches on 127.0.0.1: localhost would
// do, and 0.0.0.0 lets clients bypass the proxy (its TLS, headers, limits).
func behindProxy(f sdFacts) []sdFinding {
	proxied := map[string]sdPortRef{}
	for _, p := range f.proxied {
		if _, ok := proxied[p.port]; !ok {
			proxied[p.port] = p
		}
	}
	var out []sdFinding
	for _, l := range f.listeners {
		p, ok := proxied[l.port]
		if !ok {
			continue
		}
		out = append(out, sdFinding{
			rule: idBindAll, outcome: OutcomeWarn, path: l.path, line: l.line,
			message: "the app listens on all interfaces on port " + l.port + " although its reverse proxy reaches it on localhost (" +
				p.path + ":" + strconv.Itoa(p.line) + "); bind it to 127.0.0.1 so that clients cannot bypass the proxy",
			evidence: sdClip(l.evidence),
		})
	}
	return out
}

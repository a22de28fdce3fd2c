package checks

import (
	"regexp"
	"strings"
)

// statusPathRe matches routes that serve status, debug or diagnostic
// pages. /health, /healthz, /ready and /live are not in it: they should
// say "ok" and nothing else, and are public on purpose.
var statusPathRe = regexp.MustCompile(`(?i)^/?(?:[\w.-]+/)*(status|server-status|debug|diagnostics?|diag|sysinfo|system-?info|system|info|about/system|admin/status|logs?|env|environment|phpinfo(?:\.php)?|actuator(?:/\*\*)?|_status|__debug__)(?:/.*)?$`)

// alwaysSensitiveWords name pages that are sensitive by their nature.
var alwaysSensitiveWords = []string{"debug", "diagnostics", "diag", "sysinfo", "phpinfo", "env", "environment", "logs", "log"}

// sdAuthOff reports whether a map says its endpoint needs no login.
func sdAuthOff(n *cfgNode) (*cfgNode, bool) {
	for _, k := range n.Kids {
		if k.Kind != cfgScalar {
			continue
		}
		switch sdNormKey(k.Key) {
		case "auth", "authentication", "requireauth", "requirelogin", "loginrequired", "authrequired",
			"authenticated", "protected", "requireauthentication", "secure", "requireadmin", "authenticate":
			if sdIsFalse(k.Value) || strings.EqualFold(k.Value, "none") || strings.EqualFold(k.Value, "anonymous") {
				return k, true
			}
		case "public", "anonymous", "allowanonymous", "unauthenticated", "noauth", "anonymousaccess", "permitall":
			if sdIsTrue(k.Value) {
				return k, true
			}
		}
	}
	return nil, false
}

// exposesInternals reports whether a status section is set to show system
// information, logs, environment or configuration.
func exposesInternals(n *cfgNode) (string, bool) {
	var found []string
	cfgVisit(n, func(p []string, k, parent *cfgNode) bool {
		if k.Key == "" {
			return true
		}
		w := sdKeyWords(k.Key)
		if !sdHasWord(w, "log", "logs", "system", "sysinfo", "env", "environment", "config", "configuration",
			"hostname", "processes", "process", "details", "verbose", "platform", "paths", "stacktrace", "stack",
			"memory", "disk", "versions", "database") {
			return true
		}
		if sdHasWord(w, "level", "format", "file", "path", "dir", "directory", "max", "retention") && !sdHasWord(w, "show", "include", "expose") {
			return true
		}
		if k.Kind == cfgList && len(k.Kids) > 0 || k.Kind == cfgScalar && sdIsTrue(k.Value) {
			var w []string
			for _, x := range sdKeyWords(k.Key) {
				if x != "show" && x != "include" && x != "expose" && x != "enabled" && x != "enable" {
					w = append(w, x)
				}
			}
			found = append(found, strings.Join(w, " "))
		}
		return true
	})
	return strings.Join(found, ", "), len(found) > 0
}

// statusConfigRule finds status, debug and diagnostics endpoints that a
// configuration opens without authentication: a section named for them
// (status_page:, debug:) or a route entry (path: /status) that says
// auth: false or public: true. A status section must also be set to show
// internals (logs, system information); a debug section always does.
func statusConfigRule(doc *cfgDoc, s *sdSink) {
	cfgVisit(doc.Root, func(p []string, n, parent *cfgNode) bool {
		if n.Kind != cfgMap {
			return true
		}
		if en := n.child("enabled", "enable"); en != nil && en.Kind == cfgScalar && sdIsFalse(en.Value) {
			return true
		}
		off, ok := sdAuthOff(n)
		if !ok {
			return true
		}
		label := sdJoinPath(p)
		var words []string
		if r := n.child("path", "route", "url", "endpoint", "uri", "location", "pattern"); r != nil && r.Kind == cfgScalar {
			m := statusPathRe.FindStringSubmatch(strings.TrimSpace(r.Value))
			if m == nil {
				return true
			}
			words = sdKeyWords(m[1])
			label = r.Value
		} else if n.Key != "" {
			words = sdKeyWords(n.Key)
			if !sdHasWord(words, "status", "debug", "diagnostics", "diag", "sysinfo", "info", "system", "console", "inspector") {
				return true
			}
		} else {
			return true
		}
		what, shows := exposesInternals(n)
		if !shows && !sdHasWord(words, alwaysSensitiveWords...) && !sdHasWord(words, "console", "inspector") {
			return true
		}
		msg := "the " + label + " endpoint is reachable without authentication by default"
		if shows {
			msg += " and is set to show " + what
		}
		s.fail(idStatus, off.Line, msg, sdJoinPath(append(p, off.Key))+": "+off.Value)
		return false
	})
}

package checks

import (
	"path"
	"regexp"
	"strings"
)

var (
	pyRunDebugRe      = regexp.MustCompile(`\.run\([^)]*\bdebug\s*=\s*True`)
	pyAppDebugRe      = regexp.MustCompile(`^\s*(?:app|application|flask_app|server|api)\.(debug\s*=\s*True|config\[\s*["']DEBUG["']\s*\]\s*=\s*True)`)
	pyHTTPCallRe      = regexp.MustCompile(`\b(requests|httpx|session|client|http|urllib3)\.\w+\(|\.(get|post|put|patch|delete|head|request|send|urlopen)\(|\b(Client|AsyncClient|Session)\(`)
	pySessionVerifyRe = regexp.MustCompile(`\.verify\s*=\s*False\b`)
	pyVerifyFalseRe   = regexp.MustCompile(`\bverify\s*=\s*False\b`)
	pyUnverifiedRe    = regexp.MustCompile(`ssl\._create_unverified_context\(|\bcert_reqs\s*=\s*["']?ssl\.CERT_NONE|\b(?:[a-z_]\w*)\.verify_mode\s*=\s*ssl\.CERT_NONE\b|\b(?:[a-z_]\w*)\.check_hostname\s*=\s*False`)
	pyOldTLSRe        = regexp.MustCompile(`ssl\.PROTOCOL_(TLSv1_1|TLSv1|SSLv3|SSLv2)\b|minimum_version\s*=\s*ssl\.TLSVersion\.(TLSv1_1|TLSv1|SSLv3)\b`)
	pyHashRe          = regexp.MustCompile(`hashlib\.(md5|sha1|sha224|sha256|sha384|sha512)\(([^\n]*)|hashlib\.new\(\s*["'](md5|sha1)["']\s*,([^\n]*)`)
	pyHashersRe       = regexp.MustCompile(`^\s*PASSWORD_HASHERS\s*=`)
	pyWeakHasherRe    = regexp.MustCompile(`(MD5PasswordHasher|SHA1PasswordHasher|UnsaltedMD5PasswordHasher|UnsaltedSHA1PasswordHasher|CryptPasswordHasher)`)
	pyStrLitRe        = regexp.MustCompile(`["']([^"']+)["']`)
	pyCORSCallRe      = regexp.MustCompile(`\bCORS\(`)
	pyCORSMiddleRe    = regexp.MustCompile(`add_middleware\(\s*CORSMiddleware`)
	pyRouteRe         = regexp.MustCompile(`^(\s*)@\s*[\w.]+\.(route|get|api_route)\(\s*[rf]?["']([^"']+)["']`)
	pyDecoratorRe     = regexp.MustCompile(`^\s*@`)
	pyDefRe           = regexp.MustCompile(`^(\s*)(?:async\s+)?def\s+\w+\s*\(`)
	pyAuthWordRe      = regexp.MustCompile(`(?i)login|auth|admin|permission|role|require|jwt|token|protect|restrict|staff|superuser`)
	pyInlineAuthRe    = regexp.MustCompile(`(?i)is_authenticated|abort\(\s*40[13]|check_auth|verify_token|request\.authorization|HTTPException\(\s*status_code\s*=\s*40[13]|is_admin|has_role|has_permission`)
	pyInternalsRe     = regexp.MustCompile(`platform\.|os\.uname|socket\.gethostname|psutil\.|sys\.version|os\.environ|getpid|/proc/|readlines\(|deque\(|_tail\(|tail\(|subprocess|app\.config\b|current_app\.config\b|disk_usage|sys\.path|traceback|\.log["']|log_file|logfile|\blogs?\b`)
	pyBeforeRequestRe = regexp.MustCompile(`before_request`)
	pyCORSStarRe      = regexp.MustCompile(`(origins|allow_origins|resources)\s*=\s*(\[\s*)?["']\*["']`)
	pyCORSOriginsRe   = regexp.MustCompile(`\b(origins|resources)\s*=`)
	pyFlaskRunRe      = regexp.MustCompile(`^\s*[\w.]+\.run\(`)
	pyRunAllHostsRe   = regexp.MustCompile(`\bhost\s*=\s*["'](0\.0\.0\.0|::|\[::\])["']`)
	pyFlaskImportRe   = regexp.MustCompile(`(?m)^\s*(from\s+flask\s+import|import\s+flask\b)`)
	pyConstRe         = regexp.MustCompile(`^([A-Z][A-Z0-9_]*)\s*=\s*(True|False|None|-?\d+(?:\.\d+)?|[rbu]?"([^"\n]*)"|[rbu]?'([^'\n]*)')\s*$`)
)

// pyConfigFile reports whether a Python file is a settings module whose
// upper-case constants are the product's configuration (Django settings,
// Flask config objects).
func pyConfigFile(rel string) bool {
	dir, base := path.Split(rel)
	stem := strings.TrimSuffix(strings.ToLower(base), ".py")
	if strings.Contains(stem, "settings") || strings.Contains(stem, "config") || stem == "conf" || strings.HasPrefix(stem, "default") {
		return true
	}
	for _, seg := range strings.Split(strings.Trim(dir, "/"), "/") {
		if seg == "settings" || seg == "config" {
			return true
		}
	}
	return false
}

// pythonRules reads Python line by line, and the upper-case constants of
// settings modules as configuration.
func pythonRules(rel string, data []byte, s *sdSink) {
	lines := pyBlankDocstrings(sdSourceLines(data, "#", false))
	text := string(data)
	guardedFile := pyBeforeRequestRe.MatchString(text) && pyAuthWordRe.MatchString(text[strings.Index(text, "before_request"):min(len(text), strings.Index(text, "before_request")+400)])
	consts := &cfgNode{Kind: cfgMap}
	// app.run is Werkzeug's development server only in Flask (Sanic's
	// app.run is its production server).
	isFlask := pyFlaskImportRe.MatchString(text)
	corsAllowAll, corsCreds := 0, false
	for i, l := range lines {
		t := l.text
		if strings.TrimSpace(t) == "" {
			continue
		}
		sourceCredentials(l, s)
		if m := pyConstRe.FindStringSubmatch(t); m != nil {
			v := m[2]
			if m[3] != "" || m[4] != "" || strings.HasSuffix(v, `""`) || strings.HasSuffix(v, `''`) {
				v = m[3] + m[4]
			}
			consts.Kids = append(consts.Kids, &cfgNode{Key: m[1], Value: v, Line: l.n})
			switch m[1] {
			case "CORS_ALLOW_ALL_ORIGINS", "CORS_ORIGIN_ALLOW_ALL":
				if m[2] == "True" {
					corsAllowAll = l.n
				}
			case "CORS_ALLOW_CREDENTIALS":
				corsCreds = m[2] == "True"
			}
		}
		switch {
		case pyRunDebugRe.MatchString(t):
			s.fail(idDebug, l.n, "the app starts with the debugger on (debug=True)", strings.TrimSpace(t))
		case pyAppDebugRe.MatchString(t):
			s.fail(idDebug, l.n, "debug mode is switched on in code", strings.TrimSpace(t))
		}
		if isFlask && pyFlaskRunRe.MatchString(t) {
			if m := pyRunAllHostsRe.FindStringSubmatch(sdCallText(lines, i, 6)); m != nil {
				s.warn(idBindAll, l.n, "the Flask development server (app.run) listens on every interface (host="+m[1]+"); it is not meant to be reachable from the network, serve the product with a WSGI server or bind 127.0.0.1", strings.TrimSpace(t))
			}
		}
		if what := pyTLSVerifyOff(lines, i); what != "" {
			s.fail(idTLSVerify, l.n, "TLS certificate verification is off ("+what+")", strings.TrimSpace(t))
		}
		if m := pyOldTLSRe.FindString(t); m != "" {
			s.fail(idTLSVersion, l.n, "TLS below 1.2 is used ("+m+")", strings.TrimSpace(t))
		}
		if m := pyHashRe.FindStringSubmatch(t); m != nil && !slowKDFRe.MatchString(sdWindow(lines, max(0, i-2), 5)) {
			algo, arg := m[1], m[2]
			if algo == "" {
				algo, arg = m[3], m[4]
			}
			if passwordExpr(arg) {
				s.fail(idPasswordHash, l.n, "passwords are hashed with "+algo+", a fast unsalted hash", strings.TrimSpace(t))
			}
		}
		if pyHashersRe.MatchString(t) {
			for j := i; j < len(lines) && j < i+6; j++ {
				if lit := pyStrLitRe.FindStringSubmatch(lines[j].text); lit != nil {
					if pyWeakHasherRe.MatchString(lit[1]) {
						s.fail(idPasswordHash, lines[j].n, "the first (storage) password hasher is "+lit[1], strings.TrimSpace(lines[j].text))
					}
					break
				}
			}
		}
		if pyCORSCallRe.MatchString(t) || pyCORSMiddleRe.MatchString(t) {
			call := sdCallText(lines, i, 12)
			if corsCredTrueRe.MatchString(call) && pyCORSWildcard(call) {
				s.fail(idCORS, l.n, "CORS allows every origin together with credentials", sdOneLine(call))
			}
		}
		if m := pyRouteRe.FindStringSubmatch(t); m != nil && !guardedFile {
			pyStatusRoute(lines, i, m[3], s)
		}
	}
	if corsAllowAll > 0 && corsCreds {
		s.fail(idCORS, corsAllowAll, "CORS allows every origin together with credentials (django-cors-headers)",
			"CORS_ALLOW_ALL_ORIGINS = True; CORS_ALLOW_CREDENTIALS = True")
	}
	if pyConfigFile(rel) && len(consts.Kids) > 0 {
		doc := &cfgDoc{Path: rel, Format: "python-settings", Root: consts}
		// Credentials and CORS are read line by line above.
		for _, r := range []func(*cfgDoc, *sdSink){bindRule, debugRule, tlsOffRule, tlsVersionRule,
			tlsVerifyRule, hashConfigRule, autoUpdateRule, newUserRoleRule, statusConfigRule} {
			r(doc, s)
		}
	}
}

// pyTLSVerifyOff reports an unconditional verify=False on an HTTP call or
// session, or a TLS context set to CERT_NONE. Library code that implements
// these switches (self.verify_mode = ..., def f(verify=False), the
// ternaries of urllib3) is not the product's default.
func pyTLSVerifyOff(lines []sdSrcLine, i int) string {
	t := lines[i].text
	h := strings.TrimSpace(t)
	if strings.HasPrefix(h, "def ") || strings.HasPrefix(h, "async def ") || strings.Contains(t, " if ") ||
		strings.Contains(t, "self.") || strings.Contains(strings.ToLower(t), "jwt") || pyConditional(lines, i) {
		return ""
	}
	if pyVerifyFalseRe.MatchString(t) && pyHTTPCallRe.MatchString(t) {
		return "verify=False"
	}
	if m := pySessionVerifyRe.FindString(t); m != "" {
		return strings.TrimPrefix(m, ".")
	}
	return pyUnverifiedRe.FindString(t)
}

// pyConditional reports whether line i sits directly in an if/elif/else
// block: a setting made there is an opt-in (if args.insecure: ...), not
// the default.
func pyConditional(lines []sdSrcLine, i int) bool {
	ind := pyIndent(lines[i].text)
	for j := i - 1; j >= 0 && j > i-50; j-- {
		t := lines[j].text
		if strings.TrimSpace(t) == "" {
			continue
		}
		if pyIndent(t) >= ind {
			continue
		}
		h := strings.TrimSpace(t)
		// A multi-line condition "if (\n a\n or b\n):" ends on ")" — find
		// the line at the same indentation that starts it.
		if strings.HasPrefix(h, ")") {
			hi := pyIndent(t)
			for k := j - 1; k >= 0 && k > j-30; k-- {
				tk := lines[k].text
				if strings.TrimSpace(tk) != "" && pyIndent(tk) == hi {
					h = strings.TrimSpace(tk)
					break
				}
			}
		}
		return strings.HasPrefix(h, "if ") || strings.HasPrefix(h, "if(") || strings.HasPrefix(h, "elif ") || strings.HasPrefix(h, "else")
	}
	return false
}

// pyIndent is the width of a line's leading whitespace.
func pyIndent(t string) int { return len(t) - len(strings.TrimLeft(t, " \t")) }

// pyCORSWildcard reads a CORS(...) or CORSMiddleware call: Flask-CORS
// defaults to every origin when none is given.
func pyCORSWildcard(call string) bool {
	if pyCORSStarRe.MatchString(call) {
		return true
	}
	if strings.Contains(call, "CORSMiddleware") {
		return false
	}
	return !pyCORSOriginsRe.MatchString(call)
}

// sdCallText returns the text of a call that starts on line i, up to its
// closing parenthesis or n lines.
func sdCallText(lines []sdSrcLine, i, n int) string {
	w := sdWindow(lines, i, n)
	depth, started := 0, false
	for k, c := range w {
		switch c {
		case '(':
			depth++
			started = true
		case ')':
			depth--
			if started && depth == 0 {
				return w[:k+1]
			}
		}
	}
	return w
}

// sdOneLine collapses whitespace for evidence.
func sdOneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// pyStatusRoute looks at the function under a route decorator for a
// status/debug page: no auth decorator, no inline check, and a body that
// reads system information or logs. /health returning "ok" is left alone.
func pyStatusRoute(lines []sdSrcLine, i int, route string, s *sdSink) {
	m := statusPathRe.FindStringSubmatch(route)
	if m == nil {
		return
	}
	// The decorator block: lines above and below that start with @.
	first := i
	for first > 0 && first > i-20 && pyDecoratorRe.MatchString(lines[first-1].text) {
		first--
	}
	def := -1
	for j := i + 1; j < len(lines) && j < i+12; j++ {
		if pyDefRe.MatchString(lines[j].text) {
			def = j
			break
		}
	}
	if def < 0 {
		return
	}
	for j := first; j <= def; j++ {
		if j != i && pyDecoratorRe.MatchString(lines[j].text) && pyAuthWordRe.MatchString(lines[j].text) {
			return
		}
	}
	sig := sdCallText(lines, def, 6)
	deco := sdCallText(lines, i, 6) // FastAPI: dependencies=[Depends(require_admin)]
	for _, t := range []string{sig, deco} {
		if strings.Contains(t, "Depends(") && pyAuthWordRe.MatchString(t[strings.Index(t, "Depends("):]) {
			return
		}
	}
	indent := len(pyDefRe.FindStringSubmatch(lines[def].text)[1])
	var body strings.Builder
	for j := def + 1; j < len(lines) && j < def+200; j++ {
		t := lines[j].text
		if strings.TrimSpace(t) == "" {
			continue
		}
		if len(t)-len(strings.TrimLeft(t, " \t")) <= indent {
			break
		}
		body.WriteString(t)
		body.WriteByte('\n')
	}
	b := body.String()
	if pyInlineAuthRe.MatchString(b) {
		return
	}
	words := sdKeyWords(m[1])
	var found []string
	seen := map[string]bool{}
	for _, m := range pyInternalsRe.FindAllString(b, -1) {
		if m = strings.TrimRight(strings.TrimSpace(m), ".("); !seen[m] && len(found) < 4 {
			seen[m] = true
			found = append(found, m)
		}
	}
	internals := strings.Join(found, ", ")
	if internals == "" && !sdHasWord(words, alwaysSensitiveWords...) {
		return
	}
	msg := "route " + route + " has no authentication"
	if internals != "" {
		msg += " and returns system information or logs (" + internals + ")"
	}
	s.fail(idStatus, lines[i].n, msg, strings.TrimSpace(lines[i].text)+" → "+strings.TrimSpace(lines[def].text))
}

// pyBlankDocstrings empties the text of triple-quoted strings (docstrings,
// help and example texts): URLs, flags and settings in them are
// documentation. Code before an opening quote on the same line stays.
func pyBlankDocstrings(lines []sdSrcLine) []sdSrcLine {
	in := ""
	for i := range lines {
		t := lines[i].text
		if in != "" {
			lines[i].text = ""
			if strings.Count(t, in)%2 == 1 {
				in = ""
			}
			continue
		}
		for _, q := range []string{`"""`, "'''"} {
			at := strings.Index(t, q)
			if at < 0 {
				continue
			}
			if strings.Count(t, q)%2 == 1 {
				in = q
			}
			// Keep code before the string only when a value is assigned:
			// a bare docstring leaves nothing.
			lines[i].text = strings.TrimRight(t[:at], " \t")
			if strings.TrimSpace(lines[i].text) == "" || strings.Count(t, q)%2 == 1 {
				break
			}
			lines[i].text = t // open and close on one line: a short string literal
			break
		}
	}
	return lines
}

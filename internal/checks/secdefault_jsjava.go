package checks

import (
	"regexp"
	"strings"
)

var (
	jsRejectUnauthRe = regexp.MustCompile(`\b(rejectUnauthorized|strictSSL)\s*:\s*false\b|NODE_TLS_REJECT_UNAUTHORIZED\s*\]?\s*=\s*["']?0`)
	jsOldTLSRe       = regexp.MustCompile(`\b(minVersion|secureProtocol)\s*:\s*["'](TLSv1|TLSv1\.1|TLSv1_method|TLSv1_1_method|SSLv3_method|SSLv23_method)["']`)
	jsCreateHashRe   = regexp.MustCompile(`createHash\(\s*["'](md5|sha1|sha256|sha512)["']\s*\)`)
	jsUpdateRe       = regexp.MustCompile(`\.update\(([^)]*)\)`)
	jsCORSCallRe     = regexp.MustCompile(`\bcors\(\s*\{`)
	jsCORSWildRe     = regexp.MustCompile(`\borigin\s*:\s*(\[\s*)?(["']\*["']|true\b)`)
	jsRouteRe        = regexp.MustCompile(`\b(?:app|router|server|api)\.(?:get|all)\(\s*["'` + "`" + `]([^"'` + "`" + `]+)["'` + "`" + `]\s*,\s*(async\s+)?(function\b|\(|\w+\s*=>)`)
	jsUseAuthRe      = regexp.MustCompile(`(?i)\b(?:app|router|server|api)\.use\([^)]*(auth|login|passport|jwt|session|protect|admin|require|guard|basic)`)
	jsInternalsRe    = regexp.MustCompile(`os\.(hostname|cpus|platform|release|userInfo|networkInterfaces|loadavg|totalmem|freemem)\(|process\.(env\b|memoryUsage|versions|argv|cwd)|readFileSync\([^)]*log|\.log["'` + "`" + `]`)
	jsHeaderACAORe   = regexp.MustCompile(`(?i)["']Access-Control-Allow-Origin["']\s*,\s*["']\*["']`)
	jsHeaderACACRe   = regexp.MustCompile(`(?i)["']Access-Control-Allow-Credentials["']\s*,\s*["']?true`)

	javaCORSWildRe  = regexp.MustCompile(`allowedOrigins\(\s*"\*"\s*\)|allowedOriginPatterns\(\s*"\*"\s*\)|setAllowedOrigins\(\s*\w+(?:\.\w+)*\(\s*"\*"\s*\)\s*\)|setAllowedOriginPatterns\(\s*\w+(?:\.\w+)*\(\s*"\*"\s*\)\s*\)|addAllowedOrigin(?:Pattern)?\(\s*"\*"\s*\)|@CrossOrigin\([^)]*origins\s*=\s*"\*"`)
	javaCredsRe     = regexp.MustCompile(`allowCredentials\(\s*true\s*\)|setAllowCredentials\(\s*true\s*\)|allowCredentials\s*=\s*"true"`)
	javaNoVerifyRe  = regexp.MustCompile(`NoopHostnameVerifier|ALLOW_ALL_HOSTNAME_VERIFIER|setHostnameVerifier\(\s*\(\s*\w+\s*,\s*\w+\s*\)\s*->\s*true\s*\)|TrustAllStrategy|InsecureTrustManagerFactory`)
	javaOldTLSRe    = regexp.MustCompile(`SSLContext\.getInstance\(\s*"(TLSv1|TLSv1\.1|SSLv3|SSL)"\s*\)`)
	javaPermitAllRe = regexp.MustCompile(`(?:requestMatchers|antMatchers|mvcMatchers|pathMatchers)\(\s*"([^"]+)"[^)]*\)\s*\.permitAll\(\)|EndpointRequest\.toAnyEndpoint\(\)\s*\)\s*\.permitAll\(\)`)
	javaDigestRe    = regexp.MustCompile(`MessageDigest\.getInstance\(\s*"(MD5|SHA-1|SHA1|SHA-256|SHA-512)"\s*\)`)
)

// jsRules reads JavaScript and TypeScript line by line.
func jsRules(data []byte, s *sdSink) {
	lines := sdSourceLines(data, "//", true)
	acao, acac := 0, false
	guarded := false // app.use(auth) seen: later routes are protected
	for i, l := range lines {
		t := l.text
		if strings.TrimSpace(t) == "" {
			continue
		}
		sourceCredentials(l, s)
		if m := jsRejectUnauthRe.FindString(t); m != "" {
			s.fail(idTLSVerify, l.n, "TLS certificate verification is off ("+m+")", strings.TrimSpace(t))
		}
		if m := jsOldTLSRe.FindStringSubmatch(t); m != nil {
			s.fail(idTLSVersion, l.n, "TLS below 1.2 is allowed ("+m[2]+")", strings.TrimSpace(t))
		}
		if m := jsCreateHashRe.FindStringSubmatch(t); m != nil && !slowKDFRe.MatchString(t) {
			stmt := sdWindow(lines, i, 3)
			if end := strings.Index(stmt, ";"); end >= 0 {
				stmt = stmt[:end]
			}
			if u := jsUpdateRe.FindStringSubmatch(stmt); u != nil && passwordExpr(u[1]) {
				s.fail(idPasswordHash, l.n, "passwords are hashed with "+m[1]+", a fast unsalted hash", strings.TrimSpace(t))
			}
		}
		if jsCORSCallRe.MatchString(t) {
			call := sdCallText(lines, i, 15)
			if jsCORSWildRe.MatchString(call) && corsCredTrueRe.MatchString(call) {
				s.fail(idCORS, l.n, "CORS allows every origin together with credentials", sdOneLine(call))
			}
		}
		if jsUseAuthRe.MatchString(t) {
			guarded = true
		}
		if m := jsRouteRe.FindStringSubmatch(t); m != nil && !guarded {
			if sm := statusPathRe.FindStringSubmatch(m[1]); sm != nil {
				body := jsRouteBody(lines, i)
				internals := jsInternalsRe.FindString(body)
				if internals != "" || sdHasWord(sdKeyWords(sm[1]), alwaysSensitiveWords...) {
					msg := "route " + m[1] + " has no authentication middleware"
					if internals != "" {
						msg += " and returns system information or logs (" + strings.TrimRight(internals, "(") + ")"
					}
					s.fail(idStatus, l.n, msg, strings.TrimSpace(t))
				}
			}
		}
		if jsHeaderACAORe.MatchString(t) && acao == 0 {
			acao = l.n
		}
		if jsHeaderACACRe.MatchString(t) {
			acac = true
		}
	}
	if acao > 0 && acac {
		s.fail(idCORS, acao, "CORS allows every origin together with credentials",
			"Access-Control-Allow-Origin: * with Access-Control-Allow-Credentials: true")
	}
}

// javaOpenStatus reports a permitAll path that opens actuator, debug,
// environment or log endpoints; "" is EndpointRequest.toAnyEndpoint().
// /actuator/health and /actuator/info are public by design.
func javaOpenStatus(p string) bool {
	if p == "" {
		return true
	}
	if strings.HasPrefix(p, "/actuator") {
		return !strings.HasSuffix(p, "/health") && !strings.HasSuffix(p, "/info") && !strings.Contains(p, "/health/")
	}
	m := statusPathRe.FindStringSubmatch(p)
	return m != nil && sdHasWord(sdKeyWords(m[1]), alwaysSensitiveWords...)
}

// jsRouteBody returns the handler of a route that starts on line i: up to
// the next route or 40 lines.
func jsRouteBody(lines []sdSrcLine, i int) string {
	var b strings.Builder
	for j := i; j < len(lines) && j < i+40; j++ {
		if j > i && jsRouteRe.MatchString(lines[j].text) {
			break
		}
		b.WriteString(lines[j].text)
		b.WriteByte('\n')
	}
	return b.String()
}

// javaRules reads Java and Kotlin line by line.
func javaRules(data []byte, s *sdSink) {
	lines := sdSourceLines(data, "//", true)
	wild := 0
	wildText := ""
	creds := false
	for i, l := range lines {
		t := l.text
		if strings.TrimSpace(t) == "" {
			continue
		}
		sourceCredentials(l, s)
		if javaCORSWildRe.MatchString(t) && wild == 0 {
			wild, wildText = l.n, strings.TrimSpace(t)
		}
		if javaCredsRe.MatchString(t) {
			creds = true
		}
		if m := javaPermitAllRe.FindStringSubmatch(t); m != nil && javaOpenStatus(m[1]) {
			what := m[1]
			if what == "" {
				what = "every actuator endpoint"
			}
			s.fail(idStatus, l.n, "Spring Security lets anyone reach "+what+" (permitAll)", strings.TrimSpace(t))
		}
		if m := javaNoVerifyRe.FindString(t); m != "" {
			s.fail(idTLSVerify, l.n, "TLS certificate or host name verification is off ("+m+")", strings.TrimSpace(t))
		}
		if m := javaOldTLSRe.FindStringSubmatch(t); m != nil {
			s.fail(idTLSVersion, l.n, "TLS below 1.2 is used (SSLContext "+m[1]+")", strings.TrimSpace(t))
		}
		if m := javaDigestRe.FindStringSubmatch(t); m != nil && !slowKDFRe.MatchString(t) {
			if passwordExpr(sdWindow(lines, i, 4)) {
				s.fail(idPasswordHash, l.n, "passwords are hashed with "+m[1]+", a fast unsalted hash", strings.TrimSpace(t))
			}
		}
	}
	if wild > 0 && creds {
		s.fail(idCORS, wild, "CORS allows every origin together with credentials", wildText)
	}
}

var shellAssignRe = regexp.MustCompile(`^\s*(?:export\s+|readonly\s+|local\s+|declare\s+(?:-\w+\s+)?)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$`)

// shellRules reads setup and entrypoint scripts: variable assignments are
// read as a .env file would be, and password defaults and flags as code.
func shellRules(rel string, data []byte, s *sdSink) {
	lines := sdSourceLines(data, "#", false)
	env := &cfgNode{Kind: cfgMap}
	for _, l := range lines {
		if strings.TrimSpace(l.text) == "" {
			continue
		}
		before := len(s.findings)
		sourceCredentials(l, s)
		if m := shellAssignRe.FindStringSubmatch(l.text); m != nil && len(s.findings) == before {
			env.Kids = append(env.Kids, &cfgNode{Key: m[1], Value: sdUnquoteEnv(strings.TrimSpace(m[2])), Line: l.n})
		}
	}
	doc := &cfgDoc{Path: rel, Format: "shell", Root: env}
	for _, r := range []func(*cfgDoc, *sdSink){debugRule, tlsOffRule, tlsVerifyRule, autoUpdateRule} {
		r(doc, s)
	}
}

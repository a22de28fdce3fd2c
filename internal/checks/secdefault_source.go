package checks

import (
	"regexp"
	"strings"
)

// sdSrcLine is one line of source with its comment removed.
type sdSrcLine struct {
	n    int    // 1-based
	text string // comment stripped
}

// sdSourceLines splits source into lines and strips comments: lines whose
// first token is a comment marker, trailing comments outside string
// literals, and /* */ blocks (C-like languages).
func sdSourceLines(data []byte, marker string, blockComments bool) []sdSrcLine {
	raw := strings.Split(string(data), "\n")
	out := make([]sdSrcLine, 0, len(raw))
	inBlock := false
	for i, l := range raw {
		l = strings.TrimRight(l, "\r")
		if blockComments {
			if inBlock {
				end := strings.Index(l, "*/")
				if end < 0 {
					out = append(out, sdSrcLine{n: i + 1})
					continue
				}
				l = strings.Repeat(" ", end+2) + l[end+2:]
				inBlock = false
			}
			if start := strings.Index(l, "/*"); start >= 0 && !sdInString(l, start) {
				if end := strings.Index(l[start+2:], "*/"); end >= 0 {
					l = l[:start] + l[start+2+end+2:]
				} else {
					l = l[:start]
					inBlock = true
				}
			}
		}
		out = append(out, sdSrcLine{n: i + 1, text: sdStripComment(l, marker)})
	}
	return out
}

// sdInString reports whether byte offset at of l is inside a quoted string.
func sdInString(l string, at int) bool {
	var q byte
	for i := 0; i < at && i < len(l); i++ {
		c := l[i]
		switch {
		case q != 0 && c == '\\':
			i++
		case q != 0 && c == q:
			q = 0
		case q == 0 && (c == '"' || c == '\'' || c == '`'):
			q = c
		}
	}
	return q != 0
}

// sdStripComment cuts a trailing comment that starts outside a string.
func sdStripComment(l, marker string) string {
	var q byte
	for i := 0; i < len(l); i++ {
		c := l[i]
		switch {
		case q != 0 && c == '\\':
			i++
		case q != 0:
			if c == q {
				q = 0
			}
		case c == '"' || c == '\'' || c == '`':
			q = c
		case strings.HasPrefix(l[i:], marker):
			if marker == "//" && i > 0 && l[i-1] == ':' { // URLs such as http://
				continue
			}
			return l[:i]
		}
	}
	return l
}

// sdWindow joins up to n lines from index i, for calls written over several
// lines.
func sdWindow(lines []sdSrcLine, i, n int) string {
	var b strings.Builder
	for j := i; j < len(lines) && j < i+n; j++ {
		b.WriteString(lines[j].text)
		b.WriteByte('\n')
	}
	return b.String()
}

var (
	// password = "admin", password: 'admin', $password = "admin"
	assignLitRe = regexp.MustCompile("\\b([A-Za-z_$][\\w$]*)\\s*[:=]\\s*[rbuf]?([\"'`])([^\"'`\\n]{1,64})([\"'`])")
	// "password": "admin", 'password' => 'admin'
	quotedKeyRe = regexp.MustCompile(`(["'])([\w.-]{1,64})(["'])\s*(?::|=>|=)\s*(["'])([^"'\n]{1,64})(["'])`)
	// setPassword("admin"), .password("admin")
	setterRe = regexp.MustCompile(`\b(?:set|with)?(\w*[Pp]ass(?:word|wd)?)\s*\(\s*(["'])([^"'\n]{1,64})(["'])\s*\)`)
	// os.getenv("ADMIN_PASSWORD", "admin"), environ.get(...), config.get("password", "admin")
	getenvDefaultRe = regexp.MustCompile(`(?:getenv|environ\.get|\.get|getProperty|Getenv|env)\(\s*["']([\w.-]+)["']\s*,\s*["']([^"'\n]{0,64})["']`)
	// process.env.ADMIN_PASSWORD || 'admin'
	jsEnvDefaultRe = regexp.MustCompile(`process\.env(?:\.(\w+)|\[["'](\w+)["']\])\s*(?:\|\||\?\?)\s*["'` + "`" + `]([^"'` + "`" + `\n]{0,64})["'` + "`" + `]`)
	// ${ADMIN_PASSWORD:-admin}
	shellDefaultRe = regexp.MustCompile(`\$\{(\w+):?[-=]([^}]*)\}`)
	// --password admin, --admin-password=admin
	cliPasswordRe = regexp.MustCompile(`--([\w-]*pass(?:word|wd)?)[= ]["']?([^\s"'$]{1,64})["']?`)
)

// sourceCredentials reports weak literal passwords in a line of code.
func sourceCredentials(l sdSrcLine, s *sdSink) {
	report := func(key, val string) bool {
		if !codePasswordKey(key, credentialValue(val)) {
			return false
		}
		v := credentialValue(val)
		if v == "" || !isWeakPassword(key, v) {
			return false
		}
		s.fail(idCredentials, l.n, "default credential: "+key+" is set to a well-known password in code", key+" = "+sdRedacted)
		return true
	}
	for _, m := range quotedKeyRe.FindAllStringSubmatch(l.text, -1) {
		if m[1] == m[3] && m[4] == m[6] && report(m[2], m[5]) {
			return
		}
	}
	for _, m := range assignLitRe.FindAllStringSubmatch(l.text, -1) {
		if m[2] == m[4] && report(strings.TrimPrefix(m[1], "$"), m[3]) {
			return
		}
	}
	for _, m := range setterRe.FindAllStringSubmatch(l.text, -1) {
		if m[2] == m[4] && report(m[1], m[3]) {
			return
		}
	}
	for _, m := range getenvDefaultRe.FindAllStringSubmatch(l.text, -1) {
		if report(m[1], m[2]) {
			return
		}
	}
	for _, m := range jsEnvDefaultRe.FindAllStringSubmatch(l.text, -1) {
		if report(m[1]+m[2], m[3]) {
			return
		}
	}
	for _, m := range shellDefaultRe.FindAllStringSubmatch(l.text, -1) {
		if report(m[1], m[2]) {
			return
		}
	}
	for _, m := range cliPasswordRe.FindAllStringSubmatch(l.text, -1) {
		if report(m[1], m[2]) {
			return
		}
	}
	if user, ok := weakURLCredential(l.text); ok {
		s.fail(idCredentials, l.n, "default credential in a connection URL in code (user "+user+")", redactURL(strings.TrimSpace(l.text)))
	}
}

// passwordExpr reports whether an expression is about a password (and not
// a reset token or a hash of one).
func passwordExpr(expr string) bool {
	w := sdKeyWords(expr)
	return sdHasWord(w, "password", "passwd", "pwd", "pass", "passphrase", "pw", "plaintext") &&
		!sdHasWord(w, "token", "reset", "nonce", "cnonce", "otp", "salted", "realm", "ha1")
}

// slowKDFRe finds password hashing functions; a fast hash next to one is a
// pre-hash (for bcrypt's 72-byte limit), not the storage scheme.
var slowKDFRe = regexp.MustCompile(`(?i)bcrypt|scrypt|argon2|pbkdf2|hash_password|make_password|generate_password_hash|passlib`)

// corsCredTrueRe and corsWildRe read cors({...}) options in any language.
var (
	corsCredTrueRe = regexp.MustCompile(`(?i)(credentials|supports_credentials|allow_credentials|allowCredentials)\s*[:=]\s*(true|True|"true")`)
)

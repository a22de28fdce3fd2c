package checks

import (
	"net/url"
	"regexp"
	"strings"
)

// weakPasswords are passwords that ship as defaults or top every
// credential-stuffing list. Compared case-insensitively.
var weakPasswords = map[string]bool{
	"admin": true, "admin1": true, "admin12": true, "admin123": true, "admin1234": true,
	"administrator": true, "adminadmin": true, "password": true, "password1": true,
	"password123": true, "passw0rd": true, "p@ssw0rd": true, "p@ssword": true,
	"changeme": true, "change_me": true, "change-me": true, "changeit": true,
	"secret": true, "root": true, "toor": true, "default": true, "guest": true,
	"letmein": true, "welcome": true, "welcome1": true, "qwerty": true,
	"123456": true, "1234567": true, "12345678": true, "123456789": true,
	"12345": true, "1234": true, "111111": true, "000000": true, "abc123": true,
	"test": true, "test123": true, "demo": true, "pass": true, "pass123": true,
	"master": true, "manager": true, "system": true, "user": true, "user123": true,
	"s3cr3t": true, "topsecret": true, "foobared": true, "superuser": true, "support": true,
	// The passwords of database and broker images' own quick starts
	// (POSTGRES_PASSWORD: postgres, MINIO_ROOT_PASSWORD: minioadmin).
	"postgres": true, "mysql": true, "mariadb": true, "mongo": true, "mongodb": true,
	"rabbitmq": true, "minioadmin": true, "elastic": true, "keycloak": true,
}

// isWeakPassword reports whether v is on the weak list. A value that just
// repeats the key as a label ("Password" for key "password", as in UI
// strings) is not a password.
func isWeakPassword(key, v string) bool {
	if !weakPasswords[strings.ToLower(v)] {
		return false
	}
	if len(v) > 1 && v[0] >= 'A' && v[0] <= 'Z' && strings.ToLower(v[1:]) == v[1:] {
		for _, w := range sdKeyWords(key) {
			if w == strings.ToLower(v) {
				return false
			}
		}
	}
	return true
}

// passwordKey reports whether a key names a password or secret:
// its last word is password, passwd, pwd, pass, passphrase or secret, or it
// ends in "secret key"; "password_min_length" or "password_file" do not.
func passwordKey(key string) bool {
	w := sdKeyWords(key)
	if len(w) == 0 {
		return false
	}
	last := w[len(w)-1]
	switch last {
	case "password", "passwd", "pwd", "passphrase", "secret", "requirepass":
		return true
	case "pass":
		return len(w) > 1 || strings.EqualFold(key, "pass")
	case "key":
		return len(w) > 1 && w[len(w)-2] == "secret"
	}
	// SCREAMING or lower keys written as one word: ADMINPASSWORD, dbpassword.
	if len(w) == 1 && (strings.HasSuffix(last, "password") || strings.HasSuffix(last, "passwd")) {
		return true
	}
	return false
}

// labelKeyWords mark names that hold the word "secret" or "password" as a
// label, a type or a test value, not as a credential: flagSecret = "secret",
// MountTypeSecret = "secret", testPass = "password".
var labelKeyWords = []string{
	"type", "kind", "flag", "field", "label", "name", "param", "header", "prefix", "suffix",
	"column", "placeholder", "hint", "prompt", "message", "msg", "text", "title", "test",
	"example", "sample", "dummy", "fake", "mock", "mode", "format", "scheme",
}

// codePasswordKey is passwordKey for names in code, where constants often
// name a kind of thing: the value must not just repeat the name.
func codePasswordKey(key, value string) bool {
	if !passwordKey(key) {
		return false
	}
	w := sdKeyWords(key)
	if sdHasWord(w, labelKeyWords...) || sdHasWord(w, strings.ToLower(value)) {
		return false
	}
	// "PGPASSWORD": "password" maps a variable to a field name.
	if nv := sdNormKey(value); nv != "" && strings.HasSuffix(sdNormKey(key), nv) {
		return false
	}
	return true
}

// userKey reports whether a key names a user name.
func userKey(key string) bool {
	w := sdKeyWords(key)
	if len(w) == 0 {
		return false
	}
	switch w[len(w)-1] {
	case "user", "username", "login", "usr":
		return true
	}
	return len(w) == 1 && strings.HasSuffix(w[0], "username")
}

// envDefaultRe matches ${VAR:-default} and ${VAR-default} (shell, Compose)
// and ${property:default} (Spring).
var envDefaultRe = regexp.MustCompile(`^\$\{[A-Za-z_][A-Za-z0-9_.-]*?(?::-|-|:)([^}]*)\}$`)

// credentialValue returns the literal a setting ships with: the default of
// ${VAR:-default}, the value itself, or "" when it is a placeholder that
// the operator fills in (${VAR}, {{ .Values.x }}, <your-password>, empty).
func credentialValue(v string) string {
	v = strings.TrimSpace(v)
	if m := envDefaultRe.FindStringSubmatch(v); m != nil {
		if strings.HasPrefix(m[1], "?") { // ${VAR:?error}: required, no default
			return ""
		}
		return strings.TrimSpace(m[1])
	}
	if v == "" || strings.ContainsAny(v, "$") || strings.Contains(v, "{{") ||
		strings.HasPrefix(v, "%(") || (strings.HasPrefix(v, "<") && strings.HasSuffix(v, ">")) ||
		strings.HasPrefix(v, "ENC(") || strings.HasPrefix(v, "vault:") {
		return ""
	}
	switch strings.ToLower(v) {
	case "null", "~", "none", "nil":
		return ""
	}
	return v
}

// urlCredRe finds user:password@ in URLs and DSNs.
var urlCredRe = regexp.MustCompile(`[a-zA-Z][a-zA-Z0-9+.-]*://[^\s/'"@]*@[^\s'"]+`)

// weakURLCredential returns the user of a URL in s whose password is weak
// or equal to the user ("postgres://admin:admin@db/app").
func weakURLCredential(s string) (user string, ok bool) {
	for _, m := range urlCredRe.FindAllString(s, 4) {
		u, err := url.Parse(m)
		if err != nil || u.User == nil {
			continue
		}
		pw, set := u.User.Password()
		if !set {
			continue
		}
		pw = credentialValue(pw)
		if pw == "" {
			continue
		}
		user := strings.ToLower(u.User.Username())
		if docPlaceholderUser[user] && docPlaceholderPassword[strings.ToLower(pw)] || exampleHost(u.Hostname()) {
			continue // user:password@host.com in documentation
		}
		if weakPasswords[strings.ToLower(pw)] || pw == u.User.Username() {
			return u.User.Username(), true
		}
	}
	return "", false
}

var (
	docPlaceholderUser     = map[string]bool{"user": true, "username": true, "login": true, "myuser": true, "youruser": true, "name": true}
	docPlaceholderPassword = map[string]bool{"password": true, "pass": true, "pwd": true, "secret": true, "passwd": true}
)

// docPair reports a password placeholder next to a user placeholder.
func docPair(parent *cfgNode, pw string) bool {
	if parent == nil || parent.Kind != cfgMap || !docPlaceholderPassword[strings.ToLower(pw)] {
		return false
	}
	for _, sib := range parent.Kids {
		if sib.Kind == cfgScalar && userKey(sib.Key) && docPlaceholderUser[strings.ToLower(sib.Value)] {
			return true
		}
	}
	return false
}

// exampleHost reports documentation hosts (RFC 2606 and the like).
func exampleHost(h string) bool {
	h = strings.ToLower(h)
	for _, suf := range []string{"example.com", "example.org", "example.net", ".example", ".test", ".invalid", "host.com", "domain.com"} {
		if h == strings.TrimPrefix(suf, ".") || strings.HasSuffix(h, suf) {
			return true
		}
	}
	return h == "host" || h == "hostname" || h == "server"
}

// uiTextWords mark sections of UI text (labels.password: password).
var uiTextWords = []string{"label", "labels", "messages", "message", "i18n", "text", "texts", "placeholder",
	"placeholders", "title", "titles", "hint", "hints", "prompt", "prompts", "translation", "translations", "strings", "fields"}

// credRule finds default credentials in a configuration tree: weak
// literals under password keys, a password equal to the user name next to
// it, and weak passwords inside URLs.
func credRule(doc *cfgDoc, s *sdSink) {
	cfgVisit(doc.Root, func(path []string, n, parent *cfgNode) bool {
		if n.Kind != cfgScalar {
			return true
		}
		key := n.Key
		if key == "" && parent != nil {
			key = parent.Key
		}
		if passwordKey(key) && !sdHasWord(sdPathWords(path[:max(0, len(path)-1)]), uiTextWords...) {
			v := credentialValue(n.Value)
			switch {
			case v == "":
			case docPair(parent, v):
				// username: username / password: password documents the shape.
			case isWeakPassword(key, v):
				s.fail(idCredentials, n.Line,
					"default credential: "+sdJoinPath(path)+" ships a well-known password",
					sdJoinPath(path)+": "+sdRedacted)
				return true
			case parent != nil && parent.Kind == cfgMap:
				for _, sib := range parent.Kids {
					if sib != n && sib.Kind == cfgScalar && userKey(sib.Key) && sib.Value == v {
						s.fail(idCredentials, n.Line,
							"default credential: "+sdJoinPath(path)+" is the same as the user name "+sib.Key+" ("+sib.Value+")",
							sdJoinPath(path)+": "+sdRedacted)
						return true
					}
				}
			}
		}
		if user, ok := weakURLCredential(n.Value); ok {
			s.fail(idCredentials, n.Line,
				"default credential in a connection URL at "+sdJoinPath(path)+" (user "+user+")",
				sdJoinPath(path)+": "+redactURL(n.Value))
		}
		return true
	})
}

package checks

import (
	"regexp"
	"strings"
)

// ngxDirective is one nginx directive; Block holds the directives of a
// block directive (server { ... }).
type ngxDirective struct {
	Name  string
	Args  []string
	Line  int
	Block []*ngxDirective
}

// nginxLike reports whether a .conf file is nginx configuration.
var nginxLikeRe = regexp.MustCompile(`(?m)^\s*(server|http|location|upstream|events)\b[^;{]*\{|^\s*(listen|server_name|proxy_pass|root|ssl_protocols|add_header)\s+[^;]*;`)

// nginxLike reports whether a .conf file holds nginx directives.
func nginxLike(data []byte) bool { return nginxLikeRe.Match(data) }

// parseNginx reads nginx configuration: words, quoted strings, comments,
// ';' and '{ }'. No Go library for nginx syntax is kept as well as the
// format is simple, so this is a small tokenizer; it is fuzzed and never
// fails — unbalanced braces end the block.
func parseNginx(data []byte) []*ngxDirective {
	t := &ngxTokens{src: string(data), line: 1}
	return t.block(0)
}

type ngxTokens struct {
	src  string
	pos  int
	line int
}

// next returns the next token and its line; tok is "" at the end.
func (t *ngxTokens) next() (tok string, line int, quoted bool) {
	for t.pos < len(t.src) {
		c := t.src[t.pos]
		switch {
		case c == '\n':
			t.line++
			t.pos++
		case c == ' ' || c == '\t' || c == '\r':
			t.pos++
		case c == '#':
			for t.pos < len(t.src) && t.src[t.pos] != '\n' {
				t.pos++
			}
		case c == ';' || c == '{' || c == '}':
			t.pos++
			return string(c), t.line, false
		case c == '"' || c == '\'':
			line = t.line
			t.pos++
			var b strings.Builder
			for t.pos < len(t.src) && t.src[t.pos] != c {
				if t.src[t.pos] == '\\' && t.pos+1 < len(t.src) {
					t.pos++
				}
				if t.src[t.pos] == '\n' {
					t.line++
				}
				b.WriteByte(t.src[t.pos])
				t.pos++
			}
			t.pos++
			return b.String(), line, true
		default:
			start := t.pos
			for t.pos < len(t.src) && !strings.ContainsRune(" \t\r\n;{}\"'#", rune(t.src[t.pos])) {
				t.pos++
			}
			return t.src[start:t.pos], t.line, false
		}
	}
	return "", t.line, false
}

// block reads directives up to the closing brace or the end.
func (t *ngxTokens) block(depth int) []*ngxDirective {
	var out []*ngxDirective
	var cur *ngxDirective
	for {
		tok, line, quoted := t.next()
		if !quoted {
			switch tok {
			case "":
				return out
			case ";":
				cur = nil
				continue
			case "{":
				if cur == nil {
					cur = &ngxDirective{Line: line}
					out = append(out, cur)
				}
				if depth < maxCfgDepth {
					cur.Block = t.block(depth + 1)
				}
				cur = nil
				continue
			case "}":
				return out
			}
		}
		if cur == nil {
			cur = &ngxDirective{Name: tok, Line: line}
			out = append(out, cur)
		} else {
			cur.Args = append(cur.Args, tok)
		}
	}
}

// nginxRules reads nginx configuration: old TLS protocols, wildcard CORS
// with credentials, open stub_status locations.
func nginxRules(data []byte, s *sdSink) {
	dirs := parseNginx(data)
	reflectGuarded := strings.Contains(string(data), "map $http_origin") || regexp.MustCompile(`if\s*\(\s*\$http_origin`).Match(data)
	var walk func(ds []*ngxDirective, depth int)
	walk = func(ds []*ngxDirective, depth int) {
		if depth > maxCfgDepth {
			return
		}
		var acao, acac *ngxDirective
		for _, d := range ds {
			switch strings.ToLower(d.Name) {
			case "ssl_protocols", "proxy_ssl_protocols", "grpc_ssl_protocols", "uwsgi_ssl_protocols":
				for _, a := range d.Args {
					if sdOldTLS(a, false) {
						s.fail(idTLSVersion, d.Line, d.Name+" allows "+a+" (below TLS 1.2)", d.Name+" "+strings.Join(d.Args, " "))
						break
					}
				}
			case "add_header", "more_set_headers":
				if len(d.Args) >= 2 {
					switch strings.ToLower(d.Args[0]) {
					case "access-control-allow-origin":
						if d.Args[1] == "*" || (d.Args[1] == "$http_origin" && !reflectGuarded) {
							acao = d
						}
					case "access-control-allow-credentials":
						if strings.EqualFold(d.Args[1], "true") {
							acac = d
						}
					}
				}
			case "location":
				if ngxStatusOpen(d) {
					s.fail(idStatus, d.Line, "location "+strings.Join(d.Args, " ")+" serves nginx status without an allow/deny list or authentication",
						"location "+strings.Join(d.Args, " ")+" { stub_status; }")
				}
			}
			if len(d.Block) > 0 {
				walk(d.Block, depth+1)
			}
		}
		if acao != nil && acac != nil {
			s.fail(idCORS, acao.Line, "CORS allows every origin ("+acao.Args[1]+") together with credentials",
				"add_header Access-Control-Allow-Origin "+acao.Args[1]+"; add_header Access-Control-Allow-Credentials true")
		}
	}
	walk(dirs, 0)
	nginxLocalUpstreams(dirs, false, 0, s)
}

// ngxStatusOpen reports a location serving stub_status (or the NGINX Plus
// api) with no access control in it.
func ngxStatusOpen(loc *ngxDirective) bool {
	status, guarded := false, false
	for _, d := range loc.Block {
		switch strings.ToLower(d.Name) {
		case "stub_status", "status", "api", "vhost_traffic_status_display":
			status = true
		case "deny", "auth_basic", "auth_request", "satisfy", "internal", "auth_jwt":
			if strings.ToLower(d.Name) != "auth_basic" || len(d.Args) == 0 || !strings.EqualFold(d.Args[0], "off") {
				guarded = true
			}
		}
	}
	return status && !guarded
}

// redisRules reads redis.conf (directive arguments): bind, requirepass.
func redisRules(rel string, data []byte, s *sdSink) {
	root := &cfgNode{Kind: cfgMap}
	for i, l := range strings.Split(string(data), "\n") {
		f := strings.Fields(l)
		if len(f) < 2 || strings.HasPrefix(f[0], "#") {
			continue
		}
		v := f[1]
		if strings.EqualFold(f[0], "bind") {
			for _, a := range f[1:] {
				if sdAnyIP(strings.TrimPrefix(a, "-")) {
					v = strings.TrimPrefix(a, "-")
				}
			}
		}
		root.Kids = append(root.Kids, &cfgNode{Key: f[0], Value: strings.Trim(v, `"`), Line: i + 1})
	}
	doc := &cfgDoc{Path: rel, Format: "redis", Root: root}
	for _, r := range configRules {
		r(doc, s)
	}
}

package checks

import (
	"strconv"
	"strings"
	"testing"
)

// sdFlat renders a cfgNode tree as "path=value@line" lines, sorted by visit
// order, for parser tests.
func sdFlat(root *cfgNode) string {
	var out []string
	cfgVisit(root, func(p []string, n, parent *cfgNode) bool {
		if n.Kind == cfgScalar {
			out = append(out, sdJoinPath(p)+"="+n.Value+"@"+strconv.Itoa(n.Line))
		}
		return true
	})
	return strings.Join(out, " ")
}

func TestSecdefaultParsers(t *testing.T) {
	for _, tc := range []struct {
		name  string
		parse func([]byte) (*cfgNode, error)
		in    string
		want  string
	}{
		{"yaml", func(b []byte) (*cfgNode, error) {
			d, err := parseYAML("t.yaml", b)
			if len(d) == 0 {
				return nil, err
			}
			return d[0], err
		}, "a:\n  b: 1\n  c: [x, y]\nd: ~\n", "a.b=1@2 a.c=x@3 a.c=y@3 d=@4"},
		{"yaml_merge_key", func(b []byte) (*cfgNode, error) {
			d, err := parseYAML("t.yaml", b)
			return d[len(d)-1], err
		}, "base: &b\n  password: admin\nsvc:\n  <<: *b\n  user: u\n", "base.password=admin@2 svc.password=admin@2 svc.user=u@5"},
		{"json", func(b []byte) (*cfgNode, error) { return parseJSON("t.json", b) },
			"{\n  \"a\": {\n    \"b\": true\n  },\n  \"c\": [1, \"x\"]\n}\n", "a.b=true@3 c=1@5 c=x@5"},
		{"toml", func(b []byte) (*cfgNode, error) { return parseTOML("t.toml", b) },
			"top = 1\n[server]\nhost = \"0.0.0.0\"\n[db]\nhost = \"db\"\n", "db.host=db@5 server.host=0.0.0.0@3 top=1@1"},
		{"ini", func(b []byte) (*cfgNode, error) { return parseINI("t.ini", b) },
			"listen_addresses = '*'\n[security]\nadmin_password = admin\n", "listen_addresses=*@1 security.admin_password=admin@3"},
		{"env", func(b []byte) (*cfgNode, error) { return parseEnv(b), nil },
			"# c\nexport A=1\nB=\"two words\" # note\nC='x'\nD=y # z\n", "A=1@2 B=two words@3 C=x@4 D=y@5"},
		{"properties", func(b []byte) (*cfgNode, error) { return parseProperties(b), nil },
			"# c\na.b=1\na.c: 2\nd  3\ne=long \\\n  value\n! c\n", "a.b=1@2 a.c=2@3 d=3@4 e=long value@5"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root, err := tc.parse([]byte(tc.in))
			if err != nil {
				t.Fatal(err)
			}
			if got := sdFlat(root); got != tc.want {
				t.Errorf("got  %s\nwant %s", got, tc.want)
			}
		})
	}
}

func TestSecdefaultParseDockerfile(t *testing.T) {
	in := "# syntax=docker/dockerfile:1\nFROM golang:1.26 AS build\nRUN go build \\\n  -o /app .\nRUN <<EOF\nUSER root\nEOF\nFROM scratch\nENV A=1 B=\"x y\"\nUSER 10001\n"
	var got []string
	for _, in := range parseDockerfile([]byte(in)) {
		got = append(got, in.Cmd+"@"+strconv.Itoa(in.Line)+":"+in.Args)
	}
	want := "FROM@2:golang:1.26 AS build|RUN@3:go build  -o /app .|RUN@5:<<EOF|FROM@8:scratch|ENV@9:A=1 B=\"x y\"|USER@10:10001"
	if g := strings.Join(got, "|"); g != want {
		t.Errorf("got  %s\nwant %s", g, want)
	}
	if kv := splitDockerEnv(`A=1 B="x y"`); len(kv) != 2 || kv[1][1] != "x y" {
		t.Errorf("splitDockerEnv = %q", kv)
	}
	if kv := splitDockerEnv(`NODE_ENV production`); len(kv) != 1 || kv[0][1] != "production" {
		t.Errorf("legacy ENV = %q", kv)
	}
}

func TestSecdefaultParseNginx(t *testing.T) {
	in := "http {\n  server {\n    listen 443 ssl; # tls\n    add_header X \"a;b\";\n    location /s { stub_status; }\n  }\n}\n"
	var got []string
	var walk func([]*ngxDirective)
	walk = func(ds []*ngxDirective) {
		for _, d := range ds {
			got = append(got, d.Name+"@"+strconv.Itoa(d.Line)+"("+strings.Join(d.Args, ",")+")")
			walk(d.Block)
		}
	}
	walk(parseNginx([]byte(in)))
	want := "http@1() server@2() listen@3(443,ssl) add_header@4(X,a;b) location@5(/s) stub_status@5()"
	if g := strings.Join(got, " "); g != want {
		t.Errorf("got  %s\nwant %s", g, want)
	}
}

func TestSecdefaultValues(t *testing.T) {
	for in, want := range map[string]string{
		"${ADMIN_PASSWORD:-admin123}": "admin123",
		"${ADMIN_PASSWORD}":           "",
		"{{ .Values.password }}":      "",
		"<your-password>":             "",
		"changeme":                    "changeme",
		"~":                           "",
		"${DB_PASSWORD:changeme}":     "changeme",
		"${spring.pw:}":               "",
		"${DB_PASSWORD:?required}":    "",
		"${A-admin}":                  "admin",
	} {
		if got := credentialValue(in); got != want {
			t.Errorf("credentialValue(%q) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]bool{
		"0.0.0.0": true, "0.0.0.0:9090": true, "[::]:80": true, "::": true,
		"127.0.0.1": false, "localhost:80": false, "http://0.0.0.0:8080": true,
	} {
		if got := sdAnyIP(in); got != want {
			t.Errorf("sdAnyIP(%q) = %v", in, got)
		}
	}
	for in, want := range map[string]bool{
		"TLSv1": true, "TLSv1.1": true, "SSLv3": true, "TLSv1.2": false, "TLSv1.3": false,
	} {
		if got := sdOldTLS(in, false); got != want {
			t.Errorf("sdOldTLS(%q) = %v", in, got)
		}
	}
	for in, want := range map[string]string{
		"postgres://u:${P}@db.example.net:5432/x?sslmode=disable": "db.example.net",
		"postgres://[::1]:5432/x":                                 "::1",
		"host=x":                                                  "",
	} {
		if got := urlHost(in); got != want {
			t.Errorf("urlHost(%q) = %q, want %q", in, got, want)
		}
	}
}

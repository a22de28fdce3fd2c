package checks

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// sdFuzzKinds are the readers a fuzzed file is fed to.
var sdFuzzKinds = []struct {
	kind sdKind
	name string
}{
	{sdYAML, "config.yaml"}, {sdYAML, "docker-compose.yml"}, {sdJSON, "config.json"},
	{sdTOML, "config.toml"}, {sdINI, "config.ini"}, {sdEnv, ".env"},
	{sdProperties, "application.properties"}, {sdDockerfile, "Dockerfile"},
	{sdConf, "nginx.conf"}, {sdRedis, "redis.conf"}, {sdPython, "settings.py"},
	{sdGo, "main.go"}, {sdJS, "server.js"}, {sdJava, "App.java"}, {sdShell, "setup.sh"},
}

// FuzzSecdefaultFile feeds arbitrary bytes to every reader and rule:
// configuration files are outside input and must never panic or hang.
func FuzzSecdefaultFile(f *testing.F) {
	root := filepath.Join("testdata", "secdefault")
	_ = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || filepath.Ext(p) == ".golden" {
			return nil
		}
		if data, err := os.ReadFile(p); err == nil && len(data) < 16<<10 {
			f.Add(data)
		}
		return nil
	})
	f.Add([]byte("a: &x [*x]\n"))
	f.Add([]byte("server { location / { stub_status; \n"))
	f.Add([]byte("FROM scratch AS a\nFROM a\nRUN <<EOF\n"))
	f.Add([]byte(`{"a": [1, {"b": "postgres://u:p@h/d?sslmode=disable"`))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, k := range sdFuzzKinds {
			start := time.Now()
			for _, fd := range scanFile(k.name, k.kind, data) {
				if fd.rule == "" || fd.line < 0 || len(fd.evidence) > sdMaxEvidence+4 {
					t.Fatalf("%s: bad finding %+v", k.name, fd)
				}
			}
			if d := time.Since(start); d > 2*time.Second {
				t.Fatalf("%s: %d bytes took %v", k.name, len(data), d)
			}
		}
	})
}

func TestSecdefaultHostileInput(t *testing.T) {
	// A YAML alias bomb and a deep nesting are cut off, not expanded.
	bomb := []byte("a: &a [x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\ng: [*f,*f,*f,*f,*f,*f,*f,*f,*f]\n")
	deep := make([]byte, 0, 20000)
	for i := 0; i < 5000; i++ {
		deep = append(deep, '[')
	}
	// Inputs that were quadratic once: a long line of quotes (comment
	// stripping), stacked route decorators (decorator walk), many dotted
	// keys (.properties nesting).
	quotes := []byte(strings.Repeat(`"`, 50_000))
	routes := []byte(strings.Repeat("@app.route('/status')\n", 5_000))
	var dotted strings.Builder
	for i := 0; i < 10_000; i++ {
		fmt.Fprintf(&dotted, "k%d.x=1\n", i)
	}
	for _, k := range sdFuzzKinds {
		for _, in := range [][]byte{bomb, deep, quotes, routes, []byte(dotted.String())} {
			start := time.Now()
			scanFile(k.name, k.kind, in)
			if d := time.Since(start); d > 10*time.Second {
				t.Errorf("%s: %d bytes took %v", k.name, len(in), d)
			}
		}
	}
}

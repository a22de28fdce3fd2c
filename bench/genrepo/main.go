// Command genrepo writes a synthetic repository for benchmarking craft's
// checks: N files spread over packages, mostly source code (Go, Python,
// JavaScript) with the configuration a real product ships (YAML, JSON,
// .env, Dockerfiles, compose files, Kubernetes manifests, CI workflows),
// so that every check has files to read.
//
//	go run ./bench/genrepo -dir /tmp/repo -files 50000
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

func main() {
	dir := flag.String("dir", "", "output folder (must not exist)")
	files := flag.Int("files", 50000, "number of files")
	flag.Parse()
	if *dir == "" {
		fmt.Fprintln(os.Stderr, "genrepo: -dir is required")
		os.Exit(2)
	}
	if err := generate(*dir, *files); err != nil {
		fmt.Fprintln(os.Stderr, "genrepo:", err)
		os.Exit(1)
	}
}

// kinds are the file shapes, in the proportions a service repository has.
func kinds() []struct {
	name    string
	weight  int
	content func(i int) string
} {
	body := strings.Repeat("\t// Business logic that the checks must read past.\n", 40)
	return []struct {
		name    string
		weight  int
		content func(i int) string
	}{
		{"service%d.go", 40, func(i int) string {
			return fmt.Sprintf("package svc%d\n\nimport \"net/http\"\n\nfunc Handler%d(w http.ResponseWriter, r *http.Request) {\n%s\tw.WriteHeader(http.StatusOK)\n}\n", i, i, body)
		}},
		{"module%d.py", 25, func(i int) string {
			return fmt.Sprintf("import os\n\n\ndef handler_%d(request):\n    timeout = int(os.environ.get('TIMEOUT', '30'))\n%s    return {'status': 'ok', 'timeout': timeout}\n", i, strings.Repeat("    # Business logic that the checks must read past.\n", 40))
		}},
		{"component%d.js", 20, func(i int) string {
			return fmt.Sprintf("export function render%d(props) {\n%s  return props.items.map((x) => x.name);\n}\n", i, strings.Repeat("  // Business logic that the checks must read past.\n", 40))
		}},
		{"config%d.yaml", 8, func(i int) string {
			return fmt.Sprintf("service:\n  name: svc%d\n  listen: 127.0.0.1:%d\n  tls:\n    enabled: true\n    minVersion: \"1.2\"\n  database:\n    user: app\n    password: ${DB_PASSWORD}\n", i, 8000+i%1000)
		}},
		{"settings%d.json", 5, func(i int) string {
			return fmt.Sprintf("{\"name\": \"svc%d\", \"retries\": 3, \"autoUpdate\": true, \"log\": {\"level\": \"info\"}}\n", i)
		}},
		{"deploy%d.yaml", 2, func(i int) string {
			return fmt.Sprintf("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: svc%d\nspec:\n  template:\n    spec:\n      containers:\n        - name: app\n          image: registry.example/svc%d@sha256:%s\n          securityContext:\n            runAsNonRoot: true\n            readOnlyRootFilesystem: true\n            allowPrivilegeEscalation: false\n", i, i, strings.Repeat("a", 64))
		}},
	}
}

func generate(dir string, n int) error {
	if _, err := os.Stat(dir); err == nil {
		return fmt.Errorf("%s exists", dir)
	}
	ks := kinds()
	total := 0
	for _, k := range ks {
		total += k.weight
	}
	written := 0
	for i := 0; written < n; i++ {
		k := ks[i%len(ks)]
		// Weighted round-robin: kind k gets weight/total of the files.
		count := max(1, k.weight*100/total)
		for j := 0; j < count && written < n; j++ {
			pkg := filepath.Join(dir, "services", fmt.Sprintf("area%02d", written%50), fmt.Sprintf("pkg%04d", written/50%400))
			if err := os.MkdirAll(pkg, 0o755); err != nil {
				return err
			}
			name := filepath.Join(pkg, fmt.Sprintf(k.name, written))
			if err := os.WriteFile(name, []byte(k.content(written)), 0o644); err != nil {
				return err
			}
			written++
		}
	}
	// The files a product repository has at its root.
	root := map[string]string{
		"SECURITY.md":               "# Security\n\nReport vulnerabilities to security@example.com. We answer within 3 working days.\n",
		"go.mod":                    "module example.com/bench\n\ngo 1.22\n",
		"go.sum":                    "",
		"Dockerfile":                "FROM golang:1.22 AS build\nCOPY . /src\nRUN go build -o /app ./...\n\nFROM gcr.io/distroless/static\nCOPY --from=build /app /app\nUSER 65532\nENTRYPOINT [\"/app\"]\n",
		".github/workflows/ci.yml":  "name: ci\non: [push]\npermissions:\n  contents: read\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683\n      - run: go test ./...\n      - run: go vet ./...\n      - run: craft scan . --fail-on high\n      - run: craft sbom . -o cyclonedx-json=bom.json\n",
		".github/dependabot.yml":    "version: 2\nupdates:\n  - package-ecosystem: gomod\n    directory: /\n    schedule:\n      interval: weekly\n",
		".github/CODEOWNERS":        "* @example/maintainers\n",
		"craft.yaml":                "product:\n  name: bench\n  supportUntil: 2032-12\nmanufacturer:\n  name: Example\n  email: psirt@example.com\n",
		"deploy/docker-compose.yml": "services:\n  app:\n    image: registry.example/app:1.0\n    ports:\n      - \"127.0.0.1:8080:8080\"\n    read_only: true\n",
		"config/production.env":     "LOG_LEVEL=info\nDB_PASSWORD=\n",
	}
	for name, content := range root {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			return err
		}
	}
	fmt.Printf("wrote %d files under %s\n", written+len(root), dir)
	return nil
}

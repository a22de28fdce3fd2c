package checks

import (
	"bytes"
	"context"
	"fmt"
	"sync"
)

// secdefaultDoc is the page that documents the secure-default rules.
const secdefaultDoc = "docs/secure-defaults.md#"

// secdefaultChecks lists the secure-by-default configuration rules (CRA
// Annex I Part I (2)(b)-(k)): what the product ships in its configuration
// files, container images and code. All of them share one read of the tree.
func secdefaultChecks() []Check {
	scan := &sdScan{}
	mk := func(id, title string, reqs []string, sev Severity, rationale, remediation string) Check {
		return Check{
			ID: id, Title: title, Requirements: reqs, Severity: sev,
			Rationale: rationale, Remediation: remediation,
			Doc: secdefaultDoc + sdAnchor(id),
			Run: func(ctx context.Context, repo *Repo) ([]Result, error) {
				return scan.results(ctx, repo, id)
			},
		}
	}
	return []Check{
		mk(idCredentials, "No default or hard-coded credentials",
			[]string{"AI-P1-2b", "AI-P1-2d"}, SeverityHigh,
			"A password that ships with the product (admin/admin123, password: changeme, root/root) is known to every attacker; "+
				"installations that keep it are open to anyone who can reach them.",
			"Ship no password: create the first administrator from a one-time setup token printed at first start, "+
				"or require a unique password to be set at first login; read secrets from the environment (${VAR}) with no default."),
		mk(idBindAll, "Internal listeners bind localhost",
			[]string{"AI-P1-2j"}, SeverityLow,
			"A database, cache, admin, metrics or debug listener on 0.0.0.0 is reachable from the network although only the host needs it.",
			"Bind operator and internal listeners to 127.0.0.1 (or a Unix socket) by default; publish database ports as 127.0.0.1:PORT:PORT or not at all."),
		mk(idDebug, "Debug modes and debug endpoints off",
			[]string{"AI-P1-2j"}, SeverityMedium,
			"Debug modes (Django DEBUG, the Flask/Werkzeug debugger), net/http/pprof and wide-open Spring Boot actuators "+
				"show stack traces, configuration and memory, and some allow code execution.",
			"Ship with debug off (DEBUG = False, no debug=True, FLASK_DEBUG unset), pprof only behind a build tag or on a localhost-only mux, "+
				"and management.endpoints.web.exposure.include=health."),
		mk(idStatus, "Status and diagnostic pages need authentication",
			[]string{"AI-P1-2j", "AI-P1-2d"}, SeverityHigh,
			"A status, debug or diagnostics page that anyone can open and that shows system information, configuration or logs "+
				"hands an attacker the map of the installation (versions, paths, hosts) and often secrets from the logs.",
			"Serve status pages to authenticated administrators only, with minimal information (version and health); keep logs and "+
				"system details out of HTTP, and keep public /health answering \"ok\" and nothing else."),
		mk(idTLSOff, "TLS on by default",
			[]string{"AI-P1-2e"}, SeverityMedium,
			"Settings that switch TLS off, or database connections with sslmode=disable to another host, send credentials and data in clear text.",
			"Ship with TLS on (a generated certificate when none is configured); connect to remote databases with sslmode=verify-full."),
		mk(idTLSVersion, "TLS 1.2 or newer",
			[]string{"AI-P1-2e"}, SeverityMedium,
			"SSLv3, TLS 1.0 and TLS 1.1 are deprecated (RFC 8996) and have known attacks.",
			"Allow TLS 1.2 and 1.3 only: ssl_protocols TLSv1.2 TLSv1.3; MinVersion: tls.VersionTLS12; minimum_version = ssl.TLSVersion.TLSv1_2."),
		mk(idTLSVerify, "TLS certificates verified",
			[]string{"AI-P1-2e"}, SeverityHigh,
			"A client that does not verify the server certificate (InsecureSkipVerify, verify=False, rejectUnauthorized: false) "+
				"talks to whoever answers: any machine in the path can read and change the traffic.",
			"Verify certificates by default; to trust a private CA, configure that CA (RootCAs, verify=\"/path/ca.pem\", ca option) instead of switching verification off."),
		mk(idPasswordHash, "Passwords stored with a password hash",
			[]string{"AI-P1-2d", "AI-P1-2e"}, SeverityHigh,
			"MD5, SHA-1 and other fast hashes of passwords are cracked at billions of guesses per second once the user table leaks.",
			"Store passwords with argon2id (or scrypt, bcrypt, PBKDF2 with a high work factor), e.g. Django's default PBKDF2/Argon2 hasher first in PASSWORD_HASHERS."),
		mk(idCORS, "No wildcard CORS with credentials",
			[]string{"AI-P1-2e", "AI-P1-2f"}, SeverityHigh,
			"Allowing every origin together with credentials lets any web site a user visits read the user's data from the product "+
				"(confidentiality) and send it authenticated state-changing requests that preflight would otherwise stop (integrity).",
			"List the allowed origins explicitly when credentials are allowed; keep Access-Control-Allow-Origin: * only for public, cookie-less resources."),
		mk(idAutoUpdate, "Automatic security updates on by default",
			[]string{"AI-P1-2c"}, SeverityMedium,
			"Annex I Part I (2)(c) asks that security updates install automatically by default, with an easy opt-out, where applicable; "+
				"a default of off leaves most installations unpatched.",
			"Ship with automatic security updates on, with a clear opt-out, notification and a way to postpone; document why if automatic updates do not fit the product."),
		mk(idContainerRoot, "Containers run as a non-root user",
			[]string{"AI-P1-2k"}, SeverityMedium,
			"A process that runs as root in its container turns any code-execution bug into root on the container and a short step from the host.",
			"Add a USER with a fixed non-zero UID to the final image stage; in Kubernetes set runAsNonRoot: true (and runAsUser) in the securityContext."),
		mk(idPrivileged, "Containers are not privileged",
			[]string{"AI-P1-2k"}, SeverityHigh,
			"A privileged container (or one with CAP_SYS_ADMIN/ALL) has the host's devices and kernel interfaces: escaping it is trivial.",
			"Do not run privileged; add only the specific capabilities the service needs."),
		mk(idRootFS, "Read-only root filesystem",
			[]string{"AI-P1-2k"}, SeverityLow,
			"A writable root filesystem lets an attacker who gets in change the programs and configuration of the container.",
			"Set readOnlyRootFilesystem: true and mount writable volumes (emptyDir) only where the service writes."),
		mk(idNewUserRole, "New users get the lowest role",
			[]string{"AI-P1-2b", "AI-P1-2d"}, SeverityHigh,
			"When every new account is an administrator, a manager or a role that can delete data and manage users, one phished or "+
				"self-registered account can destroy the installation: least privilege is not the default.",
			"Give new accounts the lowest role (viewer or member, no delete and no user management); let administrators raise it."),
	}
}

// sdAnchor turns a check ID into the heading anchor of docs/secure-defaults.md.
func sdAnchor(id string) string {
	out := make([]byte, 0, len(id))
	for i := 0; i < len(id); i++ {
		if id[i] != '.' {
			out = append(out, id[i])
		}
	}
	return string(out)
}

// sdScan reads a tree once for all secure-default checks and hands each
// check its results. It belongs to one secdefaultChecks list (one Run).
type sdScan struct {
	mu     sync.Mutex
	repo   *Repo
	byRule map[string][]Result
	err    error
}

// results scans repo on the first call for it and returns the results of check id.
func (m *sdScan) results(ctx context.Context, repo *Repo, id string) ([]Result, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.repo != repo {
		m.repo = repo
		m.byRule, m.err = scanSecdefault(ctx, repo)
	}
	if m.err != nil {
		return nil, m.err
	}
	return m.byRule[id], nil
}

// scanSecdefault runs every secure-default rule on every file in scope.
func scanSecdefault(ctx context.Context, repo *Repo) (map[string][]Result, error) {
	out := map[string][]Result{}
	seen := map[[3]string]bool{}
	add := func(f sdFinding) {
		key := [3]string{f.rule, f.path, fmt.Sprint(f.line)}
		if seen[key] {
			return
		}
		seen[key] = true
		out[f.rule] = append(out[f.rule], Result{
			Outcome:   f.outcome,
			Message:   f.message,
			Locations: []Location{{Path: f.path, Line: f.line}},
			Evidence:  f.evidence,
		})
	}
	var all sdFacts
	// In a git checkout only committed files ship: a local .env or a build
	// output is the developer's, not the product's default.
	files, err := repo.CommittedFiles()
	if err != nil {
		return nil, fmt.Errorf("secure defaults: %w", err)
	}
	for _, rel := range files {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		kind := classifySecdefault(rel)
		if kind == sdSkip {
			continue
		}
		data, err := repo.ReadFile(rel)
		if err != nil {
			// Too large (generated or data files, not hand-written
			// configuration) or unreadable (gone since the walk, no
			// permission): left out, as the walk leaves out unreadable
			// entries; one file must not stop every rule.
			continue
		}
		findings, facts := scanFileFacts(rel, kind, data)
		all.proxied = append(all.proxied, facts.proxied...)
		all.listeners = append(all.listeners, facts.listeners...)
		for _, f := range findings {
			add(f)
		}
	}
	for _, f := range behindProxy(all) {
		add(f)
	}
	return out, nil
}

// maxINIKeys bounds INI files: gopkg.in/ini.v1 slows down more than
// linearly with the number of keys (a second for 10 000); php.ini has a few
// hundred, and files with thousands are generated, not settings.
const maxINIKeys = 3000

// iniTooBig counts the assignment lines of an INI file.
func iniTooBig(data []byte) bool {
	n := 0
	for _, l := range bytes.Split(data, []byte("\n")) {
		l = bytes.TrimSpace(l)
		if len(l) > 0 && l[0] != ';' && l[0] != '#' && bytes.IndexByte(l, '=') > 0 {
			if n++; n > maxINIKeys {
				return true
			}
		}
	}
	return false
}

// scanFile runs the rules for one file's kind. Files that do not parse
// (a Helm template, a half-written config) give no findings.
func scanFile(rel string, kind sdKind, data []byte) []sdFinding {
	f, _ := scanFileFacts(rel, kind, data)
	return f
}

// scanFileFacts is scanFile that also returns what the file tells about
// the product's listeners and its reverse proxy, for rules across files.
func scanFileFacts(rel string, kind sdKind, data []byte) ([]sdFinding, sdFacts) {
	s := &sdSink{path: rel}
	runCfg := func(root *cfgNode, format string) {
		if root == nil {
			return
		}
		pruneDevSections(root)
		doc := &cfgDoc{Path: rel, Format: format, Root: root}
		for _, r := range configRules {
			r(doc, s)
		}
	}
	switch kind {
	case sdYAML:
		docs, _ := parseYAML(rel, data)
		for _, root := range docs {
			envListToMap(root)
			runCfg(root, "yaml")
			doc := &cfgDoc{Path: rel, Format: "yaml", Root: root}
			switch {
			case isKubeDoc(root):
				kubeRules(doc, s)
			case isComposeDoc(rel, root):
				composeRules(doc, s)
			}
		}
	case sdJSON:
		root, err := parseJSON(rel, data)
		if err == nil {
			runCfg(root, "json")
		}
	case sdTOML:
		root, err := parseTOML(rel, data)
		if err == nil {
			runCfg(root, "toml")
		}
	case sdINI:
		if iniTooBig(data) {
			break // ini.v1 slows down on huge files; these are generated, not settings
		}
		root, err := parseINI(rel, data)
		if err == nil {
			runCfg(root, "ini")
		}
	case sdEnv:
		runCfg(parseEnv(data), "env")
	case sdProperties:
		runCfg(parseProperties(data), "properties")
	case sdConf:
		if nginxLike(data) {
			nginxRules(data, s)
		} else if iniTooBig(data) {
			// generated, not hand-written settings
		} else if root, err := parseINI(rel, data); err == nil {
			runCfg(root, "ini")
		}
	case sdRedis:
		redisRules(rel, data, s)
	case sdDockerfile:
		dockerfileRules(rel, data, s)
	case sdPython:
		pythonRules(rel, data, s)
	case sdGo:
		goRules(rel, data, s)
	case sdJS:
		jsRules(data, s)
	case sdJava:
		javaRules(data, s)
	case sdShell:
		shellRules(rel, data, s)
	}
	return s.findings, s.facts
}

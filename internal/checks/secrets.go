package checks

import (
	"bytes"
	"context"
	"fmt"
	"path"
	"regexp"
	"strings"
)

// Only high-signal credentials are looked for: formats with a fixed
// prefix and length that are almost never anything else. Tests, examples,
// fixtures and docs are left out (they are full of sample keys), so is
// anything git does not track, and so are lockfiles (their integrity
// hashes are long random strings). The working tree is read, not history.

type secretRule struct {
	name   string
	re     *regexp.Regexp
	prefix int // characters kept in the redacted evidence
	// hints are literals one of which every match contains; the regexp
	// runs only on text that has one (most files have none).
	hints []string
}

var secretRules = []secretRule{
	{name: "AWS access key ID", re: regexp.MustCompile(`\b(AKIA|ASIA)[0-9A-Z]{16}\b`), prefix: 4, hints: []string{"AKIA", "ASIA"}},
	{name: "GitHub token", re: regexp.MustCompile(`\bgh[pousr]_[A-Za-z0-9]{36}\b`), prefix: 4, hints: []string{"ghp_", "gho_", "ghu_", "ghs_", "ghr_"}},
	{name: "GitHub fine-grained token", re: regexp.MustCompile(`\bgithub_pat_[A-Za-z0-9_]{82}\b`), prefix: 11, hints: []string{"github_pat_"}},
	{name: "Slack token", re: regexp.MustCompile(`\bxox[abposr]-[0-9A-Za-z]{10,48}(-[0-9A-Za-z]{1,64}){0,4}\b`), prefix: 5, hints: []string{"xox"}},
	{name: "Slack webhook URL", re: regexp.MustCompile(`https://hooks\.slack\.com/services/T[A-Z0-9]{8,12}/B[A-Z0-9]{8,12}/[A-Za-z0-9]{24}`), prefix: 33, hints: []string{"hooks.slack.com"}},
	{name: "Google API key", re: regexp.MustCompile(`\bAIza[0-9A-Za-z_\-]{35}\b`), prefix: 4, hints: []string{"AIza"}},
	{name: "Stripe live key", re: regexp.MustCompile(`\b(sk|rk)_live_[0-9A-Za-z]{24,99}\b`), prefix: 8, hints: []string{"_live_"}},
}

// pemKeyRE is the armour line of a private key; it counts only when key
// material follows (a base64 line), so that code which merely names the
// header (a PEM parser, a test) is not reported.
var pemKeyRE = regexp.MustCompile(`-----BEGIN ((RSA|EC|DSA|OPENSSH|ENCRYPTED|PGP|SSH2) )?PRIVATE KEY( BLOCK)?-----`)

var base64LineRE = regexp.MustCompile(`^[A-Za-z0-9+/=]{40,}$`)

// lockfileNames are never scanned for tokens.
var lockfileNames = map[string]bool{
	"package-lock.json": true, "npm-shrinkwrap.json": true, "yarn.lock": true, "pnpm-lock.yaml": true,
	"bun.lock": true, "poetry.lock": true, "uv.lock": true, "pdm.lock": true, "Cargo.lock": true,
	"go.sum": true, "Gemfile.lock": true, "composer.lock": true, "Pipfile.lock": true, "packages.lock.json": true,
}

// maxSecretFindings bounds the report.
const maxSecretFindings = 100

func checkSecrets(ctx context.Context, repo *Repo) ([]Result, error) {
	files, err := repo.CommittedFiles()
	if err != nil {
		return nil, err
	}
	var out []Result
	scanned := 0
	for _, f := range files {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if repo.IsTestPath(f) || lockfileNames[path.Base(f)] {
			continue
		}
		data, err := repo.ReadFile(f)
		if err != nil {
			continue // too large or unreadable: not a config or source file
		}
		if bytes.IndexByte(data[:min(len(data), 8000)], 0) >= 0 {
			continue // binary
		}
		scanned++
		for _, fd := range findSecrets(data) {
			if len(out) == maxSecretFindings {
				// Anchored where the listing stops: the next secret is in this file.
				out = append(out, Result{Outcome: OutcomeFail, Message: fmt.Sprintf("more than %d secrets found; only the first are listed", maxSecretFindings),
					Locations: []Location{{Path: f}}})
				return out, nil
			}
			out = append(out, Result{
				Outcome:   OutcomeFail,
				Message:   fmt.Sprintf("%s committed in %s", fd.kind, f),
				Locations: []Location{{Path: f, Line: fd.line}},
				Evidence:  fd.redacted,
			})
		}
	}
	if len(out) == 0 {
		return []Result{{Outcome: OutcomePass, Message: fmt.Sprintf("no private keys or known token formats in %d file(s) (tests, examples, docs and untracked files left out)", scanned)}}, nil
	}
	return out, nil
}

type secretFinding struct {
	kind     string
	line     int
	redacted string
}

// findSecrets returns the secrets in data with 1-based line numbers and
// the matched text redacted to its prefix.
func findSecrets(data []byte) []secretFinding {
	text := string(data)
	var out []secretFinding
	lineAt := func(off int) int { return 1 + strings.Count(text[:off], "\n") }
	if strings.Contains(text, "PRIVATE KEY") {
		for _, m := range pemKeyRE.FindAllStringIndex(text, -1) {
			if pemHasKeyMaterial(text[m[1]:]) {
				out = append(out, secretFinding{kind: "private key", line: lineAt(m[0]), redacted: text[m[0]:m[1]] + " [key material redacted]"})
			}
		}
	}
	for _, r := range secretRules {
		if !containsAny(text, r.hints) {
			continue
		}
		for _, m := range r.re.FindAllStringIndex(text, -1) {
			tok := text[m[0]:m[1]]
			if placeholder(tok[min(r.prefix, len(tok)):]) {
				continue
			}
			out = append(out, secretFinding{kind: r.name, line: lineAt(m[0]), redacted: redact(tok, r.prefix)})
		}
	}
	return out
}

func containsAny(text string, subs []string) bool {
	for _, s := range subs {
		if strings.Contains(text, s) {
			return true
		}
	}
	return false
}

// pemHasKeyMaterial reports whether a base64 line follows the armour,
// after optional armour headers ("Proc-Type: ...") and blank lines.
func pemHasKeyMaterial(rest string) bool {
	lines := strings.SplitN(rest, "\n", 8)
	for i, l := range lines {
		if i == 0 && strings.TrimSpace(l) == "" {
			continue
		}
		l = strings.TrimSpace(strings.Trim(l, `"',+\`))
		l = strings.TrimSuffix(l, `\n`)
		switch {
		case l == "" || strings.Contains(l, ": "):
			continue
		case base64LineRE.MatchString(l):
			return true
		default:
			return false
		}
	}
	return false
}

// placeholder reports bodies like xxxx..., 0000..., EXAMPLE keys and other
// obviously made-up values (fewer than 8 distinct characters).
func placeholder(body string) bool {
	upper := strings.ToUpper(body)
	if strings.Contains(upper, "EXAMPLE") || strings.Contains(upper, "XXXX") || strings.Contains(upper, "DUMMY") || strings.Contains(upper, "FAKE") {
		return true
	}
	seen := map[rune]bool{}
	for _, r := range body {
		seen[r] = true
	}
	return len(seen) < 8
}

// redact keeps the first keep characters and the length.
func redact(tok string, keep int) string {
	keep = min(keep+4, len(tok)/2)
	return fmt.Sprintf("%s… (%d characters, redacted)", tok[:keep], len(tok))
}

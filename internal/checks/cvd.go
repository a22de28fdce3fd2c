package checks

import (
	"context"
	"fmt"
	"path"
	"regexp"
	"strings"
)

// securityPolicyPaths are where GitHub, GitLab and reporters look for the
// disclosure policy, in order of preference (compared case-insensitively).
var securityPolicyPaths = []string{
	"security.md", ".github/security.md", "docs/security.md", ".gitlab/security.md",
	"security.rst", "security.adoc", "security.txt.md", "security.markdown",
	".github/security.rst", "docs/security.rst",
}

var (
	emailRE = regexp.MustCompile(`(?i)\b[a-z0-9._%+-]+@[a-z0-9.-]+\.[a-z]{2,}\b`)
	urlRE   = regexp.MustCompile(`(?i)\bhttps?://[^\s<>()\[\]"']+`)
	// reportLinkRE is a relative link to a reporting form, e.g. GitHub's
	// private vulnerability reporting (../../security/advisories/new).
	reportLinkRE = regexp.MustCompile(`(?i)security/advisories/new|private vulnerability report|report a vulnerability`)
	// responseTimeRE finds a stated time frame: "within 48 hours",
	// "3 business days", "72h", "one week".
	responseTimeRE = regexp.MustCompile(`(?i)\b(\d+|one|two|three|four|five|six|seven|ten|fourteen|thirty|a)[\s-]*(\(\d+\)\s*)?(business |working |calendar )?(hours?|h|days?|weeks?|months?)\b`)
)

// findSecurityPolicy returns the path of the first disclosure policy file.
func findSecurityPolicy(repo *Repo) string {
	byLower := make(map[string]string)
	for _, f := range repo.Files {
		if strings.Count(f, "/") > 1 {
			continue
		}
		byLower[strings.ToLower(f)] = f
	}
	for _, p := range securityPolicyPaths {
		if f, ok := byLower[p]; ok {
			return f
		}
	}
	return ""
}

func checkSecurityMD(_ context.Context, repo *Repo) ([]Result, error) {
	p := findSecurityPolicy(repo)
	if p == "" {
		if pol := repo.Config.Security.Policy; strings.HasPrefix(pol, "https://") {
			return []Result{{
				Outcome:   OutcomeWarn,
				Message:   fmt.Sprintf("no SECURITY.md; craft.yaml says the policy is at %s, which craft cannot check offline: add a SECURITY.md that points to it", pol),
				Locations: []Location{{Path: "craft.yaml"}},
			}}, nil
		}
		// Point at the file the remediation asks to create.
		return []Result{{Outcome: OutcomeFail, Message: "no vulnerability disclosure policy: SECURITY.md, .github/SECURITY.md or docs/SECURITY.md not found",
			Locations: []Location{{Path: "SECURITY.md"}}}}, nil
	}
	data, err := repo.ReadFile(p)
	if err != nil {
		return nil, err
	}
	text := string(data)
	loc := []Location{{Path: p}}
	if len(strings.TrimSpace(text)) < 40 {
		return []Result{{Outcome: OutcomeFail, Message: p + " is (almost) empty", Locations: loc}}, nil
	}
	contact := ""
	switch {
	case emailRE.MatchString(text):
		contact = "e-mail " + emailRE.FindString(text)
	case reportLinkRE.MatchString(text):
		contact = "a reporting form"
	case urlRE.MatchString(text):
		contact = "URL " + urlRE.FindString(text)
	}
	if contact == "" {
		return []Result{{Outcome: OutcomeFail, Message: p + " gives no contact: add a security e-mail address or a private reporting URL", Locations: loc}}, nil
	}
	m := responseTimeRE.FindStringIndex(text)
	if m == nil {
		return []Result{{
			Outcome:   OutcomeWarn,
			Message:   fmt.Sprintf("%s names a contact (%s) but no response times: say when reporters hear back (e.g. \"within 3 working days\")", p, contact),
			Locations: loc,
		}}, nil
	}
	line := 1 + strings.Count(text[:m[0]], "\n")
	return []Result{{
		Outcome:   OutcomePass,
		Message:   fmt.Sprintf("%s names a contact (%s) and a response time (%q)", p, contact, text[m[0]:m[1]]),
		Locations: []Location{{Path: p, Line: line}},
	}}, nil
}

// findSecurityTxt returns every security.txt in the tree: the well-known
// location first, then any other file named security.txt outside tests.
func findSecurityTxt(repo *Repo) []string {
	var wellKnown, other []string
	for _, f := range repo.Files {
		if !strings.EqualFold(path.Base(f), "security.txt") {
			continue
		}
		switch {
		case strings.HasSuffix(strings.ToLower(f), ".well-known/security.txt"):
			if !repo.IsTestPath(f) {
				wellKnown = append(wellKnown, f)
			}
		case !repo.IsTestPath(f):
			other = append(other, f)
		}
	}
	return append(wellKnown, other...)
}

func checkSecurityTxt(_ context.Context, repo *Repo) ([]Result, error) {
	files := findSecurityTxt(repo)
	if len(files) == 0 {
		return []Result{{
			Outcome: OutcomeNotApplicable,
			Message: "no security.txt in the tree; if the product has a website, serve one at /.well-known/security.txt (RFC 9116)",
		}}, nil
	}
	var out []Result
	for _, f := range files {
		data, err := repo.ReadFile(f)
		if err != nil {
			return nil, err
		}
		st, problems := ParseSecurityTxt(data, repo.Now)
		var errs, warns []Problem
		for _, p := range problems {
			if p.Level == LevelError {
				errs = append(errs, p)
			} else {
				warns = append(warns, p)
			}
		}
		for _, p := range errs {
			out = append(out, Result{Outcome: OutcomeFail, Message: f + ": " + problemText(p), Locations: []Location{{Path: f, Line: p.Line}}})
		}
		for _, p := range warns {
			out = append(out, Result{Outcome: OutcomeWarn, Message: f + ": " + problemText(p), Locations: []Location{{Path: f, Line: p.Line}}})
		}
		if len(errs) == 0 {
			msg := fmt.Sprintf("%s is valid: contact %s, expires %s", f, strings.Join(st.Contact, ", "), st.Expires.UTC().Format("2006-01-02"))
			if len(st.Policy) == 0 {
				msg += "; it has no Policy link to the disclosure policy"
			}
			out = append(out, Result{Outcome: OutcomePass, Message: msg, Locations: []Location{{Path: f}}})
		}
	}
	return out, nil
}

func problemText(p Problem) string {
	if p.Field != "" {
		return p.Field + ": " + p.Message
	}
	return p.Message
}

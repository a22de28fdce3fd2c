package checks

import (
	"bytes"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"
)

// RFC 9116 security.txt validation. The format is a line format: fields
// "Name: value", comments "#...", blank lines, and an optional OpenPGP
// cleartext signature around it all. The validator follows the ABNF of
// RFC 9116 §4 and the field rules of §2.5; it does not verify signatures
// (that needs the key, and offline we have none).

// maxSecurityTxtSize bounds the input; real files are a few hundred bytes.
const maxSecurityTxtSize = 64 << 10

// ProblemLevel says whether a problem breaks RFC 9116 (error) or goes
// against one of its recommendations (warning).
type ProblemLevel string

// Problem levels.
const (
	LevelError   ProblemLevel = "error"
	LevelWarning ProblemLevel = "warning"
)

// Problem is one finding of [ValidateSecurityTxt]. Line is 1-based in the
// input (0 for the file as a whole); Field is the field name as the RFC
// spells it, empty for syntax problems.
type Problem struct {
	Line    int          `json:"line,omitempty"`
	Field   string       `json:"field,omitempty"`
	Level   ProblemLevel `json:"level"`
	Message string       `json:"message"`
}

func (p Problem) String() string {
	s := string(p.Level) + ": "
	if p.Line > 0 {
		s += fmt.Sprintf("line %d: ", p.Line)
	}
	if p.Field != "" {
		s += p.Field + ": "
	}
	return s + p.Message
}

// SecurityTxt is the content of a parsed security.txt. Repeated fields
// keep their order (Contact order is priority, RFC 9116 §2.5.3).
type SecurityTxt struct {
	Signed             bool
	Contact            []string
	Expires            time.Time
	Encryption         []string
	Acknowledgments    []string
	Canonical          []string
	Policy             []string
	Hiring             []string
	CSAF               []string
	PreferredLanguages []string
}

// secTxtField is a field line (continuation lines folded in).
type secTxtField struct {
	line  int
	name  string // as written
	value string
}

// knownSecTxtFields maps the lower-case field name to its RFC spelling.
var knownSecTxtFields = map[string]string{
	"acknowledgments":     "Acknowledgments",
	"canonical":           "Canonical",
	"contact":             "Contact",
	"encryption":          "Encryption",
	"expires":             "Expires",
	"hiring":              "Hiring",
	"policy":              "Policy",
	"preferred-languages": "Preferred-Languages",
	"csaf":                "CSAF",
}

// ValidateSecurityTxt checks data against RFC 9116 at time now and returns
// the problems found, errors and warnings, in line order. No problem of
// level error means the file is valid.
func ValidateSecurityTxt(data []byte, now time.Time) []Problem {
	_, problems := ParseSecurityTxt(data, now)
	return problems
}

// ParseSecurityTxt parses and validates data (see [ValidateSecurityTxt]).
// It returns what it could read even when there are errors.
func ParseSecurityTxt(data []byte, now time.Time) (*SecurityTxt, []Problem) {
	var p secTxtParser
	st := &SecurityTxt{}
	if len(data) > maxSecurityTxtSize {
		p.errorf(0, "", "file is larger than %d bytes", maxSecurityTxtSize)
		return st, p.problems
	}
	if !utf8.Valid(data) {
		p.errorf(0, "", "file is not valid UTF-8")
		return st, p.problems
	}
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	lines := splitLines(data)
	body, first, signed := p.unwrapSignature(lines)
	st.Signed = signed
	fields := p.fields(body, first)
	p.interpret(st, fields, now)
	return st, p.problems
}

type secTxtParser struct {
	problems []Problem
}

func (p *secTxtParser) errorf(line int, field, format string, args ...any) {
	p.problems = append(p.problems, Problem{Line: line, Field: field, Level: LevelError, Message: fmt.Sprintf(format, args...)})
}

func (p *secTxtParser) warnf(line int, field, format string, args ...any) {
	p.problems = append(p.problems, Problem{Line: line, Field: field, Level: LevelWarning, Message: fmt.Sprintf(format, args...)})
}

// splitLines splits on LF and drops one CR before it (eol = *WSP [CR] LF).
func splitLines(data []byte) []string {
	s := string(data)
	s = strings.TrimSuffix(s, "\n")
	if s == "" {
		return nil
	}
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimSuffix(l, "\r")
	}
	return lines
}

const (
	pgpSignedHeader = "-----BEGIN PGP SIGNED MESSAGE-----"
	pgpSigHeader    = "-----BEGIN PGP SIGNATURE-----"
	pgpSigTail      = "-----END PGP SIGNATURE-----"
)

// unwrapSignature strips an OpenPGP cleartext signature (RFC 4880 §7) and
// returns the dash-unescaped body, the line number of its first line and
// whether the file was signed. An unsigned file is returned as it is.
func (p *secTxtParser) unwrapSignature(lines []string) (body []string, first int, signed bool) {
	start := 0
	for start < len(lines) && strings.TrimSpace(lines[start]) == "" {
		start++
	}
	if start == len(lines) || strings.TrimRight(lines[start], " \t") != pgpSignedHeader {
		for i, l := range lines {
			if strings.HasPrefix(l, "-----BEGIN PGP ") {
				p.errorf(i+1, "", "OpenPGP armour without a %q header", pgpSignedHeader)
				return lines[:i], 1, false
			}
		}
		return lines, 1, false
	}
	i := start + 1
	hashes := 0
	for ; i < len(lines) && strings.TrimSpace(lines[i]) != ""; i++ {
		if !strings.HasPrefix(lines[i], "Hash: ") {
			p.errorf(i+1, "", "signed message: expected %q armour header", "Hash: ")
			continue
		}
		hashes++
	}
	if hashes == 0 {
		p.warnf(start+1, "", "signed message without a Hash: header")
	}
	i++ // the blank line after the armour headers
	bodyStart := i
	sigStart := -1
	for j := i; j < len(lines); j++ {
		if strings.TrimRight(lines[j], " \t") == pgpSigHeader {
			sigStart = j
			break
		}
	}
	if sigStart < 0 {
		p.errorf(len(lines), "", "signed message without %q", pgpSigHeader)
		sigStart = len(lines)
	} else {
		end := -1
		for j := sigStart + 1; j < len(lines); j++ {
			if strings.TrimRight(lines[j], " \t") == pgpSigTail {
				end = j
				break
			}
		}
		if end < 0 {
			p.errorf(len(lines), "", "signature without %q", pgpSigTail)
		} else {
			for j := end + 1; j < len(lines); j++ {
				if strings.TrimSpace(lines[j]) != "" {
					p.errorf(j+1, "", "text after the signature is not covered by it")
					break
				}
			}
		}
	}
	if bodyStart > sigStart {
		bodyStart = sigStart
	}
	body = make([]string, 0, sigStart-bodyStart)
	for _, l := range lines[bodyStart:sigStart] {
		body = append(body, strings.TrimPrefix(l, "- "))
	}
	return body, bodyStart + 1, true
}

// fieldNameRE is RFC 5322 field-name: printable ASCII except ":".
var fieldNameRE = regexp.MustCompile(`^[!-9;-~]+$`)

// fields reads field lines, skipping comments and blank lines. A line that
// starts with white space continues the previous extension field (RFC 5322
// folding of "unstructured").
func (p *secTxtParser) fields(lines []string, first int) []secTxtField {
	var out []secTxtField
	lastExt := false
	for i, raw := range lines {
		n := first + i
		line := strings.TrimRight(raw, " \t")
		switch {
		case line == "":
			continue
		case line[0] == '#':
			lastExt = false
			continue
		case line[0] == ' ' || line[0] == '\t':
			if lastExt {
				out[len(out)-1].value += " " + strings.TrimSpace(line)
				continue
			}
			p.errorf(n, "", "line starts with white space but does not continue a field")
			continue
		}
		name, value, ok := strings.Cut(line, ":")
		if !ok || !fieldNameRE.MatchString(name) {
			p.errorf(n, "", "not a field (Name: value) or a comment (#)")
			lastExt = false
			continue
		}
		canon, known := knownSecTxtFields[strings.ToLower(name)]
		switch {
		case strings.HasPrefix(value, " "):
			value = value[1:]
		case value == "" && !known:
		default:
			p.warnf(n, canonOr(canon, name), "a single space must follow the colon")
		}
		value = strings.Trim(value, " \t")
		out = append(out, secTxtField{line: n, name: name, value: value})
		lastExt = !known
	}
	return out
}

func canonOr(canon, name string) string {
	if canon != "" {
		return canon
	}
	return name
}

// langTagRE is the shape of a BCP 47 language tag (RFC 5646); the
// registry of subtags is not checked.
var langTagRE = regexp.MustCompile(`^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$`)

func (p *secTxtParser) interpret(st *SecurityTxt, fields []secTxtField, now time.Time) {
	expiresSeen, langSeen := 0, 0
	for _, f := range fields {
		canon, known := knownSecTxtFields[strings.ToLower(f.name)]
		if !known {
			continue // extension fields are ignored (RFC 9116 §2.4)
		}
		switch canon {
		case "Contact":
			if p.uri(f, canon, true) {
				st.Contact = append(st.Contact, f.value)
			}
		case "Expires":
			expiresSeen++
			if expiresSeen > 1 {
				p.errorf(f.line, canon, "Expires must appear exactly once")
				continue
			}
			t, err := time.Parse(time.RFC3339, strings.ToUpper(f.value))
			if err != nil {
				p.errorf(f.line, canon, "%q is not an RFC 3339 date-time", f.value)
				continue
			}
			st.Expires = t
			switch {
			case !t.After(now):
				p.errorf(f.line, canon, "expired on %s", t.UTC().Format(time.RFC3339))
			case t.After(now.AddDate(1, 0, 0)):
				p.warnf(f.line, canon, "%s is more than a year ahead; RFC 9116 recommends less, so that the file is reviewed", t.UTC().Format(time.DateOnly))
			}
		case "Encryption":
			if p.uri(f, canon, false) {
				st.Encryption = append(st.Encryption, f.value)
			}
		case "Acknowledgments":
			if p.uri(f, canon, false) {
				st.Acknowledgments = append(st.Acknowledgments, f.value)
			}
		case "Canonical":
			if p.uri(f, canon, false) {
				st.Canonical = append(st.Canonical, f.value)
			}
		case "Policy":
			if p.uri(f, canon, false) {
				st.Policy = append(st.Policy, f.value)
			}
		case "Hiring":
			if p.uri(f, canon, false) {
				st.Hiring = append(st.Hiring, f.value)
			}
		case "CSAF":
			if !p.uri(f, canon, false) {
				continue
			}
			u, _ := url.Parse(f.value)
			if u.Scheme != "https" || !strings.HasSuffix(u.Path, "/provider-metadata.json") {
				p.errorf(f.line, canon, "%q must be an https URI of a provider-metadata.json (CSAF 2.0 §7.1.8)", f.value)
				continue
			}
			st.CSAF = append(st.CSAF, f.value)
		case "Preferred-Languages":
			langSeen++
			if langSeen > 1 {
				p.errorf(f.line, canon, "Preferred-Languages must appear at most once")
				continue
			}
			for _, tag := range strings.Split(f.value, ",") {
				tag = strings.Trim(tag, " \t")
				if !langTagRE.MatchString(tag) {
					p.errorf(f.line, canon, "%q is not a language tag (RFC 5646)", tag)
					continue
				}
				st.PreferredLanguages = append(st.PreferredLanguages, tag)
			}
		}
	}
	if len(st.Contact) == 0 && !p.hasErrorFor("Contact") {
		p.errorf(0, "Contact", "required field missing")
	}
	if expiresSeen == 0 {
		p.errorf(0, "Expires", "required field missing")
	}
}

func (p *secTxtParser) hasErrorFor(field string) bool {
	for _, pr := range p.problems {
		if pr.Field == field && pr.Level == LevelError {
			return true
		}
	}
	return false
}

// uri checks that f.value is an absolute RFC 3986 URI and that a web URI
// uses https (RFC 9116 §2.5). For Contact, an e-mail address or a phone
// number needs its mailto: or tel: scheme.
func (p *secTxtParser) uri(f secTxtField, field string, contact bool) bool {
	v := f.value
	if v == "" {
		p.errorf(f.line, field, "empty value; a URI is required")
		return false
	}
	if bad := strings.IndexFunc(v, notURIChar); bad >= 0 {
		p.errorf(f.line, field, "%q is not a URI: character %q is not allowed", v, v[bad:bad+utf8.RuneLen([]rune(v[bad:])[0])])
		return false
	}
	u, err := url.Parse(v)
	if err != nil || u.Scheme == "" {
		if contact && strings.Contains(v, "@") && !strings.Contains(v, ":") {
			p.errorf(f.line, field, "%q: an e-mail address needs the mailto: scheme", v)
		} else {
			p.errorf(f.line, field, "%q is not an absolute URI", v)
		}
		return false
	}
	switch strings.ToLower(u.Scheme) {
	case "https":
		if u.Host == "" {
			p.errorf(f.line, field, "%q has no host", v)
			return false
		}
	case "http":
		p.errorf(f.line, field, "%q: web URIs must use https", v)
		return false
	case "mailto":
		if contact && !strings.Contains(u.Opaque, "@") {
			p.errorf(f.line, field, "%q is not an e-mail address", v)
			return false
		}
	case "tel":
	default:
		if contact {
			p.warnf(f.line, field, "%q: unusual scheme for a contact; use mailto:, https: or tel:", v)
		}
	}
	return true
}

// notURIChar reports characters RFC 3986 does not allow anywhere in a URI.
func notURIChar(r rune) bool {
	if r > 0x7e || r <= 0x20 {
		return true
	}
	return strings.ContainsRune("<>\"{}|\\^`", r)
}

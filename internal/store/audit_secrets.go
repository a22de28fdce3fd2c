package store

import (
	"sort"
	"strings"
)

// FindSecretLike lists the detail keys of e (and "actor", "target") whose
// name or value looks like a secret: a key naming a password, token,
// secret or code, or a long unbroken run of letters and digits such as a
// random token or a hash. Tests of the callers of AppendAudit use it to
// show that no secret reaches the audit log; it is a heuristic, not a
// filter.
func FindSecretLike(e Event) []string {
	var out []string
	for k, v := range e.Detail {
		if secretKey(k) || secretLike(v) {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	if secretLike(e.Actor) {
		out = append(out, "actor")
	}
	if secretLike(e.Target) {
		out = append(out, "target")
	}
	return out
}

func secretKey(k string) bool {
	lk := strings.ToLower(k)
	for _, bad := range []string{"password", "passwd", "secret", "token", "recovery", "totp", "otp_code", "cookie", "authorization"} {
		if strings.Contains(lk, bad) {
			return true
		}
	}
	return false
}

// secretLike reports a run of 24 or more characters from the base64url,
// base64 or hex alphabets that mixes letters and digits. craft's own IDs
// (32 lower-case hex digits, as in "user:<id>") are not counted.
func secretLike(v string) bool {
	for _, f := range strings.FieldsFunc(v, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '+' || r == '/' || r == '=')
	}) {
		if len(f) < 24 {
			continue
		}
		if len(f) == 32 && strings.Trim(f, "0123456789abcdef") == "" {
			continue // a craft ID
		}
		if strings.ContainsAny(f, "0123456789") && strings.IndexFunc(f, func(r rune) bool { return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' }) >= 0 {
			return true
		}
	}
	return false
}

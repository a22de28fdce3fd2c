package auth

import (
	"bufio"
	"bytes"
	"compress/gzip"
	_ "embed"
	"errors"
	"fmt"
	"strings"
	"sync"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Password length limits in Unicode code points after NFKC normalisation
// (NIST SP 800-63B §3.1.1.2: at least 8, and at least 15 where the password
// is the only factor; craft asks 12 and adds MFA; at least 64 allowed).
const (
	MinPasswordLength = 12
	MaxPasswordLength = 256
)

// ErrPasswordPolicy is matched by every *PasswordError.
var ErrPasswordPolicy = errors.New("auth: password does not meet the policy")

// PasswordError says why a new password was refused, in words a user can
// act on.
type PasswordError struct{ Reason string }

func (e *PasswordError) Error() string { return "password refused: " + e.Reason }

// Is makes errors.Is(err, ErrPasswordPolicy) true.
func (e *PasswordError) Is(target error) bool { return target == ErrPasswordPolicy }

//go:embed common_passwords.txt.gz
var commonPasswordsGz []byte

// commonPasswords is the decoded list, built once on first use. It is
// immutable after that; the sync.Once only defers the cost.
var commonPasswords = sync.OnceValues(func() (map[string]struct{}, error) {
	zr, err := gzip.NewReader(bytes.NewReader(commonPasswordsGz))
	if err != nil {
		return nil, fmt.Errorf("auth: common password list: %w", err)
	}
	defer zr.Close()
	set := make(map[string]struct{}, 16384)
	sc := bufio.NewScanner(zr)
	for sc.Scan() {
		if line := sc.Text(); line != "" {
			set[line] = struct{}{}
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("auth: common password list: %w", err)
	}
	return set, nil
})

// CommonPasswordCount is the number of entries in the embedded list.
func CommonPasswordCount() (int, error) {
	set, err := commonPasswords()
	return len(set), err
}

// NormalizePassword is the form of a password that is checked and hashed:
// Unicode NFKC (NIST SP 800-63B §3.1.1.2), so the same password typed on
// different keyboards matches.
func NormalizePassword(pw string) string { return norm.NFKC.String(pw) }

// CheckPassword applies the password policy to a new password of the
// account with this e-mail address: 12 to 256 characters, not on the list
// of common and breached passwords (compared without regard to case), and
// not containing the e-mail's local part (when it has at least 3
// characters) or the word "craft". There are no composition rules.
func CheckPassword(pw, email string) error {
	if !utf8.ValidString(pw) {
		return &PasswordError{Reason: "it is not valid UTF-8 text"}
	}
	n := NormalizePassword(pw)
	switch l := utf8.RuneCountInString(n); {
	case l < MinPasswordLength:
		return &PasswordError{Reason: fmt.Sprintf("it has %d characters; use at least %d (a few unrelated words make a good one)", l, MinPasswordLength)}
	case l > MaxPasswordLength:
		return &PasswordError{Reason: fmt.Sprintf("it has %d characters; use at most %d", l, MaxPasswordLength)}
	}
	lower := strings.ToLower(n)
	set, err := commonPasswords()
	if err != nil {
		return err
	}
	if _, bad := set[lower]; bad {
		return &PasswordError{Reason: "it is on a list of common or breached passwords"}
	}
	if strings.Contains(lower, "craft") {
		return &PasswordError{Reason: `it contains the name of this service ("craft")`}
	}
	if local := emailLocalPart(email); utf8.RuneCountInString(local) >= 3 && strings.Contains(lower, local) {
		return &PasswordError{Reason: "it contains your e-mail address"}
	}
	return nil
}

// emailLocalPart is the part before the last "@", normalised and lower
// case.
func emailLocalPart(email string) string {
	email = strings.TrimSpace(email)
	if i := strings.LastIndexByte(email, '@'); i >= 0 {
		email = email[:i]
	}
	return strings.ToLower(norm.NFKC.String(email))
}

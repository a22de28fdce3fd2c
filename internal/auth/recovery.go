package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
)

// Recovery codes: RecoveryCodeCount single-use codes of 16 characters from
// Crockford's base32 alphabet (80 random bits each), shown once as
// XXXX-XXXX-XXXX-XXXX and stored as SHA-256. 80 bits make a fast hash
// safe: no offline search can cover that space.
const (
	RecoveryCodeCount = 10
	recoveryCodeLen   = 16
	crockford         = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
)

// newRecoveryCodes returns fresh codes for display and their hashes for
// storage.
func newRecoveryCodes() (codes, hashes []string, err error) {
	for range RecoveryCodeCount {
		var b [recoveryCodeLen]byte
		if _, err := rand.Read(b[:]); err != nil {
			return nil, nil, fmt.Errorf("auth: recovery codes: %w", err)
		}
		var sb strings.Builder
		for i, x := range b {
			if i > 0 && i%4 == 0 {
				sb.WriteByte('-')
			}
			sb.WriteByte(crockford[x&31])
		}
		code := sb.String()
		norm, _ := normalizeRecoveryCode(code)
		codes = append(codes, code)
		hashes = append(hashes, sha256Hex(norm))
	}
	return codes, hashes, nil
}

// normalizeRecoveryCode accepts what a person types: any case, dashes and
// spaces, and the letters Crockford's alphabet reads as digits (O → 0,
// I and L → 1). ok is false when the result is not 16 alphabet characters.
func normalizeRecoveryCode(s string) (string, bool) {
	var sb strings.Builder
	for _, r := range strings.ToUpper(s) {
		switch r {
		case '-', ' ':
			continue
		case 'O':
			r = '0'
		case 'I', 'L':
			r = '1'
		}
		if !strings.ContainsRune(crockford, r) {
			return "", false
		}
		sb.WriteRune(r)
	}
	if sb.Len() != recoveryCodeLen {
		return "", false
	}
	return sb.String(), true
}

// sha256Hex is the stored form of a high-entropy secret (session and API
// tokens, recovery and setup codes).
func sha256Hex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

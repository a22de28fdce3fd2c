package auth

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
)

// secretBytes is the length of every random bearer secret: session
// tokens, API tokens and setup tokens (256 bits).
const secretBytes = 32

// newSecret returns 32 random bytes as unpadded base64url (43 characters).
func newSecret() (string, error) {
	var b [secretBytes]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("auth: random token: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b[:]), nil
}

// validSecret reports whether s is exactly what newSecret makes.
func validSecret(s string) bool {
	if len(s) != base64.RawURLEncoding.EncodedLen(secretBytes) {
		return false
	}
	b, err := base64.RawURLEncoding.Strict().DecodeString(s)
	return err == nil && len(b) == secretBytes
}

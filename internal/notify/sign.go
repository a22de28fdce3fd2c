package notify

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Webhook signatures follow the Standard Webhooks specification
// (https://www.standardwebhooks.com): the signed content is
// "<webhook-id>.<webhook-timestamp>.<body>", the signature is
// "v1,<base64 HMAC-SHA256>", and the secret is "whsec_<base64 key>". It was
// chosen over a GitHub-style body-only signature because the timestamp and
// the delivery ID are inside the signed content, so a receiver can reject
// replays, and because receivers find libraries for it in most languages.
const (
	// HeaderID, HeaderTimestamp and HeaderSignature are the Standard
	// Webhooks headers.
	HeaderID        = "webhook-id"
	HeaderTimestamp = "webhook-timestamp"
	HeaderSignature = "webhook-signature"
	// HeaderEvent and HeaderDelivery are craft's own: the notification
	// kind and the delivery ID (equal to webhook-id).
	HeaderEvent    = "X-Craft-Event"
	HeaderDelivery = "X-Craft-Delivery"

	// SecretPrefix starts every webhook secret.
	SecretPrefix = "whsec_"
	// secretKeyBytes is the size of a generated key.
	secretKeyBytes = 32
	// minSecretKeyBytes is the smallest key a supplied secret may hold.
	minSecretKeyBytes = 24
	// maxSecretKeyBytes is the largest (the spec's upper bound is 64).
	maxSecretKeyBytes = 64
	// DefaultTolerance is how far a timestamp may lie from the receiver's
	// clock before Verify refuses it.
	DefaultTolerance = 5 * time.Minute
)

// ErrSignature is returned by Verify for a missing, malformed, stale or
// wrong signature.
var ErrSignature = errors.New("notify: webhook signature does not verify")

// GenerateSecret returns a new "whsec_…" secret with a 32-byte random key.
func GenerateSecret() (string, error) {
	b := make([]byte, secretKeyBytes)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("notify: generate secret: %w", err)
	}
	return SecretPrefix + base64.StdEncoding.EncodeToString(b), nil
}

// ParseSecret returns the key of a "whsec_<base64>" secret; it names what
// is wrong with a bad one.
func ParseSecret(secret string) ([]byte, error) {
	rest, ok := strings.CutPrefix(secret, SecretPrefix)
	if !ok {
		return nil, fmt.Errorf("secret: must start with %q followed by base64", SecretPrefix)
	}
	key, err := base64.StdEncoding.DecodeString(rest)
	if err != nil {
		return nil, fmt.Errorf("secret: the part after %q is not standard base64", SecretPrefix)
	}
	if len(key) < minSecretKeyBytes || len(key) > maxSecretKeyBytes {
		return nil, fmt.Errorf("secret: key has %d bytes, want %d to %d", len(key), minSecretKeyBytes, maxSecretKeyBytes)
	}
	return key, nil
}

// Sign is the webhook-signature header value for one delivery.
func Sign(key []byte, id string, ts time.Time, body []byte) string {
	return "v1," + base64.StdEncoding.EncodeToString(mac(key, id, strconv.FormatInt(ts.Unix(), 10), body))
}

func mac(key []byte, id, ts string, body []byte) []byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(id))
	h.Write([]byte{'.'})
	h.Write([]byte(ts))
	h.Write([]byte{'.'})
	h.Write(body)
	return h.Sum(nil)
}

// Verify checks a delivery as a receiver would: the timestamp (Unix
// seconds) within tolerance of now, and one of the space-separated
// signatures in sigHeader matching. It is what craft's own tests use and
// what docs/notifications.md shows receivers.
func Verify(key []byte, id, ts string, body []byte, sigHeader string, now time.Time, tolerance time.Duration) error {
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return fmt.Errorf("%w: timestamp %q is not Unix seconds", ErrSignature, ts)
	}
	if d := now.Sub(time.Unix(sec, 0)); d > tolerance || d < -tolerance {
		return fmt.Errorf("%w: timestamp is %s away from now", ErrSignature, d.Round(time.Second))
	}
	want := mac(key, id, ts, body)
	for _, s := range strings.Fields(sigHeader) {
		v, ok := strings.CutPrefix(s, "v1,")
		if !ok {
			continue
		}
		got, err := base64.StdEncoding.DecodeString(v)
		if err == nil && hmac.Equal(got, want) {
			return nil
		}
	}
	return ErrSignature
}

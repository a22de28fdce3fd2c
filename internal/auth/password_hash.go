package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Argon2Params are the argon2id cost parameters (RFC 9106).
type Argon2Params struct {
	Memory  uint32 // KiB
	Time    uint32 // iterations
	Threads uint8
	SaltLen uint32 // bytes
	KeyLen  uint32 // bytes
}

// DefaultArgon2Params are OWASP's Password Storage Cheat Sheet
// parameters for argon2id: 19 MiB, 2 iterations, 1 lane, 16-byte salt,
// 32-byte hash.
func DefaultArgon2Params() Argon2Params {
	return Argon2Params{Memory: 19 * 1024, Time: 2, Threads: 1, SaltLen: 16, KeyLen: 32}
}

// Bounds on parameters read from a stored hash, so that a corrupted or
// hostile row cannot make a verification take minutes or gigabytes.
const (
	maxArgonMemory  = 1 << 20 // 1 GiB in KiB
	maxArgonTime    = 64
	maxArgonThreads = 64
	minSaltLen      = 8
	maxSaltLen      = 64
	minKeyLen       = 16
	maxKeyLen       = 64
	maxPHCLen       = 512
)

// ErrMalformedHash means a stored password hash is not a PHC argon2id
// string craft can read.
var ErrMalformedHash = errors.New("auth: malformed password hash")

var b64 = base64.RawStdEncoding

// PasswordHasher hashes and verifies passwords with argon2id.
type PasswordHasher struct {
	Params Argon2Params
}

// NewPasswordHasher uses [DefaultArgon2Params].
func NewPasswordHasher() *PasswordHasher { return &PasswordHasher{Params: DefaultArgon2Params()} }

// Hash returns the PHC string of the normalised password with a fresh
// random salt: $argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash> (unpadded
// standard base64, as the reference implementation writes).
func (h *PasswordHasher) Hash(pw string) (string, error) {
	p := h.Params
	if err := p.check(); err != nil {
		return "", err
	}
	salt := make([]byte, p.SaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("auth: hash password: salt: %w", err)
	}
	key := argon2.IDKey([]byte(NormalizePassword(pw)), salt, p.Time, p.Memory, p.Threads, p.KeyLen)
	return encodePHC(p, salt, key), nil
}

// Verify reports whether pw matches the stored PHC string, comparing in
// constant time with the parameters written in the string.
func (h *PasswordHasher) Verify(encoded, pw string) (bool, error) {
	p, salt, want, err := ParsePHC(encoded)
	if err != nil {
		return false, err
	}
	got := argon2.IDKey([]byte(NormalizePassword(pw)), salt, p.Time, p.Memory, p.Threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// NeedsRehash reports whether a stored hash was made with weaker
// parameters than h's (or cannot be read), so that the server rehashes
// the password after the next successful sign-in.
func (h *PasswordHasher) NeedsRehash(encoded string) bool {
	p, _, _, err := ParsePHC(encoded)
	if err != nil {
		return true
	}
	want := h.Params
	return p.Memory < want.Memory || p.Time < want.Time || p.Threads < want.Threads ||
		p.SaltLen < want.SaltLen || p.KeyLen < want.KeyLen
}

func (p Argon2Params) check() error {
	if p.Memory < 8*uint32(p.Threads) || p.Memory > maxArgonMemory || p.Time < 1 || p.Time > maxArgonTime ||
		p.Threads < 1 || p.Threads > maxArgonThreads || p.SaltLen < minSaltLen || p.SaltLen > maxSaltLen ||
		p.KeyLen < minKeyLen || p.KeyLen > maxKeyLen {
		return fmt.Errorf("%w: argon2id parameters out of range: %+v", ErrInvalidInput, p)
	}
	return nil
}

func encodePHC(p Argon2Params, salt, key []byte) string {
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, p.Memory, p.Time, p.Threads, b64.EncodeToString(salt), b64.EncodeToString(key))
}

// ParsePHC reads $argon2id$v=19$m=M,t=T,p=P$salt$hash. It accepts only
// argon2id version 19 with parameters within sane bounds, in this order.
func ParsePHC(s string) (Argon2Params, []byte, []byte, error) {
	var p Argon2Params
	if len(s) > maxPHCLen {
		return p, nil, nil, fmt.Errorf("%w: too long", ErrMalformedHash)
	}
	parts := strings.Split(s, "$")
	if len(parts) != 6 || parts[0] != "" {
		return p, nil, nil, fmt.Errorf("%w: want 5 $-separated fields", ErrMalformedHash)
	}
	if parts[1] != "argon2id" {
		return p, nil, nil, fmt.Errorf("%w: algorithm %q is not argon2id", ErrMalformedHash, parts[1])
	}
	if parts[2] != "v="+strconv.Itoa(argon2.Version) {
		return p, nil, nil, fmt.Errorf("%w: version %q is not v=19", ErrMalformedHash, parts[2])
	}
	kv := strings.Split(parts[3], ",")
	if len(kv) != 3 {
		return p, nil, nil, fmt.Errorf("%w: want m=,t=,p=", ErrMalformedHash)
	}
	m, err1 := phcUint(kv[0], "m=", maxArgonMemory)
	t, err2 := phcUint(kv[1], "t=", maxArgonTime)
	th, err3 := phcUint(kv[2], "p=", maxArgonThreads)
	if err := errors.Join(err1, err2, err3); err != nil {
		return p, nil, nil, err
	}
	salt, err := b64.Strict().DecodeString(parts[4])
	if err != nil || len(salt) < minSaltLen || len(salt) > maxSaltLen {
		return p, nil, nil, fmt.Errorf("%w: salt", ErrMalformedHash)
	}
	key, err := b64.Strict().DecodeString(parts[5])
	if err != nil || len(key) < minKeyLen || len(key) > maxKeyLen {
		return p, nil, nil, fmt.Errorf("%w: hash", ErrMalformedHash)
	}
	p = Argon2Params{Memory: uint32(m), Time: uint32(t), Threads: uint8(th), SaltLen: uint32(len(salt)), KeyLen: uint32(len(key))}
	if p.Time < 1 || p.Threads < 1 || p.Memory < 8*uint32(p.Threads) {
		return Argon2Params{}, nil, nil, fmt.Errorf("%w: parameters out of range", ErrMalformedHash)
	}
	return p, salt, key, nil
}

func phcUint(s, prefix string, max uint64) (uint64, error) {
	v, ok := strings.CutPrefix(s, prefix)
	if !ok || v == "" || (len(v) > 1 && v[0] == '0') {
		return 0, fmt.Errorf("%w: want %s<number>", ErrMalformedHash, prefix)
	}
	n, err := strconv.ParseUint(v, 10, 32)
	if err != nil || n > max {
		return 0, fmt.Errorf("%w: %s out of range", ErrMalformedHash, prefix)
	}
	return n, nil
}

package auth

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"errors"
	"fmt"
)

// SealerKeySize is the AES-256 key length in bytes.
const SealerKeySize = 32

// sealVersion is the first byte of every sealed value, so the format (or
// the key) can change later without guessing.
const sealVersion byte = 1

// ErrUnseal means a sealed value could not be opened: wrong key, a value
// moved to another row, or tampering.
var ErrUnseal = errors.New("auth: cannot open sealed value")

// Sealer encrypts small secrets (TOTP secrets) for storage with
// AES-256-GCM, under a key the server keeps in its data folder and not in
// the database, so that a leaked database alone does not reveal them.
type Sealer struct {
	aead cipher.AEAD
}

// NewSealer takes a 32-byte key (see [LoadOrCreateKey]).
func NewSealer(key []byte) (*Sealer, error) {
	if len(key) != SealerKeySize {
		return nil, fmt.Errorf("%w: sealer key has %d bytes, want %d", ErrInvalidInput, len(key), SealerKeySize)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("auth: sealer: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("auth: sealer: %w", err)
	}
	return &Sealer{aead: aead}, nil
}

// Seal encrypts plaintext bound to context (for example "totp:"+userID),
// so that a sealed value copied to another user's row does not open.
// The result is version byte ‖ 12-byte random nonce ‖ ciphertext and tag.
func (s *Sealer) Seal(plaintext, context []byte) ([]byte, error) {
	out := make([]byte, 1+s.aead.NonceSize(), 1+s.aead.NonceSize()+len(plaintext)+s.aead.Overhead())
	out[0] = sealVersion
	if _, err := rand.Read(out[1:]); err != nil {
		return nil, fmt.Errorf("auth: seal: nonce: %w", err)
	}
	return s.aead.Seal(out, out[1:], plaintext, context), nil
}

// Open decrypts a value made by Seal with the same context.
func (s *Sealer) Open(sealed, context []byte) ([]byte, error) {
	ns := s.aead.NonceSize()
	if len(sealed) < 1+ns+s.aead.Overhead() || sealed[0] != sealVersion {
		return nil, ErrUnseal
	}
	pt, err := s.aead.Open(nil, sealed[1:1+ns], sealed[1+ns:], context)
	if err != nil {
		return nil, ErrUnseal
	}
	return pt, nil
}

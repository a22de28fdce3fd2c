package server

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/armor"
	"github.com/ProtonMail/go-crypto/openpgp/packet"
)

// AdvisorySigner makes the OpenPGP detached signatures (.asc) of published
// CSAF documents (CSAF 2.0 requirement 19) and serves the public key they
// verify with (requirement 20). It holds the decrypted private key in
// memory only; the key file stays encrypted on disk.
type AdvisorySigner struct {
	entity      *openpgp.Entity
	publicKey   []byte
	fingerprint string
}

// maxSigningKeyFile bounds the key file read at start.
const maxSigningKeyFile = 1 << 20

// LoadAdvisorySigner reads an armored OpenPGP private key from path and
// decrypts it with passphrase (empty for a key without one). The error
// names the file, never the passphrase.
func LoadAdvisorySigner(path string, passphrase []byte) (*AdvisorySigner, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("csaf signing key: %w", err)
	}
	if fi.Size() > maxSigningKeyFile {
		return nil, fmt.Errorf("csaf signing key %s: larger than %d bytes; want one armored private key", path, maxSigningKeyFile)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("csaf signing key: %w", err)
	}
	s, err := NewAdvisorySigner(data, passphrase)
	if err != nil {
		return nil, fmt.Errorf("csaf signing key %s: %w", path, err)
	}
	return s, nil
}

// NewAdvisorySigner is LoadAdvisorySigner for key bytes already read.
func NewAdvisorySigner(armored, passphrase []byte) (*AdvisorySigner, error) {
	keys, err := openpgp.ReadArmoredKeyRing(bytes.NewReader(armored))
	if err != nil {
		return nil, fmt.Errorf("not an armored OpenPGP key: %w", err)
	}
	if len(keys) != 1 {
		return nil, fmt.Errorf("the file holds %d keys; want exactly one", len(keys))
	}
	e := keys[0]
	if e.PrivateKey == nil {
		return nil, errors.New("the file holds a public key; want the private key (armored, BEGIN PGP PRIVATE KEY BLOCK)")
	}
	if e.PrivateKey.Encrypted || anySubkeyEncrypted(e) {
		if len(passphrase) == 0 {
			return nil, errors.New("the key is protected by a passphrase; set CRAFT_CSAF_SIGNING_PASSPHRASE")
		}
		if err := e.DecryptPrivateKeys(passphrase); err != nil {
			return nil, errors.New("the passphrase does not decrypt the key")
		}
	}
	var pub bytes.Buffer
	w, err := armor.Encode(&pub, openpgp.PublicKeyType, nil)
	if err != nil {
		return nil, err
	}
	if err := e.Serialize(w); err != nil {
		return nil, fmt.Errorf("public key: %w", err)
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	pub.WriteByte('\n')
	return &AdvisorySigner{entity: e, publicKey: pub.Bytes(),
		fingerprint: strings.ToUpper(hex.EncodeToString(e.PrimaryKey.Fingerprint))}, nil
}

func anySubkeyEncrypted(e *openpgp.Entity) bool {
	for _, sk := range e.Subkeys {
		if sk.PrivateKey != nil && sk.PrivateKey.Encrypted {
			return true
		}
	}
	return false
}

// Fingerprint is the key's fingerprint in upper-case hex, as
// provider-metadata.json lists it.
func (s *AdvisorySigner) Fingerprint() string { return s.fingerprint }

// PublicKey is the armored public key.
func (s *AdvisorySigner) PublicKey() []byte { return s.publicKey }

// Sign returns the armored detached signature of data, made as of at (the
// publication time, or the key's creation when later): with an Ed25519 or
// RSA key the same document gives the same signature bytes at every
// request, so mirrors see no change where there is none.
func (s *AdvisorySigner) Sign(data []byte, at time.Time) ([]byte, error) {
	if c := s.entity.PrimaryKey.CreationTime; at.Before(c) {
		at = c
	}
	at = at.UTC().Truncate(time.Second)
	var out bytes.Buffer
	// No random salt notation: the same document and time give the same
	// signature (Ed25519 and RSA PKCS #1 v1.5 are deterministic).
	deterministic := false
	cfg := &packet.Config{Time: func() time.Time { return at }, NonDeterministicSignaturesViaNotation: &deterministic}
	if err := openpgp.ArmoredDetachSign(&out, s.entity, bytes.NewReader(data), cfg); err != nil {
		return nil, fmt.Errorf("csaf: sign: %w", err)
	}
	out.WriteByte('\n')
	return out.Bytes(), nil
}

package auth_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/craft-cra/craft/internal/auth"
)

func TestSealer(t *testing.T) {
	key := bytes.Repeat([]byte{7}, 32)
	s, err := auth.NewSealer(key)
	if err != nil {
		t.Fatal(err)
	}
	secret := []byte("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
	ctx := []byte("totp:u1")
	sealed, err := s.Seal(secret, ctx)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(sealed, secret) {
		t.Fatal("sealed value contains the plaintext")
	}
	again, _ := s.Seal(secret, ctx)
	if bytes.Equal(again, sealed) {
		t.Fatal("two seals are equal: nonce is not random")
	}
	if got, err := s.Open(sealed, ctx); err != nil || !bytes.Equal(got, secret) {
		t.Fatalf("Open = %q, %v", got, err)
	}
	other, _ := auth.NewSealer(bytes.Repeat([]byte{8}, 32))
	tampered := bytes.Clone(sealed)
	tampered[len(tampered)-1] ^= 1
	cases := map[string]func() ([]byte, error){
		"other context (secret moved to another user)": func() ([]byte, error) { return s.Open(sealed, []byte("totp:u2")) },
		"other key (database without the key file)":    func() ([]byte, error) { return other.Open(sealed, ctx) },
		"tampered":  func() ([]byte, error) { return s.Open(tampered, ctx) },
		"truncated": func() ([]byte, error) { return s.Open(sealed[:10], ctx) },
		"empty":     func() ([]byte, error) { return s.Open(nil, ctx) },
	}
	for name, f := range cases {
		if _, err := f(); !errors.Is(err, auth.ErrUnseal) {
			t.Errorf("%s: err = %v, want ErrUnseal", name, err)
		}
	}
	for _, n := range []int{0, 16, 31, 33} {
		if _, err := auth.NewSealer(make([]byte, n)); err == nil {
			t.Errorf("NewSealer accepted a %d-byte key", n)
		}
	}
}

func TestLoadOrCreateKey(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	path := filepath.Join(dir, auth.SealerKeyFile)
	k1, err := auth.LoadOrCreateKey(path)
	if err != nil || len(k1) != 32 {
		t.Fatalf("create: %v (%d bytes)", err, len(k1))
	}
	st, err := os.Stat(path)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode %v, %v; want 0600", st.Mode().Perm(), err)
	}
	k2, err := auth.LoadOrCreateKey(path)
	if err != nil || !bytes.Equal(k1, k2) {
		t.Fatalf("reload gave another key: %v", err)
	}
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := auth.LoadOrCreateKey(path); err == nil {
		t.Fatal("a world-readable key file was accepted")
	}
	bad := filepath.Join(dir, "bad.key")
	if err := os.WriteFile(bad, []byte("not hex\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := auth.LoadOrCreateKey(bad); err == nil {
		t.Fatal("a malformed key file was accepted (and would have been replaced?)")
	}
	if data, _ := os.ReadFile(bad); string(data) != "not hex\n" {
		t.Fatal("a malformed key file was overwritten")
	}
}

package auth

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// SealerKeyFile is the name of the sealing key inside the data folder.
const SealerKeyFile = "mfa.key"

// LoadOrCreateKey reads a 32-byte key stored as hex in path, or creates
// one with crypto/rand (file mode 0600, folder 0700) when path does not
// exist. A file that exists but is unreadable, malformed or readable by
// others is an error, never silently replaced: replacing the key would
// make every sealed MFA secret unreadable.
func LoadOrCreateKey(path string) ([]byte, error) {
	data, err := os.ReadFile(path)
	switch {
	case err == nil:
		return parseKeyFile(path, data)
	case !errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("auth: read key %s: %w", path, err)
	}
	key := make([]byte, SealerKeySize)
	if _, err := rand.Read(key); err != nil {
		return nil, fmt.Errorf("auth: new key: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("auth: create key folder: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		if errors.Is(err, fs.ErrExist) {
			// Another process created it first: use theirs.
			return LoadOrCreateKey(path)
		}
		return nil, fmt.Errorf("auth: create key %s: %w", path, err)
	}
	_, werr := f.WriteString(hex.EncodeToString(key) + "\n")
	serr := f.Sync()
	cerr := f.Close()
	if err := errors.Join(werr, serr, cerr); err != nil {
		return nil, fmt.Errorf("auth: write key %s: %w", path, err)
	}
	return key, nil
}

func parseKeyFile(path string, data []byte) ([]byte, error) {
	if st, err := os.Stat(path); err == nil && st.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("auth: key %s is readable by other users (mode %v); run chmod 600 on it", path, st.Mode().Perm())
	}
	key, err := hex.DecodeString(strings.TrimSpace(string(data)))
	if err != nil || len(key) != SealerKeySize {
		return nil, fmt.Errorf("auth: key %s is not %d bytes of hex", path, SealerKeySize)
	}
	return key, nil
}

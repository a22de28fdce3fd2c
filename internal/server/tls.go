package server

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Names of the self-signed certificate and key in the data folder.
const (
	SelfSignedCertFile = "tls-cert.pem"
	SelfSignedKeyFile  = "tls-key.pem"
)

// selfSignedLifetime is how long a generated certificate is valid. It is
// replaced at start when less than 30 days are left.
const selfSignedLifetime = 397 * 24 * time.Hour

// TLSConfig is craft serve's TLS configuration: TLS 1.2 or newer, and for
// 1.2 only AEAD cipher suites with forward secrecy (Go's defaults for 1.3).
func TLSConfig(cert tls.Certificate) *tls.Config {
	return &tls.Config{
		MinVersion:   tls.VersionTLS12,
		Certificates: []tls.Certificate{cert},
		CipherSuites: []uint16{
			tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
			tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
			tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256, tls.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
		},
	}
}

// Certificate is the certificate craft serves and its SHA-256 fingerprint
// (of the DER form, as browsers show it).
type Certificate struct {
	TLS         tls.Certificate
	Fingerprint string
	// Generated is true when a new self-signed certificate was made at
	// this start.
	Generated bool
	CertPath  string
}

// LoadCertificate reads certFile and keyFile (PEM) given by the operator.
func LoadCertificate(certFile, keyFile string) (Certificate, error) {
	c, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return Certificate{}, fmt.Errorf("server: tls certificate: %w", err)
	}
	return Certificate{TLS: c, Fingerprint: fingerprint(c.Certificate[0]), CertPath: certFile}, nil
}

// LoadOrCreateSelfSigned returns the self-signed certificate in dataDir,
// generating one when there is none or it expires within 30 days: ECDSA
// P-256, SANs localhost, 127.0.0.1 and ::1 (plus extraHosts), the key
// written with mode 0600.
func LoadOrCreateSelfSigned(dataDir string, extraHosts []string, now time.Time) (Certificate, error) {
	certPath := filepath.Join(dataDir, SelfSignedCertFile)
	keyPath := filepath.Join(dataDir, SelfSignedKeyFile)
	c, err := tls.LoadX509KeyPair(certPath, keyPath)
	if err == nil {
		if err := checkKeyMode(keyPath); err != nil {
			return Certificate{}, err
		}
		leaf, perr := x509.ParseCertificate(c.Certificate[0])
		if perr == nil && now.Add(30*24*time.Hour).Before(leaf.NotAfter) && coversHosts(leaf, extraHosts) {
			return Certificate{TLS: c, Fingerprint: fingerprint(c.Certificate[0]), CertPath: certPath}, nil
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return Certificate{}, fmt.Errorf("server: self-signed certificate in %s: %w", dataDir, err)
	}
	certPEM, keyPEM, err := newSelfSigned(extraHosts, now)
	if err != nil {
		return Certificate{}, err
	}
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return Certificate{}, fmt.Errorf("server: data folder: %w", err)
	}
	if err := writeFileAtomic(keyPath, keyPEM, 0o600); err != nil {
		return Certificate{}, err
	}
	if err := writeFileAtomic(certPath, certPEM, 0o644); err != nil {
		return Certificate{}, err
	}
	c, err = tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		return Certificate{}, fmt.Errorf("server: self-signed certificate: %w", err)
	}
	return Certificate{TLS: c, Fingerprint: fingerprint(c.Certificate[0]), Generated: true, CertPath: certPath}, nil
}

// newSelfSigned makes a certificate and key in PEM.
func newSelfSigned(extraHosts []string, now time.Time) (certPEM, keyPEM []byte, err error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, fmt.Errorf("server: generate key: %w", err)
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return nil, nil, fmt.Errorf("server: serial: %w", err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: "craft serve (self-signed)", Organization: []string{"craft"}},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(selfSignedLifetime),
		KeyUsage:              x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		DNSNames:              []string{"localhost"},
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
	}
	for _, h := range extraHosts {
		if ip := net.ParseIP(h); ip != nil {
			if !ip.IsUnspecified() {
				tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
			}
		} else if h != "" && h != "localhost" {
			tmpl.DNSNames = append(tmpl.DNSNames, h)
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, nil, fmt.Errorf("server: create certificate: %w", err)
	}
	kd, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, nil, fmt.Errorf("server: encode key: %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kd}), nil
}

// coversHosts reports whether leaf names every extra host.
func coversHosts(leaf *x509.Certificate, hosts []string) bool {
	for _, h := range hosts {
		if ip := net.ParseIP(h); ip != nil && ip.IsUnspecified() {
			continue
		}
		if h != "" && leaf.VerifyHostname(h) != nil {
			return false
		}
	}
	return true
}

// checkKeyMode refuses a key file others can read.
func checkKeyMode(path string) error {
	fi, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("server: tls key: %w", err)
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return fmt.Errorf("server: tls key %s is readable by others (mode %v); chmod 600 it", path, fi.Mode().Perm())
	}
	return nil
}

// writeFileAtomic writes data to a private temporary file beside path and
// renames it into place.
func writeFileAtomic(path string, data []byte, mode os.FileMode) error {
	f, err := os.CreateTemp(filepath.Dir(path), ".tmp-"+filepath.Base(path)+"-*")
	if err != nil {
		return fmt.Errorf("server: write %s: %w", path, err)
	}
	defer os.Remove(f.Name())
	if _, err := f.Write(data); err != nil {
		f.Close()
		return fmt.Errorf("server: write %s: %w", path, err)
	}
	if err := f.Chmod(mode); err != nil {
		f.Close()
		return fmt.Errorf("server: write %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("server: write %s: %w", path, err)
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return fmt.Errorf("server: write %s: %w", path, err)
	}
	return nil
}

// fingerprint is SHA-256 of DER, as colon-separated upper-case hex.
func fingerprint(der []byte) string {
	sum := sha256.Sum256(der)
	h := strings.ToUpper(hex.EncodeToString(sum[:]))
	var b strings.Builder
	for i := 0; i < len(h); i += 2 {
		if i > 0 {
			b.WriteByte(':')
		}
		b.WriteString(h[i : i+2])
	}
	return b.String()
}

package auth

// Hooks for the external tests in package auth_test.

// WrapVerify replaces the password check of s with f(real check), so tests
// can count argon2id runs.
func WrapVerify(s *Service, f func(real func(encoded, pw string) (bool, error)) func(encoded, pw string) (bool, error)) {
	s.verify = f(s.verify)
}

// TOTPStep exposes the RFC 6238 step of a time.
var TOTPStep = totpStep

// NormalizeRecoveryCode exposes the recovery code reader.
var NormalizeRecoveryCode = normalizeRecoveryCode

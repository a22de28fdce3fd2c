package auth

import (
	"crypto/subtle"
	"fmt"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
)

// TOTP parameters (RFC 6238 defaults, which every authenticator app
// understands): HMAC-SHA-1, 6 digits, 30-second steps, one step of clock
// skew either way, 20-byte (160-bit) secrets as RFC 4226 §4 recommends.
const (
	TOTPPeriod     = 30
	TOTPDigits     = 6
	TOTPSkew       = 1
	TOTPSecretSize = 20
)

var totpOpts = totp.ValidateOpts{
	Period:    TOTPPeriod,
	Digits:    otp.DigitsSix,
	Algorithm: otp.AlgorithmSHA1,
}

// newTOTPKey makes a fresh secret and its otpauth:// URL.
func newTOTPKey(issuer, account string) (*otp.Key, error) {
	key, err := totp.Generate(totp.GenerateOpts{
		Issuer:      issuer,
		AccountName: account,
		Period:      TOTPPeriod,
		SecretSize:  TOTPSecretSize,
		Digits:      otp.DigitsSix,
		Algorithm:   otp.AlgorithmSHA1,
	})
	if err != nil {
		return nil, fmt.Errorf("auth: totp secret: %w", err)
	}
	return key, nil
}

// totpStep is the RFC 6238 time step of t.
func totpStep(t time.Time) int64 { return t.Unix() / TOTPPeriod }

// matchTOTP returns the time step whose code equals code, looking at the
// current step and TOTPSkew steps either side, comparing in constant time.
// ok is false when no step matches or the code is not 6 digits.
func matchTOTP(secret, code string, now time.Time) (step int64, ok bool, err error) {
	code = strings.TrimSpace(code)
	if !isDigits(code, TOTPDigits) {
		return 0, false, nil
	}
	cur := totpStep(now)
	for d := int64(-TOTPSkew); d <= TOTPSkew; d++ {
		s := cur + d
		want, err := totp.GenerateCodeCustom(secret, time.Unix(s*TOTPPeriod, 0), totpOpts)
		if err != nil {
			return 0, false, fmt.Errorf("auth: totp: %w", err)
		}
		if subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 && !ok {
			step, ok = s, true
		}
	}
	return step, ok, nil
}

func isDigits(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

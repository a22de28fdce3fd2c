package auth

import (
	"encoding/base64"
	"encoding/binary"
	"hash/crc32"
	"strings"
)

// API token format, recognisable by secret scanners the way GitHub's
// tokens are:
//
//	craft_pat_<43 characters: 32 random bytes, base64url, unpadded><6 characters: checksum>
//
// The checksum is the CRC-32 (IEEE) of the 43 random characters, as 4
// big-endian bytes in unpadded base64url. A whole token is 59 characters
// and matches the regular expression craft_pat_[A-Za-z0-9_-]{49}. The
// checksum is not a security control (anyone can compute it); it lets
// craft and scanners reject typos and look-alikes without a database
// lookup and with few false positives.
const (
	APITokenPrefix   = "craft_pat_"
	apiTokenBodyLen  = 43
	apiTokenCheckLen = 6
	// APITokenLength is the length of a whole token.
	APITokenLength = len(APITokenPrefix) + apiTokenBodyLen + apiTokenCheckLen
)

// formatAPIToken appends the checksum to a random body.
func formatAPIToken(body string) string {
	return APITokenPrefix + body + apiTokenChecksum(body)
}

func apiTokenChecksum(body string) string {
	var b [4]byte
	binary.BigEndian.PutUint32(b[:], crc32.ChecksumIEEE([]byte(body)))
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// ValidAPITokenFormat reports whether s has the prefix, length, alphabet
// and checksum of an API token. It says nothing about whether the token
// exists.
func ValidAPITokenFormat(s string) bool {
	if len(s) != APITokenLength || !strings.HasPrefix(s, APITokenPrefix) {
		return false
	}
	rest := s[len(APITokenPrefix):]
	body, check := rest[:apiTokenBodyLen], rest[apiTokenBodyLen:]
	if !validSecret(body) {
		return false
	}
	// Decode rather than compare text, so that the unused low bits of the
	// last checksum character cannot make two spellings of one token.
	got, err := base64.RawURLEncoding.Strict().DecodeString(check)
	if err != nil || len(got) != 4 {
		return false
	}
	return binary.BigEndian.Uint32(got) == crc32.ChecksumIEEE([]byte(body))
}

// APITokenHash is the stored form of a token: SHA-256 of the whole token,
// hex.
func APITokenHash(token string) string { return sha256Hex(token) }

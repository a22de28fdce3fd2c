package store

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strconv"
)

// genesisHash is the prev_hash of the first audit event.
const genesisHash = "0000000000000000000000000000000000000000000000000000000000000000"

// auditHashVersion starts every hashed encoding, so a later format can be
// told apart.
const auditHashVersion = "craft-audit-v1"

// auditHash is SHA-256, in lower-case hex, over a canonical encoding of an
// event's stored fields and the previous hash: the version tag, then each
// field as its decimal byte length, a colon and its bytes, in the order
// seq, at (Unix nanoseconds), actor, action, target, source_ip, detail (the
// stored JSON text), prev_hash. The length prefixes make the encoding
// unambiguous: no two different rows encode to the same bytes.
func auditHash(seq, at int64, actor, action, target, sourceIP, detail, prevHash string) string {
	h := sha256.New()
	field := func(v string) {
		h.Write([]byte(strconv.Itoa(len(v))))
		h.Write([]byte{':'})
		h.Write([]byte(v))
	}
	field(auditHashVersion)
	field(strconv.FormatInt(seq, 10))
	field(strconv.FormatInt(at, 10))
	field(actor)
	field(action)
	field(target)
	field(sourceIP)
	field(detail)
	field(prevHash)
	return hex.EncodeToString(h.Sum(nil))
}

// encodeDetail is the stored form of an event's detail: JSON with sorted
// keys ("{}" when empty), so the same map always hashes the same.
func encodeDetail(d map[string]string) (string, error) {
	if len(d) == 0 {
		return "{}", nil
	}
	b, err := json.Marshal(d) // encoding/json sorts map keys
	if err != nil {
		return "", err
	}
	return string(b), nil
}

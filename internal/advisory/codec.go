package advisory

import (
	"encoding/json"
	"fmt"

	"github.com/craft-cra/craft/internal/osv"
)

// maxRecordBytes bounds one OSV record (JSON or YAML), the largest real
// records (Linux kernel, Debian) are a few MB.
const maxRecordBytes = 32 << 20

// encodeRecord compresses a compact JSON record for storage.
func (s *Store) encodeRecord(compact []byte) []byte {
	return s.enc.EncodeAll(compact, make([]byte, 0, len(compact)/3+64))
}

// decodeRecord inflates and decodes a stored record.
func (s *Store) decodeRecord(blob []byte) (*osv.Vulnerability, error) {
	raw, err := s.dec.DecodeAll(blob, nil)
	if err != nil {
		return nil, fmt.Errorf("decompress: %w", err)
	}
	var v osv.Vulnerability
	if err := json.Unmarshal(raw, &v); err != nil {
		return nil, fmt.Errorf("decode: %w", err)
	}
	return &v, nil
}

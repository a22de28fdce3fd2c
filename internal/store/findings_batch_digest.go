package store

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"strconv"
)

// A release's findings digest (releases.findings_digest, migration 00010)
// lets the portfolio re-match skip a release whose findings did not
// change without reading them: it is a hash of the multiset of the
// release's findings, over every column a re-match writes. The writer
// that knows the rows it leaves (ApplyFindingChanges) stores it; every
// other writer of a release's finding data clears it (the empty digest:
// unknown), so a stored digest always describes the stored rows.
//
// The digest is the sum, lane by lane, of a SHA-256 of each finding plus
// the number of findings: order does not matter, so the re-match can
// compute it component by component without building the findings.

// FindingsDigest accumulates the digest of a set of findings; the zero
// value is the digest of none.
type FindingsDigest struct {
	lanes [4]uint64
	n     uint64
	buf   []byte
}

// Add adds one finding to the digest. A (vulnerability, component) pair
// must be added once: the digest of a duplicate differs from the
// release's rows, which makes the re-match compare them (slower, not
// wrong).
func (d *FindingsDigest) Add(f *Finding) {
	b := d.buf[:0]
	for _, s := range [...]string{f.VulnID, f.ComponentID, f.ComponentPURL, f.ComponentName,
		f.ComponentVersion, f.Ecosystem, f.SeverityLevel, f.MinimumFix, f.KEVDateAdded} {
		b = appendField(b, s)
	}
	b = binary.AppendUvarint(b, uint64(len(f.Aliases)))
	for _, a := range f.Aliases {
		b = appendField(b, a)
	}
	b = strconv.AppendInt(b, f.SeverityScore, 10)
	d.buf = b
	sum := sha256.Sum256(b)
	for i := range d.lanes {
		d.lanes[i] += binary.LittleEndian.Uint64(sum[i*8:])
	}
	d.n++
}

// appendField appends s with its length, so that fields cannot run into
// each other.
func appendField(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// Reset makes d the digest of no findings, keeping its buffer.
func (d *FindingsDigest) Reset() { d.lanes, d.n = [4]uint64{}, 0 }

// Len is the number of findings added.
func (d *FindingsDigest) Len() int { return int(d.n) }

// String is the digest as stored: "v1:" and hex. The digest of no
// findings is not empty (the empty string means unknown).
func (d *FindingsDigest) String() string {
	var raw [40]byte
	for i, l := range d.lanes {
		binary.LittleEndian.PutUint64(raw[i*8:], l)
	}
	binary.LittleEndian.PutUint64(raw[32:], d.n)
	return "v1:" + hex.EncodeToString(raw[:])
}

// FindingsDigests returns the stored findings digest of each of
// releaseIDs that has one, keyed by release ID.
func (s *Store) FindingsDigests(ctx context.Context, releaseIDs []string) (map[string]string, error) {
	out := make(map[string]string, len(releaseIDs))
	if len(releaseIDs) == 0 {
		return out, nil
	}
	in, args := batchPlaceholders(releaseIDs, 0)
	rows, err := s.q().QueryContext(ctx, `SELECT id, findings_digest FROM releases
		WHERE id IN (`+in+`) AND findings_digest <> ''`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: findings digests: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, d string
		if err := rows.Scan(&id, &d); err != nil {
			return nil, fmt.Errorf("store: findings digests: %w", err)
		}
		out[id] = d
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: findings digests: %w", err)
	}
	return out, nil
}

package advisory

import (
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
)

// bloom is a Bloom filter over the name keys of table affected. A lookup
// asks SQLite only for names the filter may contain: most components of a
// product have no advisory, and each avoided index seek is a page read.
// The filter is rebuilt from the table inside every transaction that
// changed the index, so it can never miss a stored key (false positives
// only cost a query).
type bloom struct {
	bits []uint64
	m    uint64 // number of bits
}

const bloomHashes = 7 // with 10 bits per key: about 1% false positives

func newBloom(keys int) *bloom {
	m := uint64(max(keys, 64)) * 10
	m = (m + 63) &^ 63
	return &bloom{bits: make([]uint64, m/64), m: m}
}

// positions derives the filter positions from the 64-bit key by double
// hashing (Kirsch–Mitzenmacher).
func (b *bloom) add(key int64) {
	h1, h2 := uint64(uint32(key)), uint64(key)>>32|1
	for i := range uint64(bloomHashes) {
		p := (h1 + i*h2) % b.m
		b.bits[p/64] |= 1 << (p % 64)
	}
}

func (b *bloom) mayContain(key int64) bool {
	h1, h2 := uint64(uint32(key)), uint64(key)>>32|1
	for i := range uint64(bloomHashes) {
		p := (h1 + i*h2) % b.m
		if b.bits[p/64]&(1<<(p%64)) == 0 {
			return false
		}
	}
	return true
}

func (b *bloom) marshal() []byte {
	out := make([]byte, 8+8*len(b.bits))
	binary.LittleEndian.PutUint64(out, b.m)
	for i, w := range b.bits {
		binary.LittleEndian.PutUint64(out[8+8*i:], w)
	}
	return out
}

func unmarshalBloom(data []byte) (*bloom, error) {
	if len(data) < 8 {
		return nil, errors.New("name filter: too short")
	}
	m := binary.LittleEndian.Uint64(data)
	if m == 0 || m%64 != 0 || uint64(len(data)-8) != m/8 {
		return nil, fmt.Errorf("name filter: %d bytes do not hold %d bits", len(data)-8, m)
	}
	b := &bloom{bits: make([]uint64, m/64), m: m}
	for i := range b.bits {
		b.bits[i] = binary.LittleEndian.Uint64(data[8+8*i:])
	}
	return b, nil
}

// rebuildBloom computes the filter from table affected within tx and
// stores it in table name_filter.
func rebuildBloom(ctx context.Context, tx *sql.Tx) error {
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM affected`).Scan(&n); err != nil {
		return fmt.Errorf("rebuild name filter: %w", err)
	}
	b := newBloom(n)
	rows, err := tx.QueryContext(ctx, `SELECT key FROM affected`)
	if err != nil {
		return fmt.Errorf("rebuild name filter: %w", err)
	}
	for rows.Next() {
		var k int64
		if err := rows.Scan(&k); err != nil {
			rows.Close()
			return fmt.Errorf("rebuild name filter: %w", err)
		}
		b.add(k)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("rebuild name filter: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO name_filter(id, data) VALUES (1, ?)`, b.marshal()); err != nil {
		return fmt.Errorf("rebuild name filter: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO meta(key, value) VALUES ('filter_version', '1')
		ON CONFLICT(key) DO UPDATE SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT)`); err != nil {
		return fmt.Errorf("rebuild name filter: %w", err)
	}
	return nil
}

// nameFilter returns the stored filter, reloading it when another
// transaction (of this process or another) rebuilt it since; nil (ask
// SQLite for every name) when the database has none.
func (s *Store) nameFilter(ctx context.Context) (*bloom, error) {
	s.filterMu.Lock()
	defer s.filterMu.Unlock()
	version, err := s.meta(ctx, "filter_version")
	if err != nil {
		return nil, fmt.Errorf("read name filter: %w", err)
	}
	if version == s.filterVersion && (s.filter != nil || version == "") {
		return s.filter, nil
	}
	var data []byte
	err = s.db.QueryRowContext(ctx, `SELECT data FROM name_filter WHERE id = 1`).Scan(&data)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		s.filter, s.filterVersion = nil, version
		return nil, nil
	case err != nil:
		return nil, fmt.Errorf("read name filter: %w", err)
	}
	b, err := unmarshalBloom(data)
	if err != nil {
		return nil, err
	}
	s.filter, s.filterVersion = b, version
	return b, nil
}

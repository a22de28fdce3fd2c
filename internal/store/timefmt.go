package store

import (
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"time"
)

// toDB encodes t as Unix nanoseconds (the stored form of every time).
func toDB(t time.Time) int64 { return t.UnixNano() }

// fromDB decodes a stored time as UTC.
func fromDB(n int64) time.Time { return time.Unix(0, n).UTC() }

// optToDB stores the zero time as NULL.
func optToDB(t time.Time) sql.NullInt64 {
	if t.IsZero() {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: t.UnixNano(), Valid: true}
}

// optFromDB reads NULL as the zero time.
func optFromDB(n sql.NullInt64) time.Time {
	if !n.Valid {
		return time.Time{}
	}
	return fromDB(n.Int64)
}

func boolToDB(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// newID is a random 128-bit identifier in hex.
func newID() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("random id: %w", err)
	}
	return hex.EncodeToString(b[:]), nil
}

package server

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strconv"
)

// Cursor pagination of list endpoints (issue 6, item 6). A list answers
//
//	{"items": [...], "next_cursor": "..."}
//
// and the caller passes next_cursor back as ?cursor= for the next page;
// next_cursor is absent on the last page. The cursor is opaque to callers:
// base64url of a small JSON value holding the sort key of the last item, so
// a page never skips or repeats rows when rows are added in between (unlike
// offsets).
const (
	// defaultPageLimit is the page size when ?limit= is absent.
	defaultPageLimit = 100
	// maxPageLimit caps ?limit=.
	maxPageLimit = 1000
	// maxCursorLen refuses absurd cursors before decoding them.
	maxCursorLen = 1024
)

// PageRequest is the ?limit= and decoded ?cursor= of a list request.
type PageRequest struct {
	Limit int
	// Cursor is the raw cursor, "" for the first page.
	Cursor string
}

// Page is a page of a list response.
type Page[T any] struct {
	Items      []T    `json:"items"`
	NextCursor string `json:"next_cursor,omitempty"`
}

// parsePageRequest reads ?limit= (1..1000, default 100) and ?cursor=.
func parsePageRequest(r *http.Request) (PageRequest, error) {
	q := r.URL.Query()
	p := PageRequest{Limit: defaultPageLimit, Cursor: q.Get("cursor")}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxPageLimit {
			return p, badRequest("limit: want a whole number from 1 to %d, got %q", maxPageLimit, v)
		}
		p.Limit = n
	}
	if len(p.Cursor) > maxCursorLen {
		return p, badRequest("cursor: longer than %d characters; pass next_cursor exactly as returned", maxCursorLen)
	}
	return p, nil
}

// Decode unpacks the cursor into key (a pointer to the same type that
// encodeCursor was given). It reports false for the first page.
func (p PageRequest) Decode(key any) (bool, error) {
	if p.Cursor == "" {
		return false, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(p.Cursor)
	if err != nil {
		return false, badRequest("cursor: not a cursor this server issued; pass next_cursor exactly as returned")
	}
	if err := json.Unmarshal(b, key); err != nil {
		return false, badRequest("cursor: not a cursor this server issued; pass next_cursor exactly as returned")
	}
	return true, nil
}

// encodeCursor packs the sort key of a page's last item.
func encodeCursor(key any) string {
	b, err := json.Marshal(key)
	if err != nil {
		// Keys are plain structs of strings and numbers; Marshal cannot
		// fail on them.
		return ""
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// newPage builds a page from up to limit+1 rows fetched by the store: the
// extra row only says that another page exists. keyOf gives the cursor key
// of an item.
func newPage[T any](rows []T, limit int, keyOf func(T) any) Page[T] {
	p := Page[T]{Items: rows}
	if p.Items == nil {
		p.Items = []T{}
	}
	if len(rows) > limit {
		p.Items = rows[:limit]
		p.NextCursor = encodeCursor(keyOf(rows[limit-1]))
	}
	return p
}

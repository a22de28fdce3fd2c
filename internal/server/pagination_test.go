package server

import (
	"net/http/httptest"
	"testing"
)

func TestPageRequest(t *testing.T) {
	type key struct {
		Sev int    `json:"s"`
		ID  string `json:"i"`
	}
	for _, tc := range []struct {
		query   string
		limit   int
		wantErr bool
	}{
		{"", defaultPageLimit, false},
		{"?limit=5", 5, false},
		{"?limit=0", 0, true},
		{"?limit=1001", 0, true},
		{"?limit=abc", 0, true},
		{"?cursor=%21%21", defaultPageLimit, true},
	} {
		r := httptest.NewRequest("GET", "/x"+tc.query, nil)
		p, err := parsePageRequest(r)
		if err == nil {
			var k key
			_, err = p.Decode(&k)
		}
		if (err != nil) != tc.wantErr {
			t.Errorf("%q: err = %v, want error %v", tc.query, err, tc.wantErr)
			continue
		}
		if !tc.wantErr && p.Limit != tc.limit {
			t.Errorf("%q: limit %d, want %d", tc.query, p.Limit, tc.limit)
		}
	}

	rows := []key{{9, "a"}, {7, "b"}, {5, "c"}}
	page := newPage(rows, 2, func(k key) any { return k })
	if len(page.Items) != 2 || page.NextCursor == "" {
		t.Fatalf("page = %+v, want 2 items and a cursor", page)
	}
	r := httptest.NewRequest("GET", "/x?cursor="+page.NextCursor, nil)
	p, err := parsePageRequest(r)
	if err != nil {
		t.Fatal(err)
	}
	var k key
	if ok, err := p.Decode(&k); !ok || err != nil || k != (key{7, "b"}) {
		t.Fatalf("Decode = %v %v %+v, want the last item's key", ok, err, k)
	}
	if last := newPage(rows, 3, func(k key) any { return k }); last.NextCursor != "" {
		t.Errorf("last page has a cursor %q", last.NextCursor)
	}
	if empty := newPage[key](nil, 3, func(k key) any { return k }); empty.Items == nil {
		t.Error("empty page encodes items as null")
	}
}

package cases

import "testing"

func TestCheckTransition(t *testing.T) {
	tests := []struct {
		from, to State
		ok       bool
	}{
		{StateNew, StateTriage, true},
		{StateNew, StateNotVulnerability, true},
		{StateNew, StateDuplicate, true},
		{StateNew, StateFixed, false},
		{StateTriage, StateConfirmed, true},
		{StateTriage, StateDisclosed, false},
		{StateConfirmed, StateFixInProgress, true},
		{StateConfirmed, StateFixed, true},
		{StateFixInProgress, StateFixed, true},
		{StateFixInProgress, StateConfirmed, true},
		{StateFixed, StateDisclosed, true},
		{StateFixed, StateFixInProgress, true},
		{StateDisclosed, StateFixed, false},
		{StateDisclosed, StateTriage, false},
		{StateNotVulnerability, StateTriage, true},
		{StateDuplicate, StateTriage, true},
		{StateDuplicate, StateConfirmed, false},
		{StateNew, "bogus", false},
		{"bogus", StateTriage, false},
		{StateNew, StateNew, false},
	}
	for _, tt := range tests {
		t.Run(string(tt.from)+"_to_"+string(tt.to), func(t *testing.T) {
			err := CheckTransition(tt.from, tt.to)
			if (err == nil) != tt.ok {
				t.Fatalf("CheckTransition(%q, %q) = %v, want ok=%v", tt.from, tt.to, err, tt.ok)
			}
		})
	}
}

func TestStatesClosed(t *testing.T) {
	for _, s := range States() {
		if !s.Valid() {
			t.Errorf("%q not valid", s)
		}
		want := s == StateDisclosed || s == StateNotVulnerability || s == StateDuplicate
		if s.Closed() != want {
			t.Errorf("%q.Closed() = %v", s, s.Closed())
		}
		if s.Closed() && s != StateDisclosed && len(s.Next()) == 0 {
			t.Errorf("%q cannot be reopened", s)
		}
	}
}

func TestCVSS(t *testing.T) {
	tests := []struct {
		name    string
		v3, v4  string
		score   float64
		rating  string
		wantErr bool
	}{
		{name: "v31_critical", v3: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", score: 9.8, rating: "Critical"},
		{name: "v31_medium", v3: "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N", score: 6.1, rating: "Medium"},
		{name: "v40", v4: "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", score: 9.3, rating: "Critical"},
		{name: "v31_truncated", v3: "CVSS:3.1/AV:N/AC:L", wantErr: true},
		{name: "v31_wrong_prefix", v3: "CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", wantErr: true},
		{name: "v31_markup", v3: "CVSS:3.1/<script>", wantErr: true},
		{name: "v40_given_v31", v4: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", wantErr: true},
		{name: "v40_huge", v4: "CVSS:4.0/" + string(make([]byte, 4096)), wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var (
				s   Score
				err error
			)
			if tt.v3 != "" {
				s, err = ScoreCVSS31(tt.v3)
			} else {
				s, err = ScoreCVSS40(tt.v4)
			}
			if tt.wantErr {
				if err == nil {
					t.Fatalf("want an error, got %+v", s)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if s.Score != tt.score || s.Rating != tt.rating {
				t.Fatalf("got %v %s, want %v %s", s.Score, s.Rating, tt.score, tt.rating)
			}
		})
	}
}

func FuzzScoreCVSS(f *testing.F) {
	for _, s := range []string{"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
		"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", "CVSS:3.1/", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		if s, err := ScoreCVSS31(v); err == nil && (s.Score < 0 || s.Score > 10) {
			t.Fatalf("v3.1 score %v out of range", s.Score)
		}
		if s, err := ScoreCVSS40(v); err == nil && (s.Score < 0 || s.Score > 10) {
			t.Fatalf("v4.0 score %v out of range", s.Score)
		}
	})
}

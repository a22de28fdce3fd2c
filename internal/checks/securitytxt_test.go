package checks

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func errorsOf(ps []Problem) []Problem {
	var out []Problem
	for _, p := range ps {
		if p.Level == LevelError {
			out = append(out, p)
		}
	}
	return out
}

// The eikendev/sectxt corpus: every file parses under strict rules with
// the clock its upstream tests use.
func TestSecurityTxtEikendevCorpus(t *testing.T) {
	now := time.Date(2023, 1, 1, 8, 19, 3, 0, time.UTC)
	files, err := filepath.Glob("testdata/securitytxt/eikendev/*/*.stxt")
	if err != nil || len(files) < 70 {
		t.Fatalf("corpus: %d files, err %v", len(files), err)
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		st, problems := ParseSecurityTxt(data, now)
		if errs := errorsOf(problems); len(errs) > 0 {
			t.Errorf("%s: %v", f, errs)
		}
		if len(st.Contact) == 0 || st.Expires.IsZero() {
			t.Errorf("%s: Contact %v, Expires %v", f, st.Contact, st.Expires)
		}
		if strings.Contains(f, "valid_signed") && !st.Signed {
			t.Errorf("%s: not recognised as signed", f)
		}
	}
}

// The securitytxt-parser fixtures with their expected.json labels.
func TestSecurityTxtParserFixtures(t *testing.T) {
	raw, err := os.ReadFile("testdata/securitytxt/parser-fixtures/expected.json")
	if err != nil {
		t.Fatal(err)
	}
	var labels struct {
		Files map[string]struct {
			Valid  bool   `json:"expected_valid"`
			Reason string `json:"reason"`
		} `json:"files"`
	}
	if err := json.Unmarshal(raw, &labels); err != nil {
		t.Fatal(err)
	}
	if len(labels.Files) == 0 {
		t.Fatal("no labels")
	}
	for name, want := range labels.Files {
		data, err := os.ReadFile(filepath.Join("testdata/securitytxt/parser-fixtures", name))
		if err != nil {
			t.Fatal(err)
		}
		errs := errorsOf(ValidateSecurityTxt(data, fixedNow))
		if valid := len(errs) == 0; valid != want.Valid {
			t.Errorf("%s: valid=%v want %v (%s); errors %v", name, valid, want.Valid, want.Reason, errs)
		}
	}
}

func TestSecurityTxtGrapheneOS(t *testing.T) {
	data, err := os.ReadFile("testdata/securitytxt/real-world/grapheneos.org/security.txt")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	st, problems := ParseSecurityTxt(data, now)
	if len(problems) != 0 {
		t.Errorf("problems: %v", problems)
	}
	if !st.Signed || len(st.Encryption) != 1 || !strings.HasPrefix(st.Encryption[0], "data:") {
		t.Errorf("parsed %+v", st)
	}
}

func TestValidateSecurityTxt(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	const exp = "Expires: 2026-06-30T00:00:00Z\n"
	tests := []struct {
		name string
		in   string
		want []string // substrings of "level: field: message", one per problem
	}{
		{name: "minimal", in: "Contact: mailto:s@example.com\n" + exp},
		{name: "crlf_and_comments", in: "# hi\r\nContact: tel:+1-201-555-0123\r\n\r\n" + exp},
		{name: "missing_contact", in: exp, want: []string{"error: Contact: required field missing"}},
		{name: "missing_expires", in: "Contact: https://example.com/sec\n", want: []string{"error: Expires: required field missing"}},
		{name: "two_expires", in: "Contact: https://e.com/\n" + exp + exp, want: []string{"Expires must appear exactly once"}},
		{name: "expired", in: "Contact: https://e.com/\nExpires: 2025-12-31T00:00:00Z\n", want: []string{"error: line 2: Expires: expired"}},
		{name: "far_future", in: "Contact: https://e.com/\nExpires: 2028-01-01T00:00:00Z\n", want: []string{"warning: line 2: Expires: 2028-01-01 is more than a year ahead"}},
		{name: "bad_date", in: "Contact: https://e.com/\nExpires: 31 Dec 2026\n", want: []string{"not an RFC 3339 date-time"}},
		{name: "lowercase_tz", in: "Contact: https://e.com/\nExpires: 2026-06-30t00:00:00z\n"},
		{name: "http_contact", in: "Contact: http://e.com/\n" + exp, want: []string{"web URIs must use https"}},
		{name: "bare_email", in: "Contact: security@e.com\n" + exp, want: []string{"needs the mailto: scheme"}},
		{name: "mailto_without_at", in: "Contact: mailto:security\n" + exp, want: []string{"not an e-mail address"}},
		{name: "odd_scheme", in: "Contact: xmpp:sec@e.com\n" + exp, want: []string{"warning: line 1: Contact: \"xmpp:sec@e.com\": unusual scheme"}},
		{name: "http_policy", in: "Contact: https://e.com/\nPolicy: http://e.com/p\n" + exp, want: []string{"error: line 2: Policy: \"http://e.com/p\": web URIs must use https"}},
		{name: "space_in_uri", in: "Contact: https://e.com/a b\n" + exp, want: []string{"character \" \" is not allowed"}},
		{name: "encryption_openpgp4fpr", in: "Contact: https://e.com/\nEncryption: openpgp4fpr:5f2de5521c63a801ab59ccb603d49de44b29100f\n" + exp},
		{name: "encryption_dns", in: "Contact: https://e.com/\nEncryption: dns:5d2d3ceb7abe552344276d47d36a8175b7aeb250._openpgpkey.example.com?type=OPENPGPKEY\n" + exp},
		{name: "csaf_ok", in: "Contact: https://e.com/\nCSAF: https://e.com/.well-known/csaf/provider-metadata.json\n" + exp},
		{name: "csaf_bad", in: "Contact: https://e.com/\nCSAF: https://e.com/csaf/index.json\n" + exp, want: []string{"error: line 2: CSAF: \"https://e.com/csaf/index.json\" must be an https URI of a provider-metadata.json"}},
		{name: "languages", in: "Contact: https://e.com/\nPreferred-Languages: en, zh-Hant-TW\n" + exp},
		{name: "bad_language", in: "Contact: https://e.com/\nPreferred-Languages: en, english language\n" + exp, want: []string{"is not a language tag"}},
		{name: "two_languages", in: "Contact: https://e.com/\nPreferred-Languages: en\nPreferred-Languages: de\n" + exp, want: []string{"at most once"}},
		{name: "no_space_after_colon", in: "Contact:https://e.com/\n" + exp, want: []string{"warning: line 1: Contact: a single space must follow the colon"}},
		{name: "garbage_line", in: "Contact: https://e.com/\nhello world\n" + exp, want: []string{"error: line 2: not a field"}},
		{name: "leading_space", in: " Contact: https://e.com/\n" + exp, want: []string{"error: line 1: line starts with white space", "Contact: required field missing"}},
		{name: "extension_folded", in: "Contact: https://e.com/\nX-Note: a\n  b\n" + exp},
		{name: "signed_dash_escaped", in: "-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA512\n\n- Contact: https://e.com/\n" + exp +
			"-----BEGIN PGP SIGNATURE-----\n\nAAAA\n=AAAA\n-----END PGP SIGNATURE-----\n"},
		{name: "signed_without_end", in: "-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA512\n\nContact: https://e.com/\n" + exp +
			"-----BEGIN PGP SIGNATURE-----\n\nAAAA\n", want: []string{"without \"-----END PGP SIGNATURE-----\""}},
		{name: "text_after_signature", in: "-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA512\n\nContact: https://e.com/\n" + exp +
			"-----BEGIN PGP SIGNATURE-----\n\nAAAA\n-----END PGP SIGNATURE-----\nContact: https://evil.example/\n", want: []string{"not covered by it"}},
		{name: "signature_without_header", in: "Contact: https://e.com/\n" + exp + "-----BEGIN PGP SIGNATURE-----\nAAAA\n-----END PGP SIGNATURE-----\n",
			want: []string{"armour without"}},
		{name: "not_utf8", in: "Contact: https://e.com/\n# \xff\n" + exp, want: []string{"not valid UTF-8"}},
		{name: "empty", in: "", want: []string{"Contact: required field missing", "Expires: required field missing"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ValidateSecurityTxt([]byte(tt.in), now)
			if len(got) != len(tt.want) {
				t.Fatalf("got %d problems %v, want %d %q", len(got), got, len(tt.want), tt.want)
			}
			for i, w := range tt.want {
				if !strings.Contains(got[i].String(), w) {
					t.Errorf("problem %d = %q, want it to contain %q", i, got[i], w)
				}
			}
		})
	}
}

func FuzzValidateSecurityTxt(f *testing.F) {
	files, _ := filepath.Glob("testdata/securitytxt/*/*.txt")
	more, _ := filepath.Glob("testdata/securitytxt/*/*/*.stxt")
	signed, _ := filepath.Glob("testdata/securitytxt/real-world/*/security.txt")
	for _, p := range append(append(files, more...), signed...) {
		if data, err := os.ReadFile(p); err == nil {
			f.Add(data)
		}
	}
	now := time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, data []byte) {
		st, problems := ParseSecurityTxt(data, now)
		if st == nil {
			t.Fatal("nil result")
		}
		for _, p := range problems {
			if p.Level != LevelError && p.Level != LevelWarning {
				t.Fatalf("bad level %q", p.Level)
			}
		}
	})
}

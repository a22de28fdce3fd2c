package auth_test

import (
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/craft-cra/craft/internal/auth"
)

var phcRE = regexp.MustCompile(`^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$`)

func TestHashUsesOWASPParametersAndPHC(t *testing.T) {
	h := auth.NewPasswordHasher()
	enc, err := h.Hash(goodPassword)
	if err != nil {
		t.Fatal(err)
	}
	if !phcRE.MatchString(enc) {
		t.Fatalf("hash %q is not $argon2id$v=19$m=19456,t=2,p=1$<16-byte salt>$<32-byte key>", enc)
	}
	again, _ := h.Hash(goodPassword)
	if again == enc {
		t.Fatal("two hashes of one password are equal: salt is not random")
	}
	for _, tc := range []struct {
		pw   string
		want bool
	}{{goodPassword, true}, {goodPassword + " ", false}, {"Correct horse battery staple", false}, {"", false}} {
		ok, err := h.Verify(enc, tc.pw)
		if err != nil || ok != tc.want {
			t.Errorf("Verify(%q) = %v, %v; want %v", tc.pw, ok, err, tc.want)
		}
	}
	if h.NeedsRehash(enc) {
		t.Error("NeedsRehash of a fresh hash")
	}
}

func TestVerifyNormalisesUnicode(t *testing.T) {
	h := fastHasher()
	composed := "Ångström-cafés-2026"                     // U+00C5, U+00F6, U+00E9
	decomposed := "A\u030Angstro\u0308m-cafe\u0301s-2026" // combining marks
	enc, err := h.Hash(composed)
	if err != nil {
		t.Fatal(err)
	}
	if ok, _ := h.Verify(enc, decomposed); !ok {
		t.Fatal("the same password typed with combining characters does not verify")
	}
}

func TestParametersComeFromTheStoredString(t *testing.T) {
	weak := &auth.PasswordHasher{Params: auth.Argon2Params{Memory: 4096, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}}
	enc, err := weak.Hash(goodPassword)
	if err != nil {
		t.Fatal(err)
	}
	strong := auth.NewPasswordHasher()
	if ok, err := strong.Verify(enc, goodPassword); !ok || err != nil {
		t.Fatalf("a hash made with older parameters no longer verifies: %v %v", ok, err)
	}
	if !strong.NeedsRehash(enc) {
		t.Fatal("NeedsRehash is false for m=4096,t=1")
	}
	if !strong.NeedsRehash("not a hash") {
		t.Fatal("NeedsRehash is false for garbage")
	}
}

func TestParsePHCRejects(t *testing.T) {
	good := "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$" + strings.Repeat("A", 43)
	if _, _, _, err := auth.ParsePHC(good); err != nil {
		t.Fatalf("good string refused: %v", err)
	}
	bad := map[string]string{
		"empty":             "",
		"argon2i":           strings.Replace(good, "argon2id", "argon2i", 1),
		"bcrypt":            "$2b$12$abcdefghijklmnopqrstuuABCDEFGHIJKLMNOPQRSTUVWXYZ01234",
		"version 16":        strings.Replace(good, "v=19", "v=16", 1),
		"missing field":     strings.Replace(good, "$v=19", "", 1),
		"params reordered":  strings.Replace(good, "m=19456,t=2,p=1", "t=2,m=19456,p=1", 1),
		"memory too large":  strings.Replace(good, "m=19456", "m=4294967295", 1),
		"leading zero":      strings.Replace(good, "m=19456", "m=019456", 1),
		"negative":          strings.Replace(good, "t=2", "t=-2", 1),
		"zero time":         strings.Replace(good, "t=2", "t=0", 1),
		"zero threads":      strings.Replace(good, "p=1", "p=0", 1),
		"too many threads":  strings.Replace(good, "p=1", "p=255", 1),
		"padded salt":       strings.Replace(good, "c29tZXNhbHRzb21lc2FsdA", "c29tZXNhbHRzb21lc2FsdA==", 1),
		"short salt":        strings.Replace(good, "c29tZXNhbHRzb21lc2FsdA", "c2FsdA", 1),
		"url alphabet salt": strings.Replace(good, "c29tZXNhbHRzb21lc2FsdA", "c29tZXNhbHRzb21lc2F-dA", 1),
		"short key":         strings.Replace(good, strings.Repeat("A", 43), "AAAA", 1),
		"trailing field":    good + "$x",
		"huge":              good + strings.Repeat("A", 600),
	}
	for name, s := range bad {
		t.Run(name, func(t *testing.T) {
			_, _, _, err := auth.ParsePHC(s)
			if !errors.Is(err, auth.ErrMalformedHash) {
				t.Fatalf("ParsePHC(%q) = %v, want ErrMalformedHash", s, err)
			}
			if ok, err := fastHasher().Verify(s, goodPassword); ok || err == nil {
				t.Fatalf("Verify on malformed hash = %v, %v", ok, err)
			}
		})
	}
}

func FuzzParsePHC(f *testing.F) {
	f.Add("$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$" + strings.Repeat("A", 43))
	f.Add("$argon2id$v=19$m=64,t=1,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAA")
	f.Add("$argon2i$v=19$m=1,t=1,p=1$$")
	f.Add("$$$$$")
	f.Fuzz(func(t *testing.T, s string) {
		p, salt, key, err := auth.ParsePHC(s)
		if err != nil {
			return
		}
		// Whatever parses must be cheap enough to verify and must read
		// back what it says.
		if p.Memory > 1<<20 || p.Time > 64 || p.Threads < 1 || int(p.SaltLen) != len(salt) || int(p.KeyLen) != len(key) {
			t.Fatalf("ParsePHC(%q) accepted out-of-range parameters %+v", s, p)
		}
	})
}

// BenchmarkHash measures one argon2id hash at OWASP's parameters (the
// cost of every sign-in). Figures are in docs/auth.md.
func BenchmarkHash(b *testing.B) {
	h := auth.NewPasswordHasher()
	b.ReportAllocs()
	start := time.Now()
	for b.Loop() {
		if _, err := h.Hash(goodPassword); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(time.Since(start).Milliseconds())/float64(b.N), "ms/hash")
}

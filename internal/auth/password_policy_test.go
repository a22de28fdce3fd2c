package auth_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/craft-cra/craft/internal/auth"
)

func TestCheckPassword(t *testing.T) {
	tests := []struct {
		name, pw, email string
		ok              bool
	}{
		{"eleven characters", "abcdefghijk", "", false},
		{"twelve characters", "abcdefghijkx", "", true},
		{"lowercase passphrase needs no digits or symbols", "gravel lantern orbit sixty", "", true},
		{"runes not bytes: 12 umlauts", strings.Repeat("ü", 12), "", true},
		{"runes not bytes: 11 umlauts is too short even at 22 bytes", strings.Repeat("ü", 11), "", false},
		{"NFKC: 6 ligatures ﬁ count as 12 characters", strings.Repeat("ﬁ", 6), "", true},
		{"NFKC: 5 ligatures ﬁ are 10 characters", strings.Repeat("ﬁ", 5) + "x", "", false},
		{"256 characters", strings.Repeat("ab", 128), "", true},
		{"257 characters", strings.Repeat("ab", 128) + "c", "", false},
		{"breached list", "iloveyou1234", "", false},
		{"breached list compared without case", "ILoveYou1234", "", false},
		{"breached list after NFKC (fullwidth letters)", "ｉｌｏｖｅｙｏｕ１２３４", "", false},
		{"contains craft", "my craft server pw", "", false},
		{"contains CRAFT in capitals", "MY CRAFT SERVER PW", "", false},
		{"contains the e-mail local part", "xxmaria.kowalski99", "Maria.Kowalski@example.eu", false},
		{"short local part is not checked", "bob is my uncle 42", "bo@example.eu", true},
		{"domain alone is allowed", "example holiday 2026", "maria@example.eu", true},
		{"invalid UTF-8", "abcdefghijkl\xff", "", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := auth.CheckPassword(tc.pw, tc.email)
			if (err == nil) != tc.ok {
				t.Fatalf("CheckPassword(%q) = %v, want ok=%v", tc.pw, err, tc.ok)
			}
			if err != nil && !errors.Is(err, auth.ErrPasswordPolicy) {
				t.Fatalf("error %v does not match ErrPasswordPolicy", err)
			}
		})
	}
}

func TestCommonPasswordListSize(t *testing.T) {
	n, err := auth.CommonPasswordCount()
	if err != nil {
		t.Fatal(err)
	}
	if n < 10_000 || n > 100_000 {
		t.Fatalf("embedded list has %d entries, want 10k–100k", n)
	}
}

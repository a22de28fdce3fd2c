package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestAdvisoryValidateInputs covers what a transcript cannot: a document
// on standard input and a file over the size limit.
func TestAdvisoryValidateInputs(t *testing.T) {
	valid, err := os.ReadFile(filepath.Join("testdata", "advisory", "valid-bsi-2022-0001.json"))
	if err != nil {
		t.Fatal(err)
	}
	huge := filepath.Join(t.TempDir(), "huge.json")
	if err := os.WriteFile(huge, bytes.Repeat([]byte(" "), 32<<20+1), 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name     string
		stdin    []byte
		args     []string
		wantCode int
		want     string
	}{
		{"stdin", valid, []string{"-"}, ExitOK, "stdin: valid CSAF 2.0 (csaf_security_advisory)\n"},
		{"stdin not JSON", []byte("<xml/>"), []string{"-"}, ExitFindings, "stdin: json: line 1, column 1: invalid JSON"},
		{"too large", nil, []string{huge}, ExitUsage, "huge.json is larger than 33554432 bytes, the most craft validates"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			app := &App{
				Stdin:  bytes.NewReader(tc.stdin),
				Stdout: &out,
				Stderr: &errOut,
				Getenv: func(string) string { return "" },
				Now:    func() time.Time { return testNow },
			}
			code := Run(context.Background(), app, append([]string{"advisory", "validate"}, tc.args...))
			if code != tc.wantCode {
				t.Errorf("exit code %d, want %d; stderr: %s", code, tc.wantCode, errOut.String())
			}
			if got := out.String() + errOut.String(); !strings.Contains(got, tc.want) {
				t.Errorf("output %q does not contain %q", got, tc.want)
			}
		})
	}
}

package cli

import (
	"bufio"
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite golden files and transcripts in testdata/")

// testNow is the fixed clock of every in-process CLI test, so that output
// with dates is stable.
var testNow = time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)

// runCLI runs craft in-process with a fixed clock and the given
// environment; it returns stdout, stderr and the exit code.
func runCLI(t *testing.T, env map[string]string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errOut bytes.Buffer
	app := &App{
		Stdin:  strings.NewReader(""),
		Stdout: &out,
		Stderr: &errOut,
		Getenv: func(k string) string { return env[k] },
		Now:    func() time.Time { return testNow },
	}
	code = Run(context.Background(), app, args)
	return out.String(), errOut.String(), code
}

// TestTranscripts replays testdata/transcripts/*.ct: each "$ craft ARGS"
// line runs craft in-process and the lines after it, up to the next "$"
// line, are the expected stdout and stderr (stderr lines after stdout).
// A command expected to fail ends with " --> FAIL N". In arguments and
// output, $TMP stands for a fresh temporary folder per transcript file and
// $TESTDATA for the testdata folder. Run with -update to rewrite the
// expected output after a deliberate change.
func TestTranscripts(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "transcripts", "*.ct"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no transcripts in testdata/transcripts")
	}
	testdata, err := filepath.Abs("testdata")
	if err != nil {
		t.Fatal(err)
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			tmp := t.TempDir()
			env := map[string]string{"CRAFT_DB": filepath.Join(tmp, "advisories.db")}
			cases, err := readTranscript(file)
			if err != nil {
				t.Fatal(err)
			}
			var rewritten strings.Builder
			expand := func(s string) string {
				return strings.NewReplacer("$TMP", tmp, "$TESTDATA", testdata).Replace(s)
			}
			unexpand := func(s string) string {
				return strings.NewReplacer(tmp, "$TMP", testdata, "$TESTDATA").Replace(s)
			}
			for _, c := range cases {
				args := strings.Fields(expand(c.command))
				stdout, stderr, code := runCLI(t, env, args...)
				got := unexpand(stdout + stderr)
				header := "$ craft " + c.command
				if code != 0 {
					header += " --> FAIL " + strconv.Itoa(code)
				}
				rewritten.WriteString(c.comments)
				rewritten.WriteString(header + "\n" + got)
				if *update {
					continue
				}
				if code != c.wantCode {
					t.Errorf("%s: exit code %d, want %d\noutput:\n%s", c.command, code, c.wantCode, got)
				}
				if got != c.want {
					t.Errorf("%s: output differs\n--- got\n%s\n--- want\n%s", c.command, got, c.want)
				}
			}
			if *update {
				if err := os.WriteFile(file, []byte(rewritten.String()), 0o644); err != nil {
					t.Fatal(err)
				}
			}
		})
	}
}

type transcriptCase struct {
	comments string // comment lines before the command, kept on -update
	command  string
	wantCode int
	want     string
}

func readTranscript(path string) ([]transcriptCase, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var cases []transcriptCase
	var comments strings.Builder
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for lineNo := 1; sc.Scan(); lineNo++ {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "$ craft "):
			cmd := strings.TrimPrefix(line, "$ craft ")
			c := transcriptCase{comments: comments.String()}
			comments.Reset()
			if before, after, ok := strings.Cut(cmd, " --> FAIL "); ok {
				n, err := strconv.Atoi(strings.TrimSpace(after))
				if err != nil {
					return nil, fmt.Errorf("%s:%d: bad exit code %q", path, lineNo, after)
				}
				cmd, c.wantCode = before, n
			}
			c.command = cmd
			cases = append(cases, c)
		case len(cases) == 0:
			if !strings.HasPrefix(line, "#") && strings.TrimSpace(line) != "" {
				return nil, fmt.Errorf("%s:%d: output before the first command", path, lineNo)
			}
			comments.WriteString(line + "\n")
		default:
			cases[len(cases)-1].want += line + "\n"
		}
	}
	return cases, sc.Err()
}

package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/craft-cra/craft/internal/catalog"
	goldenfile "github.com/craft-cra/craft/internal/golden"
)

// TestRequirementsGolden compares the output of `craft requirements` with
// testdata/requirements/*.golden; go test ./internal/cli -update rewrites
// them.
func TestRequirementsGolden(t *testing.T) {
	tests := []struct {
		golden string
		args   []string
	}{
		{"list.txt", []string{"requirements"}},
		{"list.json", []string{"requirements", "-o", "json"}},
		{"group-annex-i-part-ii.txt", []string{"requirements", "--group", "annex-i-part-ii"}},
		{"group-annex-ii.json", []string{"requirements", "--group", "Annex II", "-o", "json"}},
		{"show-AI-P1-2b.txt", []string{"requirements", "show", "ai-p1-2b"}},
		{"show-AI-P2-1.txt", []string{"requirements", "show", "AI-P2-1"}},
		{"show-AVII-1c.txt", []string{"requirements", "show", "AVII-1c"}},
		{"show-AI-P1-2a.json", []string{"requirements", "show", "AI-P1-2a", "-o", "json"}},
	}
	for _, tt := range tests {
		t.Run(tt.golden, func(t *testing.T) {
			stdout, stderr, code := runCLI(t, nil, tt.args...)
			if code != 0 || stderr != "" {
				t.Fatalf("craft %s: exit %d, stderr %q", strings.Join(tt.args, " "), code, stderr)
			}
			path := filepath.Join("testdata", "requirements", tt.golden+".golden")
			goldenfile.Check(t, path, []byte(stdout), *update)
		})
	}
}

func TestRequirementsErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"unknown_id", []string{"requirements", "show", "AI-P1-9z"},
			"craft: unknown requirement \"AI-P1-9z\"; run `craft requirements` to list them\n"},
		{"unknown_id_with_suggestions", []string{"requirements", "show", "art13-8"},
			"craft: unknown requirement \"art13-8\" (did you mean ART13-8a, ART13-8b, ART13-8c, ART13-8d?); run `craft requirements` to list them\n"},
		{"empty_id", []string{"requirements", "show", ""},
			"craft: unknown requirement \"\"; run `craft requirements` to list them\n"},
		{"no_id", []string{"requirements", "show"},
			"craft: accepts 1 arg(s), received 0\n"},
		{"two_ids", []string{"requirements", "show", "AI-P2-1", "AI-P2-2"},
			"craft: accepts 1 arg(s), received 2\n"},
		{"unknown_group", []string{"requirements", "--group", "annex-iii"},
			"craft: --group \"annex-iii\": unknown group (want one of annex-i-part-i, annex-i-part-ii, article-13, article-14, annex-ii, annex-vii)\n"},
		{"unknown_format", []string{"requirements", "-o", "sarif"},
			"craft: -o sarif: unknown format \"sarif\" (want one of text, json)\n"},
		{"two_to_stdout", []string{"requirements", "show", "AI-P2-1", "-o", "json", "-o", "text"},
			"craft: -o: only one output can go to stdout; give the others a file with FORMAT=FILE\n"},
		{"stray_argument", []string{"requirements", "AI-P2-1"},
			"craft: unknown command \"AI-P2-1\" for \"craft requirements\"\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stdout, stderr, code := runCLI(t, nil, tt.args...)
			if code != ExitUsage {
				t.Errorf("exit code %d, want %d", code, ExitUsage)
			}
			if stdout != "" {
				t.Errorf("stdout %q, want nothing", stdout)
			}
			if stderr != tt.want {
				t.Errorf("stderr %q\nwant   %q", stderr, tt.want)
			}
		})
	}
}

// TestRequirementsOutputs writes JSON to a file and text to stdout in one
// run, and checks the JSON holds exactly the catalog.
func TestRequirementsOutputs(t *testing.T) {
	path := filepath.Join(t.TempDir(), "requirements.json")
	stdout, stderr, code := runCLI(t, nil, "requirements", "-o", "json="+path, "-o", "text")
	if code != 0 || stderr != "" {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	cat, err := catalog.Load()
	if err != nil {
		t.Fatal(err)
	}
	all := cat.All()
	if !strings.HasPrefix(stdout, "ID ") || !strings.Contains(stdout, "\n"+strconv.Itoa(len(all))+" requirements.") {
		t.Errorf("text output does not list %d requirements:\n%s", len(all), stdout)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var got requirementsList
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&got); err != nil {
		t.Fatalf("decode %s: %v", path, err)
	}
	if got.SchemaVersion != requirementsSchemaVersion || len(got.Groups) != len(cat.Groups()) || len(got.Requirements) != len(all) {
		t.Fatalf("JSON: schema %q, %d groups, %d requirements", got.SchemaVersion, len(got.Groups), len(got.Requirements))
	}
	for i, r := range got.Requirements {
		if r.ID != all[i].ID || r.Summary != all[i].Summary || len(r.Evidence) != len(all[i].Evidence) || r.Checks == nil {
			t.Errorf("JSON requirement %d = %+v, want %+v", i, r, all[i])
		}
	}

	// --group lists that group's requirements only.
	stdout, _, code = runCLI(t, nil, "requirements", "--group", "article-14")
	if code != 0 {
		t.Fatalf("--group article-14: exit %d", code)
	}
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	rows := lines[1 : len(lines)-2] // header, blank line and count excluded
	if len(rows) != len(cat.InGroup("article-14")) {
		t.Errorf("--group article-14 listed %d rows, want %d", len(rows), len(cat.InGroup("article-14")))
	}
	for _, row := range rows {
		if !strings.HasPrefix(row, "RPT-") || !strings.Contains(row, "Article 14") {
			t.Errorf("--group article-14 listed %q", row)
		}
	}
}

func TestWrapRequirementText(t *testing.T) {
	tests := []struct {
		in, prefix string
		width      int
		want       string
	}{
		{"", "", 10, "\n"},
		{"a b c", "", 10, "a b c\n"},
		{"aaaa bbbb cccc", "", 9, "aaaa bbbb\ncccc\n"},
		{"aaaa bbbb cccc", "- ", 9, "- aaaa\n  bbbb\n  cccc\n"},
		{"averyveryverylongword x", "", 5, "averyveryverylongword\nx\n"},
		{"  spaced   out\n words ", "", 80, "spaced out words\n"},
	}
	for _, tt := range tests {
		if got := wrapRequirementText(tt.in, tt.prefix, tt.width); got != tt.want {
			t.Errorf("wrapRequirementText(%q, %q, %d) = %q, want %q", tt.in, tt.prefix, tt.width, got, tt.want)
		}
	}
}

package csaf

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/craft-cra/craft/internal/golden"
)

// baseDocument is a minimal valid csaf_base document; the cases below
// change one thing in it.
const baseDocument = `{
  "document": {
    "category": "csaf_base",
    "csaf_version": "2.0",
    "publisher": {"category": "vendor", "name": "Example", "namespace": "https://example.com"},
    "title": "Test advisory",
    "tracking": {
      "current_release_date": "2024-01-02T00:00:00Z",
      "id": "EX-1",
      "initial_release_date": "2024-01-01T00:00:00Z",
      "revision_history": [
        {"date": "2024-01-01T00:00:00Z", "number": "1", "summary": "Initial"}
      ],
      "status": "final",
      "version": "1"
    }
  },
  "product_tree": {
    "full_product_names": [
      {"name": "A 1.0", "product_id": "A"},
      {"name": "B 1.0", "product_id": "B"}
    ],
    "product_groups": [{"group_id": "G", "product_ids": ["A", "B"]}]
  }
}`

func baseMap(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(baseDocument), &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func setAt(m map[string]any, value any, keys ...string) {
	for _, k := range keys[:len(keys)-1] {
		next, ok := m[k].(map[string]any)
		if !ok {
			next = map[string]any{}
			m[k] = next
		}
		m = next
	}
	m[keys[len(keys)-1]] = value
}

func revisionItems(pairs ...string) []any {
	var out []any
	for i := 0; i+1 < len(pairs); i += 2 {
		out = append(out, map[string]any{"date": pairs[i], "number": pairs[i+1], "summary": "s"})
	}
	return out
}

func oneVulnerability(fields string) []any {
	var v map[string]any
	if err := json.Unmarshal([]byte(fields), &v); err != nil {
		panic(err)
	}
	return []any{v}
}

// TestValidateTests covers the tests the conformance documents in the
// corpus do not (their cases are in the holdout) and edge cases of the
// others: each case must fail exactly the tests named, at the paths named.
func TestValidateTests(t *testing.T) {
	cases := []struct {
		name   string
		change func(m map[string]any)
		want   []string // "TEST PATH"
	}{
		{"base document is valid", func(map[string]any) {}, nil},
		{"6.1.3 cycle over two relationships", func(m map[string]any) {
			setAt(m, []any{
				map[string]any{"category": "installed_on", "product_reference": "A", "relates_to_product_reference": "Y",
					"full_product_name": map[string]any{"name": "X", "product_id": "X"}},
				map[string]any{"category": "installed_on", "product_reference": "X", "relates_to_product_reference": "B",
					"full_product_name": map[string]any{"name": "Y", "product_id": "Y"}},
			}, "product_tree", "relationships")
		}, []string{
			"6.1.3 $.product_tree.relationships[0].full_product_name.product_id",
			"6.1.3 $.product_tree.relationships[1].full_product_name.product_id",
		}},
		{"6.1.11 CWE newer than the embedded list", func(m map[string]any) {
			setAt(m, oneVulnerability(`{"cwe":{"id":"CWE-99999","name":"x"}}`), "vulnerabilities")
		}, nil}, // newer than the embedded list: not flagged
		{"6.1.11 wrong name", func(m map[string]any) {
			setAt(m, oneVulnerability(`{"cwe":{"id":"CWE-863","name":"Incorrect Authentication"}}`), "vulnerabilities")
		}, []string{"6.1.11 $.vulnerabilities[0].cwe.name"}},
		{"6.1.11 right name", func(m map[string]any) {
			setAt(m, oneVulnerability(`{"cwe":{"id":"CWE-863","name":"Incorrect Authorization"}}`), "vulnerabilities")
		}, nil},
		{"6.1.8 CVSS that is not an object", func(m map[string]any) {
			setAt(m, oneVulnerability(`{"scores":[{"products":["A"],"cvss_v3":"CVSS:3.1/AV:N"}]}`), "vulnerabilities")
		}, []string{"6.1.8 $.vulnerabilities[0].scores[0].cvss_v3"}},
		{"6.1.8 CVSS v3 with an unknown version", func(m map[string]any) {
			setAt(m, oneVulnerability(`{"scores":[{"products":["A"],"cvss_v3":{"version":"3.2","vectorString":"CVSS:3.2/AV:N","baseScore":1,"baseSeverity":"LOW"}}]}`), "vulnerabilities")
		}, []string{"6.1.8 $.vulnerabilities[0].scores[0].cvss_v3.version"}},
		{"6.1.18 released document with a version 0 revision", func(m map[string]any) {
			setAt(m, revisionItems("2024-01-01T00:00:00Z", "0", "2024-01-02T00:00:00Z", "1"), "document", "tracking", "revision_history")
		}, []string{"6.1.18 $.document.tracking.revision_history[0].number"}},
		{"6.1.21 missing revision 2", func(m map[string]any) {
			setAt(m, "3", "document", "tracking", "version")
			setAt(m, revisionItems("2024-01-01T00:00:00Z", "1", "2024-01-02T00:00:00Z", "3"), "document", "tracking", "revision_history")
		}, []string{"6.1.21 $.document.tracking.revision_history[1].number"}},
		{"6.1.21 history starting at 2", func(m map[string]any) {
			setAt(m, "2.0.0", "document", "tracking", "version")
			setAt(m, revisionItems("2024-01-01T00:00:00Z", "2.0.0"), "document", "tracking", "revision_history")
		}, []string{"6.1.21 $.document.tracking.revision_history[0].number"}},
		{"6.1.21 minor versions may skip", func(m map[string]any) {
			setAt(m, "2.3.0", "document", "tracking", "version")
			setAt(m, revisionItems("2024-01-01T00:00:00Z", "1.0.0", "2024-01-02T00:00:00Z", "1.4.0", "2024-01-03T00:00:00Z", "2.3.0"), "document", "tracking", "revision_history")
		}, nil},
		{"6.1.24 same involvement twice", func(m map[string]any) {
			setAt(m, oneVulnerability(`{"involvements":[{"party":"vendor","status":"open","date":"2024-01-01T00:00:00Z"},{"party":"vendor","status":"completed","date":"2024-01-01T01:00:00.000+01:00"},{"party":"coordinator","status":"open","date":"2024-01-01T00:00:00Z"}]}`), "vulnerabilities")
		}, []string{"6.1.24 $.vulnerabilities[0].involvements[1]"}},
		{"6.1.27.1 and 6.1.27.2 informational advisory without notes and references", func(m map[string]any) {
			setAt(m, "csaf_informational_advisory", "document", "category")
		}, []string{"6.1.27.1 $.document.notes", "6.1.27.2 $.document.references"}},
		{"6.1.27.3 informational advisory with vulnerabilities", func(m map[string]any) {
			setAt(m, "csaf_informational_advisory", "document", "category")
			setAt(m, []any{map[string]any{"category": "summary", "text": "t"}}, "document", "notes")
			setAt(m, []any{map[string]any{"category": "external", "summary": "s", "url": "https://example.com/a"}}, "document", "references")
			setAt(m, oneVulnerability(`{"title":"x"}`), "vulnerabilities")
		}, []string{"6.1.27.3 $.vulnerabilities"}},
		{"6.1.27.9 not affected without impact statement, group counts", func(m map[string]any) {
			setAt(m, "csaf_vex", "document", "category")
			setAt(m, oneVulnerability(`{"cve":"CVE-2024-0001","notes":[{"category":"description","text":"t"}],
				"product_status":{"known_not_affected":["A","B"]},
				"threats":[{"category":"impact","details":"d","group_ids":["G"]}],
				"flags":[{"label":"component_not_present","product_ids":["A"]}]}`), "vulnerabilities")
		}, nil},
		{"6.1.27.9 not affected without impact statement", func(m map[string]any) {
			setAt(m, "csaf_vex", "document", "category")
			setAt(m, oneVulnerability(`{"cve":"CVE-2024-0001","notes":[{"category":"description","text":"t"}],
				"product_status":{"known_not_affected":["A","B"]},
				"threats":[{"category":"exploit_status","details":"d","product_ids":["B"]}],
				"flags":[{"label":"component_not_present","product_ids":["A"]}]}`), "vulnerabilities")
		}, []string{"6.1.27.9 $.vulnerabilities[0].product_status.known_not_affected[1]"}},
		{"6.1.29 remediation without products", func(m map[string]any) {
			setAt(m, oneVulnerability(`{"remediations":[{"category":"vendor_fix","details":"update"}]}`), "vulnerabilities")
		}, []string{"6.1.29 $.vulnerabilities[0].remediations[0]"}},
		{"6.1.30 mixed integer and semantic versioning", func(m map[string]any) {
			setAt(m, "2", "document", "tracking", "version")
			setAt(m, revisionItems("2024-01-01T00:00:00Z", "1.0.0", "2024-01-02T00:00:00Z", "2"), "document", "tracking", "revision_history")
		}, []string{"6.1.30 $.document.tracking.revision_history[0].number"}},
		{"6.1.33 two flags for one product through a group", func(m map[string]any) {
			setAt(m, oneVulnerability(`{"flags":[{"label":"component_not_present","group_ids":["G"]},{"label":"vulnerable_code_not_present","product_ids":["B"]}]}`), "vulnerabilities")
		}, []string{"6.1.33 $.vulnerabilities[0].flags[1]"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m := baseMap(t)
			tc.change(m)
			data, err := json.Marshal(m)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, f := range Validate(data).Failures {
				got = append(got, f.Test+" "+f.Path)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("got %q\nwant %q\nfailures: %v", got, tc.want, Validate(data).Failures)
			}
		})
	}
}

// TestValidateBadInput feeds malformed, truncated, huge and hostile input.
func TestValidateBadInput(t *testing.T) {
	cases := []struct {
		name, input string
		want        string // the one failure, as "test: path: message" prefix
	}{
		{"empty", "", "json: line 1, column 1: empty input"},
		{"not JSON", "hello", "json: line 1, column 1: invalid JSON: invalid character 'h'"},
		{"syntax error on line 3", "{\n  \"document\": {},\n  \"x\": ]\n}", "json: line 3, column 8: invalid JSON: invalid character ']'"},
		{"truncated", "{\"document\": {\"category\": \"csaf_base\"", "json: line 1, column 38: invalid JSON: the document ends early"},
		{"trailing data", "{} {}", "json: line 1, column 4: more data after the JSON document"},
		{"array", "[]", "schema: $: got array, want object"},
		{"deep nesting", strings.Repeat("[", 5000) + strings.Repeat("]", 5000), "input: $: JSON nested deeper than 200 levels"},
		{"too large", "{\"x\": \"" + strings.Repeat("a", MaxValidateSize) + "\"}", "input: $: 33554441 bytes, larger than"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := Validate([]byte(tc.input))
			if len(r.Failures) == 0 || !strings.HasPrefix(r.Failures[0].String(), tc.want) {
				t.Fatalf("got %v, want a failure starting %q", r.Failures, tc.want)
			}
			if tc.want[:4] != "sche" && len(r.Failures) != 1 {
				t.Errorf("want one failure, got %v", r.Failures)
			}
		})
	}
}

// TestMandatoryFailuresGolden pins the exact failures (test, path and
// message) for every conformance document, so that a change in wording or
// paths is a deliberate one (-update rewrites the file).
func TestMandatoryFailuresGolden(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "validator", "mandatory", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		r := Validate(data)
		fmt.Fprintf(&b, "%s (%s): %d failures\n", filepath.Base(file), r.Category, len(r.Failures))
		for _, f := range r.Failures {
			fmt.Fprintf(&b, "  %s\n", f)
		}
	}
	golden.Check(t, filepath.Join("testdata", "mandatory.golden"), []byte(b.String()), *update)
}

func TestJSONPath(t *testing.T) {
	got := root.key("document").key("odd key's").index(3).key("x-y").key("_ok1").key("").key("1a")
	if want := `$.document['odd key\'s'][3]['x-y']._ok1['']['1a']`; string(got) != want {
		t.Errorf("got %s, want %s", got, want)
	}
	paths := []string{"$.a[10].b", "$.a[9].c", "$.a[9].b", "$.a"}
	slices.SortFunc(paths, comparePaths)
	if want := []string{"$.a", "$.a[9].b", "$.a[9].c", "$.a[10].b"}; !slices.Equal(paths, want) {
		t.Errorf("sorted paths %v, want %v", paths, want)
	}
}

func TestParseCWEs(t *testing.T) {
	l, err := loadedCWEs()
	if err != nil {
		t.Fatal(err)
	}
	if l.version != "4.15" || l.newest != 1426 || len(l.names) < 1400 {
		t.Errorf("embedded list: version %q, newest %d, %d names", l.version, l.newest, len(l.names))
	}
	for _, bad := range []string{"", "# CWE 4.15 x. newest 10\nten\tname\n", "79\tname\n"} {
		if _, err := parseCWEs([]byte(bad)); err == nil {
			t.Errorf("parseCWEs(%q): want an error", bad)
		}
	}
}

// TestValidateHostileSize builds a schema-shaped document with long
// relationship chains, a huge revision history and many references, to
// show that no test is worse than linear (the whole run stays well under
// the time a CI job would notice).
func TestValidateHostileSize(t *testing.T) {
	if testing.Short() {
		t.Skip("large input")
	}
	const n = 20000
	m := baseMap(t)
	var rels, revs, refs []any
	for i := range n {
		rels = append(rels, map[string]any{"category": "installed_on",
			"product_reference": fmt.Sprintf("P%d", i), "relates_to_product_reference": "A",
			"full_product_name": map[string]any{"name": "x", "product_id": fmt.Sprintf("P%d", i+1)}})
		revs = append(revs, map[string]any{"date": "2024-01-01T00:00:00Z", "number": fmt.Sprint(i + 1), "summary": "s"})
		refs = append(refs, fmt.Sprintf("P%d", i+1))
	}
	// Close the chain into one long cycle: every product is circular.
	rels[0].(map[string]any)["product_reference"] = fmt.Sprintf("P%d", n)
	setAt(m, rels, "product_tree", "relationships")
	setAt(m, revs, "document", "tracking", "revision_history")
	setAt(m, fmt.Sprint(n), "document", "tracking", "version")
	setAt(m, oneVulnerability(`{"product_status":{}}`), "vulnerabilities")
	m["vulnerabilities"].([]any)[0].(map[string]any)["product_status"].(map[string]any)["known_affected"] = refs
	data, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	r := Validate(data)
	elapsed := time.Since(start)
	circular := 0
	for _, f := range r.Failures {
		if f.Test == "6.1.3" {
			circular++
		}
	}
	if circular != n {
		t.Errorf("%d circular products reported, want %d", circular, n)
	}
	if elapsed > 20*time.Second {
		t.Errorf("validating %d bytes took %v", len(data), elapsed)
	}
	t.Logf("%d bytes, %d failures, %v", len(data), len(r.Failures), elapsed)
}

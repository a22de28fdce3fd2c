package vex

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestDecide(t *testing.T) {
	t1 := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	t2 := t1.Add(24 * time.Hour)
	t3 := t2.Add(24 * time.Hour)
	prod := func(ids ...string) []Product {
		var ps []Product
		for _, id := range ids {
			ps = append(ps, Product{Component: Component{ID: id}})
		}
		return ps
	}
	st := func(vuln string, status Status, ts time.Time, products ...string) Statement {
		s := Statement{Vulnerability: vuln, Status: status, Timestamp: ts, Products: prod(products...), Source: "f.json"}
		if status == StatusNotAffected {
			s.Justification = VulnerableCodeNotPresent
		}
		return s
	}
	withAliases := st("CVE-2024-1", StatusNotAffected, t1, "pkg:npm/lodash@4.17.20")
	withAliases.Aliases = []string{"GHSA-xxxx-yyyy-zzzz"}
	sub := Statement{
		Vulnerability: "CVE-2024-9", Status: StatusNotAffected, Justification: VulnerableCodeNotInExecutePath, Timestamp: t1,
		Products: []Product{{Component: Component{ID: "pkg:oci/app@sha256%3Aabc"}, Subcomponents: []Component{{ID: "pkg:golang/golang.org/x/net@v0.1.0"}}}},
	}
	versioned := Statement{Vulnerability: "CVE-2024-7", Status: StatusNotAffected, Justification: VulnerableCodeNotPresent,
		Products: prod("product-ABC"), Versions: []string{"2.5"}, VersionRanges: []string{"vers:generic/>=1.0|<=2.3"}}
	rangesOnly := Statement{Vulnerability: "CVE-2024-8", Status: StatusNotAffected, Justification: VulnerableCodeNotPresent,
		Products: prod("pkg:npm/a"), VersionRanges: []string{"vers:npm/<2.0.0"}}
	withIdent := Statement{Vulnerability: "CVE-2024-6", Status: StatusFixed,
		Products: []Product{{Component: Component{ID: "urn:cdx:x/1#a", Identifiers: []string{"pkg:pypi/django@4.2.0"}}}}}

	tests := []struct {
		name       string
		stmts      []Statement
		subject    Subject
		want       Status // "" means no decision
		wantTime   time.Time
		suppressed bool
	}{
		{"exact purl", []Statement{st("CVE-2024-1", StatusNotAffected, t1, "pkg:npm/lodash@4.17.20")},
			Subject{VulnIDs: []string{"CVE-2024-1"}, PURL: "pkg:npm/lodash@4.17.20"}, StatusNotAffected, t1, true},
		{"id via alias of the subject", []Statement{st("CVE-2024-1", StatusAffected, t1, "pkg:npm/lodash@4.17.20")},
			Subject{VulnIDs: []string{"GHSA-xxxx-yyyy-zzzz", "CVE-2024-1"}, PURL: "pkg:npm/lodash@4.17.20"}, StatusAffected, t1, false},
		{"id via alias of the statement", []Statement{withAliases},
			Subject{VulnIDs: []string{"GHSA-XXXX-YYYY-ZZZZ"}, PURL: "pkg:npm/lodash@4.17.20"}, StatusNotAffected, t1, true},
		{"id case-insensitive", []Statement{st("cve-2024-1", StatusFixed, t1, "pkg:npm/lodash@4.17.20")},
			Subject{VulnIDs: []string{"CVE-2024-1"}, PURL: "pkg:npm/lodash@4.17.20"}, StatusFixed, t1, false},
		{"other vulnerability", []Statement{st("CVE-2024-2", StatusNotAffected, t1, "pkg:npm/lodash@4.17.20")},
			Subject{VulnIDs: []string{"CVE-2024-1"}, PURL: "pkg:npm/lodash@4.17.20"}, "", time.Time{}, false},
		{"purl without version applies to all versions", []Statement{st("CVE-2024-1", StatusNotAffected, t1, "pkg:npm/lodash")},
			Subject{VulnIDs: []string{"CVE-2024-1"}, PURL: "pkg:npm/lodash@4.17.20"}, StatusNotAffected, t1, true},
		{"purl with other version", []Statement{st("CVE-2024-1", StatusNotAffected, t1, "pkg:npm/lodash@4.17.21")},
			Subject{VulnIDs: []string{"CVE-2024-1"}, PURL: "pkg:npm/lodash@4.17.20"}, "", time.Time{}, false},
		{"versioned statement, versionless subject", []Statement{st("CVE-2024-1", StatusNotAffected, t1, "pkg:npm/lodash@4.17.20")},
			Subject{VulnIDs: []string{"CVE-2024-1"}, PURL: "pkg:npm/lodash"}, "", time.Time{}, false},
		{"purl normalised per type (PyPI)", []Statement{st("CVE-2024-1", StatusFixed, t1, "pkg:pypi/Zope_Interface")},
			Subject{VulnIDs: []string{"CVE-2024-1"}, PURL: "pkg:pypi/zope-interface@5.0"}, StatusFixed, t1, false},
		{"statement without products applies to nothing", []Statement{{Vulnerability: "CVE-2024-1", Status: StatusFixed, Timestamp: t1}},
			Subject{VulnIDs: []string{"CVE-2024-1"}, PURL: "pkg:npm/a@1", ProductIDs: []string{"p"}}, "", time.Time{}, false},
		{"other package", []Statement{st("CVE-2024-1", StatusNotAffected, t1, "pkg:npm/underscore@4.17.20")},
			Subject{VulnIDs: []string{"CVE-2024-1"}, PURL: "pkg:npm/lodash@4.17.20"}, "", time.Time{}, false},
		{"other type", []Statement{st("CVE-2024-1", StatusNotAffected, t1, "pkg:pypi/lodash@4.17.20")},
			Subject{VulnIDs: []string{"CVE-2024-1"}, PURL: "pkg:npm/lodash@4.17.20"}, "", time.Time{}, false},
		{"statement qualifier must be on the subject", []Statement{st("CVE-2024-1", StatusFixed, t1, "pkg:apk/wolfi/git@2.39.0-r1?arch=x86_64")},
			Subject{VulnIDs: []string{"CVE-2024-1"}, PURL: "pkg:apk/wolfi/git@2.39.0-r1"}, "", time.Time{}, false},
		{"extra subject qualifier ignored", []Statement{st("CVE-2024-1", StatusFixed, t1, "pkg:apk/wolfi/git@2.39.0-r1")},
			Subject{VulnIDs: []string{"CVE-2024-1"}, PURL: "pkg:apk/wolfi/git@2.39.0-r1?arch=x86_64"}, StatusFixed, t1, false},
		{"latest timestamp wins", []Statement{
			st("CVE-2024-1", StatusUnderInvestigation, t1, "pkg:npm/lodash"),
			st("CVE-2024-1", StatusNotAffected, t3, "pkg:npm/lodash@4.17.20"),
			st("CVE-2024-1", StatusAffected, t2, "pkg:npm/lodash@4.17.20"),
		}, Subject{VulnIDs: []string{"CVE-2024-1"}, PURL: "pkg:npm/lodash@4.17.20"}, StatusNotAffected, t3, true},
		{"later in input wins a tie", []Statement{
			st("CVE-2024-1", StatusNotAffected, t2, "pkg:npm/lodash"),
			st("CVE-2024-1", StatusAffected, t2, "pkg:npm/lodash"),
		}, Subject{VulnIDs: []string{"CVE-2024-1"}, PURL: "pkg:npm/lodash@1.0.0"}, StatusAffected, t2, false},
		{"non-matching newer statement ignored", []Statement{
			st("CVE-2024-1", StatusNotAffected, t1, "pkg:npm/lodash"),
			st("CVE-2024-1", StatusAffected, t3, "pkg:npm/other"),
		}, Subject{VulnIDs: []string{"CVE-2024-1"}, PURL: "pkg:npm/lodash@1.0.0"}, StatusNotAffected, t1, true},
		{"component id (bom-ref)", []Statement{st("CVE-2024-1", StatusFixed, t1, "acme-lib")},
			Subject{VulnIDs: []string{"CVE-2024-1"}, ComponentID: "acme-lib"}, StatusFixed, t1, false},
		{"whole-product statement applies to its findings", []Statement{st("CVE-2024-1", StatusNotAffected, t1, "acme-product")},
			Subject{VulnIDs: []string{"CVE-2024-1"}, PURL: "pkg:maven/x/y@1", ProductIDs: []string{"acme-product"}}, StatusNotAffected, t1, true},
		{"whole-product statement, other product", []Statement{st("CVE-2024-1", StatusNotAffected, t1, "acme-product")},
			Subject{VulnIDs: []string{"CVE-2024-1"}, PURL: "pkg:maven/x/y@1", ProductIDs: []string{"other-product"}}, "", time.Time{}, false},
		{"subcomponent in matching product", []Statement{sub},
			Subject{VulnIDs: []string{"CVE-2024-9"}, PURL: "pkg:golang/golang.org/x/net@v0.1.0", ProductIDs: []string{"pkg:oci/app@sha256%3Aabc"}}, StatusNotAffected, t1, true},
		{"subcomponent in other product", []Statement{sub},
			Subject{VulnIDs: []string{"CVE-2024-9"}, PURL: "pkg:golang/golang.org/x/net@v0.1.0", ProductIDs: []string{"pkg:oci/other"}}, "", time.Time{}, false},
		{"subcomponent, product unknown", []Statement{sub},
			Subject{VulnIDs: []string{"CVE-2024-9"}, PURL: "pkg:golang/golang.org/x/net@v0.1.0"}, StatusNotAffected, t1, true},
		{"product itself is not its subcomponent", []Statement{sub},
			Subject{VulnIDs: []string{"CVE-2024-9"}, PURL: "pkg:oci/app@sha256%3Aabc"}, "", time.Time{}, false},
		{"product version unknown", []Statement{versioned},
			Subject{VulnIDs: []string{"CVE-2024-7"}, PURL: "pkg:generic/lib@1", ProductIDs: []string{"product-ABC", "pkg:generic/abc@2.5"}}, "", time.Time{}, false},
		{"in version range", []Statement{rangesOnly},
			Subject{VulnIDs: []string{"CVE-2024-8"}, PURL: "pkg:npm/a@1.0.0"}, StatusNotAffected, time.Time{}, true},
		{"outside version range", []Statement{rangesOnly},
			Subject{VulnIDs: []string{"CVE-2024-8"}, PURL: "pkg:npm/a@2.0.0"}, "", time.Time{}, false},
		{"listed product version", []Statement{versioned},
			Subject{VulnIDs: []string{"CVE-2024-7"}, PURL: "pkg:generic/lib@1", ProductIDs: []string{"product-ABC"}, ProductVersion: "2.5"}, StatusNotAffected, time.Time{}, true},
		{"product version in range", []Statement{versioned},
			Subject{VulnIDs: []string{"CVE-2024-7"}, PURL: "pkg:generic/lib@1", ProductIDs: []string{"product-ABC"}, ProductVersion: "2.0"}, StatusNotAffected, time.Time{}, true},
		{"product version outside", []Statement{versioned},
			Subject{VulnIDs: []string{"CVE-2024-7"}, PURL: "pkg:generic/lib@1", ProductIDs: []string{"product-ABC"}, ProductVersion: "3.0"}, "", time.Time{}, false},
		{"identifier other than @id", []Statement{withIdent},
			Subject{VulnIDs: []string{"CVE-2024-6"}, PURL: "pkg:pypi/django@4.2.0"}, StatusFixed, time.Time{}, false},
		{"no statements", nil, Subject{VulnIDs: []string{"CVE-2024-1"}, PURL: "pkg:npm/a@1"}, "", time.Time{}, false},
		{"empty subject", []Statement{st("CVE-2024-1", StatusFixed, t1, "pkg:npm/a")}, Subject{}, "", time.Time{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, ok := Decide(tt.stmts, tt.subject)
			if xd, xok := NewIndex(tt.stmts).Decide(tt.subject); xok != ok || xd.Reason != d.Reason {
				t.Errorf("Index.Decide = %q, %v; Decide = %q, %v", xd.Reason, xok, d.Reason, ok)
			}
			if tt.want == "" {
				if ok {
					t.Fatalf("got decision %+v, want none", d)
				}
				return
			}
			if !ok {
				t.Fatalf("no decision, want %s", tt.want)
			}
			if d.Statement.Status != tt.want || !d.Statement.Timestamp.Equal(tt.wantTime) || d.Suppress != tt.suppressed {
				t.Errorf("got %s at %v suppress=%v, want %s at %v suppress=%v",
					d.Statement.Status, d.Statement.Timestamp, d.Suppress, tt.want, tt.wantTime, tt.suppressed)
			}
			if !strings.HasPrefix(d.Reason, string(tt.want)) {
				t.Errorf("reason %q does not start with the status", d.Reason)
			}
		})
	}
}

// TestDecideVersionList: a CycloneDX statement limited to listed versions
// applies when the matched purl has one of them.
func TestDecideVersionList(t *testing.T) {
	st := Statement{Vulnerability: "CVE-1", Status: StatusFixed, Products: []Product{{Component: Component{ID: "pkg:npm/a"}}}, Versions: []string{"1.0.0", "1.0.1"}}
	for purl, want := range map[string]bool{"pkg:npm/a@1.0.1": true, "pkg:npm/a@2.0.0": false, "pkg:npm/a": false} {
		if _, ok := Decide([]Statement{st}, Subject{VulnIDs: []string{"CVE-1"}, PURL: purl}); ok != want {
			t.Errorf("%s: applies=%v, want %v", purl, ok, want)
		}
	}
}

// TestDecideCorpus decides real findings against real documents.
func TestDecideCorpus(t *testing.T) {
	tests := []struct {
		file    string
		subject Subject
		want    string // Reason prefix; "" means no decision
	}{
		{"openvex/v0.2.0.json", Subject{VulnIDs: []string{"CVE-2023-1255"}, PURL: "pkg:apk/alpine/libssl3@3.0.8-r3"}, "fixed (VEX testdata/openvex/v0.2.0.json statements[0])"},
		{"openvex/v0.2.0.json", Subject{VulnIDs: []string{"CVE-2023-1255"}, PURL: "pkg:apk/alpine/libssl3@3.0.9-r0"}, ""},
		{"openvex/vexctl-oci-vexctl.openvex.json", Subject{VulnIDs: []string{"CVE-2014-12345678"}, ComponentID: "x", ProductIDs: []string{"pkg:oci/vexctl@sha256%3A00"}}, "not_affected: vulnerable_code_not_present"},
		{"cyclonedx/vex.json", Subject{VulnIDs: []string{"SNYK-JAVA-COMFASTERXMLJACKSONCORE-1048302"}, PURL: "pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.10.0?type=jar"}, "not_affected: vulnerable_code_not_in_execute_path: Automated dataflow"},
		{"cyclonedx/vex.json", Subject{VulnIDs: []string{"CVE-2020-25649"}, PURL: "pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.10.0"}, ""}, // statement needs ?type=jar
		{"cyclonedx/CISA-Use-Cases-Case-1-vex-not_affected.json", Subject{VulnIDs: []string{"CVE-2021-44228"}, PURL: "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1", ProductIDs: []string{"product-ABC"}}, "not_affected: vulnerable_code_not_present"},
		{"cyclonedx/Use-Cases-Case-4-vex.json", Subject{VulnIDs: []string{"CVE-2020-25649"}, ComponentID: "c", ProductIDs: []string{"acme-product"}, ProductVersion: "2.3.0"}, "not_affected: vulnerable_code_not_in_execute_path"},
		{"cyclonedx/Use-Cases-Case-4-vex.json", Subject{VulnIDs: []string{"CVE-2020-25649"}, ComponentID: "c", ProductIDs: []string{"acme-product"}, ProductVersion: "2.5.0"}, ""},
		{"cyclonedx/Use-Cases-Case-5-vex.json", Subject{VulnIDs: []string{"CVE-2020-25649"}, ComponentID: "c", ProductIDs: []string{"acme-product"}, ProductVersion: "2.0.0"}, "affected"},
		{"cyclonedx/Use-Cases-Case-5-vex.json", Subject{VulnIDs: []string{"CVE-2020-25649"}, ComponentID: "c", ProductIDs: []string{"acme-product"}, ProductVersion: "7.1.0"}, "not_affected"},
		{"cyclonedx/CISA-Use-Cases-Case-8-vex.json", Subject{VulnIDs: []string{"CVE-2021-44228"}, ComponentID: "c", ProductIDs: []string{"urn:cdx:e4c3eedc-4978-470c-ad02-6ffff63738ff/1#product-JKL"}, ProductVersion: "5.1"}, "fixed"},
		{"cyclonedx/CISA-Use-Cases-Case-8-vex.json", Subject{VulnIDs: []string{"CVE-2021-44228"}, ComponentID: "c", ProductIDs: []string{"urn:cdx:e4c3eedc-4978-470c-ad02-6ffff63738ff/1#product-JKL"}, ProductVersion: "3.0"}, "not_affected: vulnerable_code_not_present"},
		{"cyclonedx/CISA-Use-Cases-Case-8-vex.json", Subject{VulnIDs: []string{"CVE-2021-44228"}, ComponentID: "c", ProductIDs: []string{"urn:cdx:cbb2cd68-2857-43b8-a10b-e8c03d277d18/1#product-ABC"}, ProductVersion: "3.0"}, "affected"},
		{"cyclonedx/Use-Cases-Case-12-vex.json", Subject{VulnIDs: []string{"CVE-2020-35491"}, ComponentID: "c", ProductIDs: []string{"acme-product"}}, "affected: Update to Acme Product v2.4.0"},
	}
	for _, tt := range tests {
		t.Run(tt.file+" "+tt.subject.VulnIDs[0]+" "+tt.subject.ProductVersion, func(t *testing.T) {
			sts, err := ReadFile(filepath.Join("testdata", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			d, ok := Decide(sts, tt.subject)
			if tt.want == "" {
				if ok {
					t.Fatalf("got %q, want no decision", d.Reason)
				}
				return
			}
			if !ok || !strings.HasPrefix(d.Reason, tt.want) {
				t.Fatalf("got %q (ok=%v), want prefix %q", d.Reason, ok, tt.want)
			}
		})
	}
}

// TestDecideAcrossFiles merges real documents: the later statement about
// the same vulnerability and product wins, across OpenVEX versions.
func TestDecideAcrossFiles(t *testing.T) {
	tests := []struct {
		files []string
		want  Status
	}{
		{[]string{"v001-1.vex.json", "v001-2.vex.json"}, StatusFixed},
		{[]string{"v001-2.vex.json", "v001-1.vex.json"}, StatusFixed}, // order does not beat time
		{[]string{"vexctl-document2.vex.json", "vexctl-document1.vex.json"}, StatusFixed},
		{[]string{"v020-1.vex.json", "v001-1.vex.json"}, StatusUnderInvestigation},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.files, "+"), func(t *testing.T) {
			var paths []string
			for _, f := range tt.files {
				paths = append(paths, filepath.Join("testdata", "openvex", f))
			}
			sts, err := ReadFiles(paths...)
			if err != nil {
				t.Fatal(err)
			}
			d, ok := Decide(sts, Subject{VulnIDs: []string{"CVE-1234-5678", "CVE-9876-54321"}, PURL: "pkg:apk/wolfi/bash@1.0.0"})
			if !ok || d.Statement.Status != tt.want {
				t.Fatalf("got %q (ok=%v), want %s", d.Reason, ok, tt.want)
			}
		})
	}
	if _, err := ReadFiles(filepath.Join("testdata", "openvex", "v0.2.0.json"), filepath.Join("testdata", "openvex", "vex.yaml")); err == nil || !strings.Contains(err.Error(), "vex.yaml") {
		t.Errorf("ReadFiles should fail naming the bad file, got %v", err)
	}
}

// BenchmarkIndexDecide decides 1,000 findings against 5,000 statements.
func BenchmarkIndexDecide(b *testing.B) {
	var sts []Statement
	for i := range 5000 {
		sts = append(sts, Statement{Vulnerability: fmt.Sprintf("CVE-2024-%d", i), Aliases: []string{fmt.Sprintf("GHSA-%d", i)},
			Status: StatusFixed, Products: []Product{{Component: Component{ID: fmt.Sprintf("pkg:npm/p%d", i%100)}}}})
	}
	var subs []Subject
	for i := range 1000 {
		subs = append(subs, Subject{VulnIDs: []string{fmt.Sprintf("GO-%d", i), fmt.Sprintf("CVE-2024-%d", i*5)}, PURL: fmt.Sprintf("pkg:npm/p%d@1.0.0", i*5%100)})
	}
	x := NewIndex(sts)
	b.ResetTimer()
	for b.Loop() {
		for _, s := range subs {
			if _, ok := x.Decide(s); !ok {
				b.Fatal("no decision")
			}
		}
	}
}

// TestCycloneDXContradictingVersions: versions whose own status contradicts
// the analysis are left out, and an affects entry left with no versions
// does not turn into a statement about every version.
func TestCycloneDXContradictingVersions(t *testing.T) {
	doc := `{"bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1, "vulnerabilities": [
	  {"id": "CVE-1", "analysis": {"state": "not_affected", "justification": "code_not_present"},
	   "affects": [{"ref": "pkg:npm/a", "versions": [{"version": "1.0.0", "status": "affected"}]},
	               {"ref": "pkg:npm/b", "versions": [{"version": "2.0.0", "status": "affected"}, {"version": "2.0.1", "status": "unaffected"}]}]}]}`
	sts, err := Read("mixed.json", strings.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	for purl, want := range map[string]bool{
		"pkg:npm/a@1.0.0": false, "pkg:npm/a@9.9.9": false,
		"pkg:npm/b@2.0.0": false, "pkg:npm/b@2.0.1": true,
	} {
		if _, ok := Decide(sts, Subject{VulnIDs: []string{"CVE-1"}, PURL: purl}); ok != want {
			t.Errorf("%s: applies=%v, want %v", purl, ok, want)
		}
	}
}

package vex

import (
	"bytes"
	"os"
	"strings"
	"testing"
)

// FuzzRead feeds arbitrary bytes to Read, seeded with every test document.
// Read must not panic; what it accepts must name its source, carry a valid
// status, never be a bare not_affected, and write back out.
func FuzzRead(f *testing.F) {
	for _, path := range inputs(f) {
		data, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(`{"_type": "https://in-toto.io/Statement/v1", "predicateType": "https://openvex.dev/ns/v0.2.0", "predicate": {"statements": [{"vulnerability": {"name": "CVE-1"}, "status": "fixed"}]}}`))
	f.Add([]byte(`{"bomFormat": "CycloneDX", "specVersion": "1.6", "vulnerabilities": [{"id": "CVE-1", "analysis": {"state": "false_positive"}, "affects": [{"ref": "pkg:npm/a", "versions": [{"version": "1.0.0"}]}]}]}`))
	ovx, cdxs := openVEXSchema(f), cycloneDXSchema(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		sts, err := Read("fuzz.json", bytes.NewReader(data))
		if err != nil {
			if !strings.Contains(err.Error(), "fuzz.json") {
				t.Fatalf("error does not name the input: %v", err)
			}
			return
		}
		for _, st := range sts {
			if st.Source != "fuzz.json" || !st.Status.Valid() || st.Vulnerability == "" {
				t.Fatalf("bad statement %+v", st)
			}
			if st.Status == StatusNotAffected && st.Justification == "" && strings.TrimSpace(st.ImpactStatement) == "" {
				t.Fatalf("bare not_affected accepted: %+v", st)
			}
			Decide(sts, Subject{VulnIDs: []string{st.Vulnerability}, PURL: "pkg:npm/a@1.0.0", ProductIDs: []string{"x"}})
		}
		doc := Document{Author: "fuzz", Timestamp: issued, Statements: sts}
		var o, c bytes.Buffer
		if err := WriteOpenVEX(&o, doc); err != nil {
			return // e.g. a whitespace-only vulnerability name
		}
		validate(t, ovx, o.Bytes())
		if _, err := Read("o.json", &o); err != nil {
			t.Fatalf("written OpenVEX does not read back: %v\n%s", err, o.Bytes())
		}
		if err := WriteCycloneDXVEX(&c, doc); err != nil {
			t.Fatalf("CycloneDX write failed where OpenVEX succeeded: %v", err)
		}
		validate(t, cdxs, c.Bytes())
		if _, err := Read("c.json", &c); err != nil {
			t.Fatalf("written CycloneDX does not read back: %v\n%s", err, c.Bytes())
		}
	})
}

package checks

import (
	"strings"
	"testing"
)

// Fuzz targets for the other readers of outside input: file contents
// scanned for secrets, manifests inspected for dependencies, and file
// headers read for executable formats. Invariants: no panic, and redacted
// evidence never holds the whole secret.

func FuzzFindSecrets(f *testing.F) {
	f.Add([]byte(pemBlock("RSA ")))
	f.Add([]byte("token=" + fakeToken("gh"+"p_", 36)))
	f.Add([]byte("-----BEGIN PGP PRIVATE KEY BLOCK-----\nVersion: x\n\n" + strings.Repeat("A", 64) + "\n"))
	f.Add([]byte(fakeUpper("AK"+"IA", 16) + " " + fakeToken("xo"+"xb-", 12)))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, s := range findSecrets(data) {
			if s.line < 1 {
				t.Fatalf("line %d", s.line)
			}
			if !strings.Contains(s.redacted, "redacted") {
				t.Fatalf("evidence %q not redacted", s.redacted)
			}
			if prefix, _, ok := strings.Cut(s.redacted, "…"); ok && len(prefix) > 40 {
				t.Fatalf("evidence keeps %d characters", len(prefix))
			}
		}
	})
}

func FuzzInspectManifests(f *testing.F) {
	f.Add([]byte("[project]\ndependencies = [\n  \"requests\",\n]\n[[bin]]\nname = \"x\"\n"))
	f.Add([]byte("[tool.poetry.dependencies]\npython = \"^3.11\"\n"))
	f.Add([]byte(`{"type": "project", "require": {"a/b": "1"}, "dependencies": {"x": "1"}}`))
	f.Add([]byte("module x\nrequire a v1\n"))
	repo := &Repo{Files: []string{"src/main.rs"}}
	f.Fuzz(func(t *testing.T, data []byte) {
		_ = tomlSections(data)
		for _, r := range lockRules {
			r.inspect(repo, r.manifest, data)
		}
	})
}

func FuzzExecutableKind(f *testing.F) {
	f.Add("a.jar", []byte("PK\x03\x04"))
	f.Add("x", []byte("\xca\xfe\xba\xbe\x00\x00\x00\x02"))
	f.Add("x", []byte("MZ"+strings.Repeat("\x00", 0x3a)+"\xff\xff\xff\x7f"))
	f.Fuzz(func(t *testing.T, name string, head []byte) {
		_ = executableKind(name, head)
	})
}

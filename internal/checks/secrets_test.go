package checks

import (
	"slices"
	"strings"
	"testing"

	"github.com/craft-cra/craft/internal/config"
)

// Fake credentials are assembled at run time, so that this file holds no
// string a secret scanner (craft's or a forge's) would report.
func fakeToken(prefix string, n int) string {
	const alphabet = "aB3dE6gH9jK2mN5pQ8sT1vW4yZ7cF0"
	var b strings.Builder
	b.WriteString(prefix)
	for i := range n {
		b.WriteByte(alphabet[(i*7+3)%len(alphabet)])
	}
	return b.String()
}

func fakeUpper(prefix string, n int) string {
	const alphabet = "QWERTZ2345UIOPASD6789FGHJKL"
	var b strings.Builder
	b.WriteString(prefix)
	for i := range n {
		b.WriteByte(alphabet[(i*5+1)%len(alphabet)])
	}
	return b.String()
}

func pemBlock(kind string) string {
	return "-----BEGIN " + kind + "PRIVATE KEY-----\n" + strings.Repeat("MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7", 1) + "\n-----END " + kind + "PRIVATE KEY-----\n"
}

func TestSecretsCheck(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		want  []Outcome
		kind  string
	}{
		{name: "rsa_key", files: map[string]string{"deploy/id_rsa": pemBlock("RSA ")}, want: fail, kind: "private key"},
		{name: "openssh_key", files: map[string]string{"keys/host": pemBlock("OPENSSH ")}, want: fail, kind: "private key"},
		{name: "pkcs8_key_in_yaml", files: map[string]string{"config/tls.yaml": "key: |\n  " + strings.ReplaceAll(pemBlock(""), "\n", "\n  ")}, want: fail, kind: "private key"},
		{name: "aws", files: map[string]string{"settings.py": "AWS_ACCESS_KEY_ID = '" + fakeUpper("AK"+"IA", 16) + "'\n"}, want: fail, kind: "AWS access key ID"},
		{name: "github_classic", files: map[string]string{".env": "TOKEN=" + fakeToken("gh"+"p_", 36) + "\n"}, want: fail, kind: "GitHub token"},
		{name: "github_fine_grained", files: map[string]string{"ci.sh": "export T=" + fakeToken("github"+"_pat_", 82) + "\n"}, want: fail, kind: "GitHub fine-grained token"},
		{name: "slack", files: map[string]string{"bot.js": "const t = '" + fakeToken("xo"+"xb-", 12) + "-" + fakeToken("", 24) + "';\n"}, want: fail, kind: "Slack token"},
		{name: "google", files: map[string]string{"web/app.js": "apiKey: \"" + fakeToken("AI"+"za", 35) + "\"\n"}, want: fail, kind: "Google API key"},
		{name: "stripe_live", files: map[string]string{"billing.rb": "Stripe.api_key = '" + fakeToken("sk"+"_live_", 24) + "'\n"}, want: fail, kind: "Stripe live key"},

		{name: "pem_header_in_code", files: map[string]string{"pem.go": "const header = \"-----BEGIN RSA PRIVATE KEY-----\"\nif bytes.HasPrefix(b, []byte(header)) {\n"}, want: pass},
		{name: "placeholder_token", files: map[string]string{"README.md": "GITHUB_TOKEN=gh" + "p_" + strings.Repeat("x", 36) + "\n"}, want: pass},
		{name: "aws_example_key", files: map[string]string{"docs.txt": "AK" + "IAIOSFODNN7EXAMPLE\n"}, want: pass},
		{name: "stripe_test_key", files: map[string]string{"pay.js": fakeToken("sk"+"_test_", 24) + "\n"}, want: pass},
		{name: "in_testdata", files: map[string]string{"testdata/key.pem": pemBlock("RSA ")}, want: pass},
		{name: "in_lockfile", files: map[string]string{"package-lock.json": "\"integrity\": \"" + fakeToken("AI"+"za", 35) + "\"\n"}, want: pass},
		{name: "binary_file", files: map[string]string{"blob.bin": "\x00\x01" + fakeToken("gh"+"p_", 36)}, want: pass},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rs := runOneCheck(t, "secrets.committed", writeTree(t, tt.files), config.Config{})
			if !slices.Equal(outcomes(rs), tt.want) {
				t.Fatalf("outcomes %v, want %v: %+v", outcomes(rs), tt.want, rs)
			}
			if tt.kind == "" {
				return
			}
			if !strings.HasPrefix(rs[0].Message, tt.kind+" committed") {
				t.Errorf("message %q, want kind %q", rs[0].Message, tt.kind)
			}
			if rs[0].Locations[0].Line == 0 {
				t.Errorf("no line: %+v", rs[0])
			}
			// The evidence must not carry the secret.
			for _, content := range tt.files {
				for _, field := range strings.FieldsFunc(content, func(r rune) bool { return strings.ContainsRune(" '\"=\n:", r) }) {
					if len(field) >= 20 && strings.Contains(rs[0].Evidence, field) {
						t.Errorf("evidence %q contains %q", rs[0].Evidence, field)
					}
				}
			}
		})
	}
}

// A secret in a file git ignores (a local .env) is not committed.
func TestSecretsIgnoredFile(t *testing.T) {
	g := newGitFixture(t)
	g.commit("init", map[string]string{".gitignore": ".env\n", "main.go": "package main\n"})
	g.write(map[string]string{".env": "TOKEN=" + fakeToken("gh"+"p_", 36) + "\n"})
	if rs := runOneCheck(t, "secrets.committed", g.dir, config.Config{}); !slices.Equal(outcomes(rs), pass) {
		t.Errorf("%+v", rs)
	}
	g.commit("oops", map[string]string{".env": "TOKEN=" + fakeToken("gh"+"p_", 36) + "\n"})
	if rs := runOneCheck(t, "secrets.committed", g.dir, config.Config{}); !slices.Equal(outcomes(rs), fail) {
		t.Errorf("after commit: %+v", rs)
	}
}

func TestBinariesCheck(t *testing.T) {
	pe := make([]byte, 0x90)
	copy(pe, "MZ")
	pe[0x3c] = 0x80
	copy(pe[0x80:], "PE\x00\x00")
	tests := []struct {
		name  string
		files map[string]string
		want  []Outcome
		msg   string
	}{
		{name: "elf", files: map[string]string{"bin/tool": "\x7fELF\x02\x01\x01\x00"}, want: fail, msg: "ELF"},
		{name: "pe", files: map[string]string{"tools/setup.dat": string(pe)}, want: fail, msg: "Windows PE"},
		{name: "macho", files: map[string]string{"lib/libx.dylib": "\xcf\xfa\xed\xfe\x07\x00\x00\x01"}, want: fail, msg: "Mach-O"},
		{name: "macho_universal", files: map[string]string{"app": "\xca\xfe\xba\xbe\x00\x00\x00\x02"}, want: fail, msg: "universal"},
		{name: "java_class", files: map[string]string{"Main.class": "\xca\xfe\xba\xbe\x00\x00\x00\x41"}, want: fail, msg: "Java class"},
		{name: "jar", files: map[string]string{"lib/dep.jar": "PK\x03\x04rest"}, want: fail, msg: "Java archive"},
		{name: "gradle_wrapper", files: map[string]string{"gradle/wrapper/gradle-wrapper.jar": "PK\x03\x04rest"}, want: warn, msg: "wrapper jar"},
		{name: "in_testdata", files: map[string]string{"testdata/elf/hello": "\x7fELF\x02"}, want: pass},
		{name: "zip_archive", files: map[string]string{"assets/fonts.zip": "PK\x03\x04rest"}, want: pass},
		{name: "text_starting_mz", files: map[string]string{"notes.txt": "MZ is the DOS magic; this text is long enough to have bytes at offset 0x3c and beyond it"}, want: pass},
		{name: "exe_named_text", files: map[string]string{"run.exe": "echo hello\n"}, want: pass},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rs := runOneCheck(t, "repo.binaries", writeTree(t, tt.files), config.Config{})
			if !slices.Equal(outcomes(rs), tt.want) || !strings.Contains(rs[0].Message, tt.msg) {
				t.Errorf("results %+v, want %v with %q", rs, tt.want, tt.msg)
			}
		})
	}
}

package osv

import "testing"

func TestNormalizeName(t *testing.T) {
	tests := []struct{ eco, in, want string }{
		{"PyPI", "Django", "django"},
		{"PyPI", "zope.interface", "zope-interface"},
		{"PyPI", "Foo__Bar-.baz", "foo-bar-baz"},
		{"Go", "github.com/BurntSushi/toml", "github.com/BurntSushi/toml"},
		{"Maven", "org.apache.logging.log4j:log4j-core", "org.apache.logging.log4j:log4j-core"},
		{"npm", "@babel/core", "@babel/core"},
		{"NuGet", "Newtonsoft.Json", "newtonsoft.json"},
		{"Packagist", "Symfony/HTTP-Kernel", "symfony/http-kernel"},
		{"crates.io", "serde_json", "serde-json"},
		{"Debian:12", "OpenSSL", "OpenSSL"},
	}
	for _, tt := range tests {
		if got := NormalizeName(tt.eco, tt.in); got != tt.want {
			t.Errorf("NormalizeName(%q, %q) = %q, want %q", tt.eco, tt.in, got, tt.want)
		}
	}
}

func TestBaseEcosystem(t *testing.T) {
	for in, want := range map[string]string{"Debian:12": "Debian", "Ubuntu:22.04:LTS": "Ubuntu", "PyPI": "PyPI", "": ""} {
		if got := BaseEcosystem(in); got != want {
			t.Errorf("BaseEcosystem(%q) = %q, want %q", in, got, want)
		}
	}
}

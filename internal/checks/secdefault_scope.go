package checks

import (
	"path"
	"regexp"
	"strings"
)

// sdKind is how a file is read by the secure-default rules.
type sdKind int

const (
	sdSkip sdKind = iota
	sdYAML
	sdJSON
	sdTOML
	sdINI
	sdEnv
	sdProperties
	sdDockerfile
	sdConf // nginx, or INI-like when it is not nginx
	sdRedis
	sdPython
	sdGo
	sdJS
	sdJava
	sdShell
)

// sdSkippedDirs hold no shipped configuration: CI, editor and dev
// container settings, build output, virtual environments, translations.
var sdSkippedDirs = map[string]bool{
	".github": true, ".gitlab": true, ".circleci": true, ".vscode": true, ".idea": true,
	".devcontainer": true, "dist": true, "build": true, "target": true, ".next": true,
	"__pycache__": true, "site-packages": true, ".venv": true, "venv": true, ".tox": true,
	"third_party": true, "third-party": true, "locales": true, "locale": true, "i18n": true,
	"translations": true, "lang": true, ".terraform": true, "bower_components": true,
	"dev": true, "development": true, "benchmarks": true, "bench": true, "hack": true,
	"contrib": true, "ci": true, "_vendor": true, "vendored": true, "benchmark": true, ".ci": true, "tools": true, "scripts/dev": true,
}

// testLikeDirRe matches directory names of test data that IsTestPath does
// not list: testfiles, testfixtures, integration-tests, _examples.
var testLikeDirRe = regexp.MustCompile(`(?i)^[_.]?(test.*|.+[-_]tests?|.*fixtures?|.*testdata|examples?|samples?|demos?|integration|interop|clusterfuzzlite|fuzz|fuzzing)$|(^|[-_.])(dev|devel|e2e|mock|mocks|bench|benchmarks?)([-_.]|$)`)

// dockerDevRe matches Dockerfile suffixes of development and CI images:
// Dockerfile.lint, Dockerfile.vendor, Dockerfile.dev, build.Dockerfile.
var dockerDevRe = regexp.MustCompile(`(?i)(^|[._-])(dev|develop|development|local|test|tests|testing|ci|lint|vendor|tools?|tooling|docs?|generate|gen|validate|check|bench|fuzz|cross|shell|shellcheck|authors|e2e|debug|build|builder|example|sample|cover|coverage|gitpod|fuzz|template|tmpl|tpl|j2)([._-]|$)`)

// sdToolFiles configure development tools, not the product.
var sdToolFiles = map[string]bool{
	"package.json": true, "package-lock.json": true, "composer.json": true, "composer.lock": true,
	"tsconfig.json": true, "jsconfig.json": true, ".eslintrc.json": true, ".eslintrc.yml": true,
	".eslintrc.yaml": true, ".prettierrc": true, ".prettierrc.json": true, ".babelrc": true,
	"renovate.json": true, ".renovaterc.json": true, "pyproject.toml": true, "cargo.toml": true,
	"setup.cfg": true, "tox.ini": true, "pytest.ini": true, "mypy.ini": true, ".flake8": true,
	".pylintrc": true, ".editorconfig": true, ".golangci.yml": true, ".golangci.yaml": true,
	".goreleaser.yml": true, ".goreleaser.yaml": true, ".gitlab-ci.yml": true, ".travis.yml": true,
	"mkdocs.yml": true, "netlify.toml": true, "vercel.json": true, ".pre-commit-config.yaml": true,
	"codecov.yml": true, ".codecov.yml": true, "dependabot.yml": true, "jest.config.json": true,
	"lerna.json": true, "nx.json": true, "angular.json": true, "app.json": true, "manifest.json": true,
	"pnpm-lock.yaml": true, "yarn.lock": true, "pubspec.yaml": true, "chart.yaml": true,
	"catalog-info.yaml": true, "openapi.yaml": true, "openapi.json": true, "swagger.json": true,
	"swagger.yaml": true, "craft.yaml": true,
}

// devNameRe matches file names of development, test and template
// variants: docker-compose.dev.yml, settings_local.py, .env.example,
// config.sample.yaml, Dockerfile.test.
var devNameRe = regexp.MustCompile(`(?i)(^|[._-])(dev|develop|development|local|test|tests|testing|ci|example|examples|sample|samples|template|tmpl|mock|fake|demo|e2e|stage|staging)([._-]|$)`)

// localeSuffixRe matches the locale suffix of a resource bundle (_de, _pt_BR).
var localeSuffixRe = regexp.MustCompile(`_[a-z]{2}(_[A-Z]{2})?$`)

// classifySecdefault decides whether and how a file is read. Paths of
// tests, examples, fixtures, docs, CI and development variants are out of
// scope: the rules are about what the product ships.
func classifySecdefault(rel string) sdKind {
	if IsTestPath(rel) {
		return sdSkip
	}
	dir, base := path.Split(rel)
	for _, seg := range strings.Split(strings.Trim(dir, "/"), "/") {
		if sdSkippedDirs[strings.ToLower(seg)] || testLikeDirRe.MatchString(seg) {
			return sdSkip
		}
	}
	lower := strings.ToLower(base)
	if sdToolFiles[lower] {
		return sdSkip
	}
	// .env and .env.production are read; .env.example and .env.local are not.
	if lower == ".env" || strings.HasSuffix(lower, ".env") || strings.HasPrefix(lower, ".env.") {
		if devNameRe.MatchString(strings.TrimPrefix(lower, ".env")) {
			return sdSkip
		}
		return sdEnv
	}
	if lower == "dockerfile" || lower == "containerfile" ||
		(strings.HasPrefix(lower, "dockerfile.") && !strings.Contains(lower[len("dockerfile."):], ".")) ||
		strings.HasSuffix(lower, ".dockerfile") {
		if dockerDevRe.MatchString(strings.TrimSuffix(strings.TrimPrefix(lower, "dockerfile"), ".dockerfile")) {
			return sdSkip
		}
		return sdDockerfile
	}
	ext := path.Ext(lower)
	stem := strings.TrimSuffix(lower, ext)
	if devNameRe.MatchString(stem) {
		return sdSkip
	}
	switch ext {
	case ".yaml", ".yml":
		return sdYAML
	case ".json":
		if strings.HasSuffix(stem, ".min") || strings.HasSuffix(stem, "lock") {
			return sdSkip
		}
		return sdJSON
	case ".toml":
		return sdTOML
	case ".ini", ".cfg", ".cnf":
		return sdINI
	case ".conf":
		if strings.HasPrefix(lower, "redis") || strings.HasPrefix(lower, "sentinel") {
			return sdRedis
		}
		return sdConf
	case ".properties":
		// Resource bundles (messages.properties, strings_de.properties)
		// hold UI text, not settings.
		if strings.Contains(stem, "message") || strings.Contains(stem, "strings") || localeSuffixRe.MatchString(stem) {
			return sdSkip
		}
		return sdProperties
	case ".py":
		return sdPython
	case ".go":
		return sdGo
	case ".js", ".mjs", ".cjs", ".ts", ".mts", ".cts":
		if strings.HasSuffix(stem, ".min") || strings.HasSuffix(stem, ".d") || strings.HasSuffix(stem, ".bundle") {
			return sdSkip
		}
		return sdJS
	case ".java", ".kt":
		return sdJava
	case ".sh", ".bash":
		return sdShell
	}
	return sdSkip
}

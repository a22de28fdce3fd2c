package checks

// processChecks lists the secure-development-process and disclosure
// checks (CRA Annex I Part II, Art. 13(8)), in report order. Every ID is
// stable and documented in docs/checks.md under an anchor of the same name.
func processChecks() []Check {
	return []Check{
		{
			ID:           "cvd.security-md",
			Title:        "Vulnerability disclosure policy with a contact and response times",
			Requirements: []string{"AI-P2-5", "AI-P2-6"},
			Severity:     SeverityHigh,
			Rationale: "The CRA requires a coordinated vulnerability disclosure policy that is put in place and enforced (Annex I Part II (5)) " +
				"and a contact address for vulnerability reports (Part II (6)). A SECURITY.md in the repository is where reporters look first.",
			Remediation: "Add SECURITY.md (or .github/SECURITY.md, docs/SECURITY.md) that names how to report (a security e-mail address or a private reporting URL), " +
				"what happens next and when (acknowledgement and triage times, e.g. \"we reply within 3 working days\"), and which versions are supported.",
			Doc: docBase + "cvd.security-md",
			Run: checkSecurityMD,
		},
		{
			ID:           "cvd.security-txt",
			Title:        "security.txt follows RFC 9116",
			Requirements: []string{"AI-P2-5", "AI-P2-6"},
			Severity:     SeverityMedium,
			Rationale: "security.txt (RFC 9116) is the machine-readable place for the vulnerability contact and the link to the disclosure policy. " +
				"An expired or malformed file tells reporters the contact may be stale.",
			Remediation: "Serve /.well-known/security.txt with at least one Contact (mailto:, https: or tel:) and exactly one Expires less than a year ahead; " +
				"use https for every web URI and add Policy pointing to the disclosure policy. Renew Expires before it passes.",
			Doc: docBase + "cvd.security-txt",
			Run: checkSecurityTxt,
		},
		{
			ID:           "process.lockfiles",
			Title:        "Dependency manifests have committed lockfiles",
			Requirements: []string{"AI-P2-1"},
			Severity:     SeverityMedium,
			Rationale: "A lockfile records the exact version of every direct and transitive dependency. Without it the shipped components are " +
				"not reproducible and the SBOM (Annex I Part II (1)) cannot say what is in the product.",
			Remediation: "Commit the lockfile your package manager writes (package-lock.json, yarn.lock, pnpm-lock.yaml, bun.lock, poetry.lock, uv.lock, pdm.lock, " +
				"Cargo.lock, go.sum, Gemfile.lock, composer.lock) next to the manifest, and do not list it in .gitignore.",
			Doc: docBase + "process.lockfiles",
			Run: checkLockfiles,
		},
		{
			ID:           "process.ci-tests",
			Title:        "Continuous integration runs the tests",
			Requirements: []string{"AI-P2-3"},
			Severity:     SeverityMedium,
			Rationale:    "Annex I Part II (3) asks for effective and regular tests of the product's security. Tests that run on every change in CI are the baseline of that evidence.",
			Remediation:  "Add a CI pipeline (GitHub Actions, GitLab CI, Jenkins, ...) that runs the test suite on every push and pull request.",
			Doc:          docBase + "process.ci-tests",
			Run:          ciCheck(ciTests),
		},
		{
			ID:           "process.ci-vuln-scan",
			Title:        "Continuous integration scans dependencies for known vulnerabilities",
			Requirements: []string{"AI-P2-3"},
			Severity:     SeverityHigh,
			Rationale: "A product must not be placed on the market with known exploitable vulnerabilities (Annex I Part I (2)(a)) and must be tested regularly (Part II (3)). " +
				"Scanning the dependencies in CI finds new advisories as they are published.",
			Remediation: "Run a vulnerability scanner on every change and on a schedule: craft scan, osv-scanner, govulncheck, trivy, grype, npm audit, pip-audit or cargo audit.",
			Doc:         docBase + "process.ci-vuln-scan",
			Run:         ciCheck(ciVulnScan),
		},
		{
			ID:           "process.ci-sast",
			Title:        "Continuous integration runs static analysis",
			Requirements: []string{"AI-P2-3"},
			Severity:     SeverityMedium,
			Rationale:    "Static analysis (SAST) in CI is the regular security review of the product's own code that Annex I Part II (3) asks for.",
			Remediation:  "Run a static analyser in CI: CodeQL, semgrep, gosec, golangci-lint, go vet/staticcheck, bandit, or your language's equivalent.",
			Doc:          docBase + "process.ci-sast",
			Run:          ciCheck(ciSAST),
		},
		{
			ID:           "process.ci-sbom",
			Title:        "The build produces an SBOM",
			Requirements: []string{"AI-P2-1"},
			Severity:     SeverityMedium,
			Rationale:    "Annex I Part II (1) requires a software bill of materials in a commonly used machine-readable format covering at least the top-level dependencies.",
			Remediation:  "Generate a CycloneDX or SPDX SBOM for every release in CI (craft sbom, syft, cdxgen, the cyclonedx-* tools, goreleaser sboms).",
			Doc:          docBase + "process.ci-sbom",
			Run:          ciCheck(ciSBOM),
		},
		{
			ID:           "process.dependency-updates",
			Title:        "Dependency updates are automated",
			Requirements: []string{"AI-P2-2"},
			Severity:     SeverityMedium,
			Rationale:    "Vulnerabilities must be remediated without delay (Annex I Part II (2)); a bot that proposes dependency updates keeps the fix for a vulnerable component one merge away.",
			Remediation:  "Configure Dependabot (.github/dependabot.yml) or Renovate (renovate.json) for every ecosystem of the product.",
			Doc:          docBase + "process.dependency-updates",
			Run:          checkDependencyUpdates,
		},
		{
			ID:           "ci.actions-pinned",
			Title:        "GitHub Actions are pinned to full commit SHAs",
			Requirements: []string{"AI-P1-2f"},
			Severity:     SeverityMedium,
			Rationale: "A tag or branch of a third-party action can be moved to malicious code; the build then runs it with the workflow's token and secrets. " +
				"Pinning to a commit SHA protects the integrity of the build (Annex I Part I (2)(f)).",
			Remediation: "Replace owner/action@v4 with owner/action@<40-hex commit SHA> # v4 (Dependabot and Renovate keep pinned SHAs up to date); pin docker:// images by digest.",
			Doc:         docBase + "ci.actions-pinned",
			Run:         checkActionsPinned,
		},
		{
			ID:           "ci.token-permissions",
			Title:        "Workflow token permissions are restricted",
			Requirements: []string{"AI-P1-2f"},
			Severity:     SeverityHigh,
			Rationale: "Without a permissions block the GITHUB_TOKEN gets the repository default, which may be write access to code, packages and releases. " +
				"A compromised step then can tamper with the product (Annex I Part I (2)(f)).",
			Remediation: "Add a top-level `permissions: contents: read` (or `permissions: {}`) to every workflow and grant write scopes only to the jobs that need them.",
			Doc:         docBase + "ci.token-permissions",
			Run:         checkTokenPermissions,
		},
		{
			ID:           "ci.pull-request-target",
			Title:        "No pull_request_target workflow checks out the pull request's code",
			Requirements: []string{"AI-P1-2f"},
			Severity:     SeverityCritical,
			Rationale: "pull_request_target runs with the base repository's secrets and a write token. Checking out and building the pull request's head " +
				"lets anyone who opens a pull request run code with those privileges (a \"pwn request\").",
			Remediation: "Use the pull_request event for building contributed code; if pull_request_target is needed (labelling, commenting), do not check out " +
				"github.event.pull_request.head.* or refs/pull/*, or split the work into an unprivileged pull_request workflow and a workflow_run that only reads its artifacts.",
			Doc: docBase + "ci.pull-request-target",
			Run: checkPullRequestTarget,
		},
		{
			ID:           "process.code-review",
			Title:        "Changes are reviewed",
			Requirements: []string{"AI-P2-3"},
			Severity:     SeverityLow,
			Rationale:    "Review of every change is part of testing and reviewing the product's security regularly (Annex I Part II (3)).",
			Remediation:  "Add a CODEOWNERS file and require reviews on the default branch, or merge through pull/merge requests (reviews leave merge commits or Reviewed-by trailers).",
			Doc:          docBase + "process.code-review",
			Run:          checkCodeReview,
		},
		{
			ID:           "release.signed-tags",
			Title:        "Release tags are signed",
			Requirements: []string{"AI-P2-7"},
			Severity:     SeverityMedium,
			Rationale: "Updates must be distributed securely (Annex I Part II (7)). A signed release tag lets users and packagers verify that a release " +
				"is the manufacturer's and has not been altered.",
			Remediation: "Create release tags with `git tag -s` (OpenPGP), SSH signing (gpg.format=ssh) or gitsign, and publish the verification key.",
			Doc:         docBase + "release.signed-tags",
			Run:         checkSignedTags,
		},
		{
			ID:           "secrets.committed",
			Title:        "No private keys or credentials are committed",
			Requirements: []string{"AI-P1-2e"},
			Severity:     SeverityCritical,
			Rationale: "A private key or an access token in the repository is disclosed to everyone who can read it, and stays in the history. " +
				"It breaks the confidentiality the product must protect (Annex I Part I (2)(e)).",
			Remediation: "Revoke and rotate the credential first, then remove it from the tree (and, if the repository is public, from the history); " +
				"load secrets from the environment or a secrets manager and enable push protection.",
			Doc: docBase + "secrets.committed",
			Run: checkSecrets,
		},
		{
			ID:           "repo.binaries",
			Title:        "No executables or compiled artefacts are committed",
			Requirements: []string{"AI-P1-2f"},
			Severity:     SeverityMedium,
			Rationale: "A committed binary cannot be reviewed and does not come from the reviewed source; it can hide anything. " +
				"Build artefacts should be produced from source by the build (Annex I Part I (2)(f); OSPS-QA-05).",
			Remediation: "Remove the binary and build it from source in CI; if it must stay (a test fixture), move it under testdata/. " +
				"For Gradle or Maven wrapper jars, verify them (gradle/actions/wrapper-validation).",
			Doc: docBase + "repo.binaries",
			Run: checkBinaries,
		},
		{
			ID:           "product.support-period",
			Title:        "A support period of at least five years is declared",
			Requirements: []string{"ART13-8b"},
			Severity:     SeverityHigh,
			Rationale: "Art. 13(8) requires the manufacturer to set a support period that reflects how long the product is expected to be used, " +
				"at least five years unless the product is expected to be used for less, and to state its end (at least month and year).",
			Remediation: "Set product.supportUntil (YYYY-MM) in craft.yaml at least five years after the product is placed on the market " +
				"(product.placedOnMarket, else today); if the expected use is shorter, say why in product.supportJustification.",
			Doc: docBase + "product.support-period",
			Run: checkSupportPeriod,
		},
	}
}

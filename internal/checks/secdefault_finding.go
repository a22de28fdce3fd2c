package checks

import "strings"

// Rule IDs of the secure-by-default checks. They are stable: users suppress
// and look them up by these names.
const (
	idCredentials   = "default.credentials"
	idBindAll       = "default.bind-all-interfaces"
	idDebug         = "default.debug-mode"
	idStatus        = "default.status-endpoint"
	idTLSOff        = "default.tls-off"
	idTLSVersion    = "default.tls-version"
	idTLSVerify     = "default.tls-verify"
	idPasswordHash  = "default.password-hash"
	idCORS          = "default.cors-credentials"
	idAutoUpdate    = "default.auto-update-off"
	idContainerRoot = "default.container-root"
	idPrivileged    = "default.container-privileged"
	idRootFS        = "default.container-writable-rootfs"
	idNewUserRole   = "default.new-user-role"
)

// sdFinding is what a secure-default rule found in one file; it becomes a
// Result of the check named by rule.
type sdFinding struct {
	rule     string
	outcome  Outcome
	path     string
	line     int
	message  string
	evidence string
}

// sdSink collects findings of one file.
type sdSink struct {
	path     string
	findings []sdFinding
	facts    sdFacts
}

// sdFacts are observations that only mean something together: a reverse
// proxy that reaches the app on 127.0.0.1:PORT, and the app listening on
// 0.0.0.0:PORT.
type sdFacts struct {
	proxied   []sdPortRef // ports a local reverse proxy forwards to
	listeners []sdPortRef // main listeners bound to every interface
}

// sdPortRef is a port seen at a place.
type sdPortRef struct {
	port     string
	path     string
	line     int
	evidence string
}

// fail records a finding that fails its check.
func (s *sdSink) fail(rule string, line int, msg, evidence string) {
	s.add(rule, OutcomeFail, line, msg, evidence)
}

// warn records a finding that is a warning.
func (s *sdSink) warn(rule string, line int, msg, evidence string) {
	s.add(rule, OutcomeWarn, line, msg, evidence)
}

// add records a finding with the evidence clipped.
func (s *sdSink) add(rule string, o Outcome, line int, msg, evidence string) {
	s.findings = append(s.findings, sdFinding{
		rule: rule, outcome: o, path: s.path, line: line,
		message: msg, evidence: sdClip(evidence),
	})
}

// sdRedacted replaces a secret in evidence.
const sdRedacted = "<redacted>"

// sdMaxEvidence bounds the evidence excerpt.
const sdMaxEvidence = 160

// sdClip trims evidence to sdMaxEvidence bytes on a rune boundary.
func sdClip(s string) string {
	s = strings.TrimSpace(s)
	if len(s) > sdMaxEvidence {
		// cut on a rune boundary
		cut := sdMaxEvidence
		for cut > 0 && s[cut]&0xC0 == 0x80 {
			cut--
		}
		s = s[:cut] + "…"
	}
	return s
}

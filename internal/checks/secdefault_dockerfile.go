package checks

import (
	"regexp"
	"strings"
)

// dockerInstr is one Dockerfile instruction with continuation lines joined.
type dockerInstr struct {
	Cmd  string // upper case: FROM, USER, ENV, RUN, ...
	Args string
	Line int // line of the instruction keyword
}

// parseDockerfile reads Dockerfile instructions line by line. The BuildKit
// parser (moby/buildkit/frontend/dockerfile/parser) would pull protobuf and
// BuildKit's error stack packages into craft for what the rules need:
// instruction names, arguments and lines. This reader handles comments,
// parser directives, backslash (or `escape=`) continuations and heredocs.
func parseDockerfile(data []byte) []dockerInstr {
	lines := strings.Split(string(data), "\n")
	escape := byte('\\')
	var out []dockerInstr
	directives := true
	for i := 0; i < len(lines); i++ {
		raw := strings.TrimRight(lines[i], "\r")
		t := strings.TrimSpace(raw)
		if strings.HasPrefix(t, "#") {
			if directives {
				if m := escapeDirRe.FindStringSubmatch(t); m != nil && len(m[1]) == 1 {
					escape = m[1][0]
				}
			}
			continue
		}
		if t == "" {
			continue
		}
		directives = false
		start := i + 1
		var b strings.Builder
		for {
			t = strings.TrimSpace(strings.TrimRight(lines[i], "\r"))
			if strings.HasPrefix(t, "#") {
				// comment lines inside a continuation are dropped
			} else if len(t) > 0 && t[len(t)-1] == escape {
				b.WriteString(t[:len(t)-1])
				b.WriteByte(' ')
			} else {
				b.WriteString(t)
				break
			}
			if i+1 >= len(lines) {
				break
			}
			i++
		}
		full := b.String()
		cmd, args, _ := strings.Cut(full, " ")
		ins := dockerInstr{Cmd: strings.ToUpper(cmd), Args: strings.TrimSpace(args), Line: start}
		out = append(out, ins)
		// Skip heredoc bodies (RUN <<EOF ... EOF).
		if m := heredocRe.FindStringSubmatch(ins.Args); m != nil {
			for i+1 < len(lines) {
				i++
				if strings.TrimSpace(strings.TrimRight(lines[i], "\r")) == m[1] {
					break
				}
			}
		}
	}
	return out
}

var (
	escapeDirRe = regexp.MustCompile(`(?i)^#\s*escape\s*=\s*(\S+)\s*$`)
	heredocRe   = regexp.MustCompile(`<<-?["']?([A-Za-z_][A-Za-z0-9_]*)["']?`)
	fromAsRe    = regexp.MustCompile(`(?i)^(?:--\S+\s+)*(\S+)(?:\s+as\s+(\S+))?`)
)

// toolchainImageRe names images that are build environments, not
// runtimes: a final stage on one of them is a development image.
var toolchainImageRe = regexp.MustCompile(`(?i)^(?:[\w.-]+/)*(golang|rust|gcc|buildpack-deps|maven|gradle|base-builder[\w-]*|workspace-[\w-]+|markdown-lint|hadolint|shellcheck[\w-]*|docker)(?:[:@]|$)`)

// buildToolCmdRe matches a CMD or ENTRYPOINT that runs a build tool.
var buildToolCmdRe = regexp.MustCompile(`^\[?\s*"?(go|make|cargo|bazel|bazelisk|cmake|gradle|mvn|\./build\.sh|\./make\.bash)"?[\s,\]]`)

// privDropRe finds tools that drop root at start-up (the entrypoint runs
// as root only to fix permissions, then execs the service as a user).
var privDropRe = regexp.MustCompile(`\b(gosu|su-exec|setpriv|runuser|chroot\s+--userspec|s6-setuidgid|setuidgid|tini\s+-u)\b`)

// dockerfileRules reports a final stage that runs as root, and feeds ENV
// instructions to the configuration rules.
func dockerfileRules(rel string, data []byte, s *sdSink) {
	instrs := parseDockerfile(data)
	type stage struct {
		name, base string
		root       string // the external image at the start of the stage chain
		fromLine   int
		user       string
		userLine   int
		drops      bool
		runs       bool   // has CMD or ENTRYPOINT (here or in a parent stage)
		runCmd     string // the last CMD or ENTRYPOINT
	}
	var stages []*stage
	env := &cfgNode{Kind: cfgMap}
	var cur *stage
	for _, in := range instrs {
		switch in.Cmd {
		case "FROM":
			m := fromAsRe.FindStringSubmatch(in.Args)
			st := &stage{fromLine: in.Line}
			if m != nil {
				st.base, st.name = m[1], strings.ToLower(m[2])
			}
			st.root = strings.ToLower(st.base)
			for _, prev := range stages {
				if prev.name != "" && prev.name == strings.ToLower(st.base) {
					st.user, st.userLine, st.drops = prev.user, prev.userLine, prev.drops
					st.root, st.runs, st.runCmd = prev.root, prev.runs, prev.runCmd
				}
			}
			stages = append(stages, st)
			cur = st
			env = &cfgNode{Kind: cfgMap} // only the final stage's ENV ships
		case "USER":
			if cur != nil {
				cur.user, cur.userLine = strings.TrimSpace(in.Args), in.Line
			}
		case "RUN", "ENTRYPOINT", "CMD":
			if cur != nil && privDropRe.MatchString(in.Args) {
				cur.drops = true
			}
			if cur != nil && in.Cmd != "RUN" {
				cur.runs, cur.runCmd = true, in.Args
			}
		case "ENV", "ARG":
			// ARG defaults are baked into the build as ENV values are.
			for _, kv := range splitDockerEnv(in.Args) {
				env.Kids = append(env.Kids, &cfgNode{Key: kv[0], Value: kv[1], Line: in.Line})
			}
		}
	}
	if len(stages) == 0 {
		return
	}
	final := stages[len(stages)-1]
	user := strings.ToLower(strings.Trim(final.user, `"'`))
	switch {
	case final.drops:
	case !final.runs || toolchainImageRe.MatchString(final.root) || buildToolCmdRe.MatchString(final.runCmd):
		// No CMD or ENTRYPOINT: an export stage or a build environment
		// (docker run image make ...), not a service the product ships;
		// the same for a final stage on a toolchain image or one whose
		// command is a build tool.
	case final.user == "":
		if strings.Contains(final.root, "nonroot") || strings.Contains(final.root, "rootless") {
			break
		}
		s.fail(idContainerRoot, final.fromLine,
			"the image runs as root: the final stage sets no USER", "FROM "+final.base)
	case user == "root" || user == "0" || strings.HasPrefix(user, "root:") || strings.HasPrefix(user, "0:"):
		s.fail(idContainerRoot, final.userLine, "the image runs as root (USER "+final.user+")", "USER "+final.user)
	}
	if len(env.Kids) > 0 {
		doc := &cfgDoc{Path: rel, Format: "dockerfile-env", Root: env}
		for _, r := range configRules {
			r(doc, s)
		}
	}
}

// splitDockerEnv reads "ENV A=1 B=2" and the legacy "ENV A 1".
func splitDockerEnv(args string) [][2]string {
	if !strings.Contains(strings.SplitN(args, " ", 2)[0], "=") {
		k, v, _ := strings.Cut(args, " ")
		return [][2]string{{k, sdUnquoteEnv(strings.TrimSpace(v))}}
	}
	var out [][2]string
	for _, f := range sdShellFields(args) {
		k, v, ok := strings.Cut(f, "=")
		if ok {
			out = append(out, [2]string{k, v})
		}
	}
	return out
}

// sdShellFields splits on spaces outside quotes and drops the quotes.
func sdShellFields(s string) []string {
	var out []string
	var b strings.Builder
	var q rune
	in := false
	for _, r := range s {
		switch {
		case q != 0:
			if r == q {
				q = 0
			} else {
				b.WriteRune(r)
			}
		case r == '"' || r == '\'':
			q, in = r, true
		case r == ' ' || r == '\t':
			if in {
				out = append(out, b.String())
				b.Reset()
				in = false
			}
		default:
			b.WriteRune(r)
			in = true
		}
	}
	if in {
		out = append(out, b.String())
	}
	return out
}

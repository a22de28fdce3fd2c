package checks

import (
	"bytes"
	"fmt"
	"path"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

// A GitHub Actions workflow, reduced to what the checks read. It is parsed
// from yaml.Node so that every finding has a line number.

// workflow is one .github/workflows file (or an action.yml's composite
// steps, with no triggers and no permissions).
type workflow struct {
	Path string
	// On lists the trigger events.
	On []string
	// Permissions is the top-level permissions block (nil when absent).
	Permissions *permissions
	Jobs        []workflowJob
}

type workflowJob struct {
	ID          string
	Line        int
	Permissions *permissions
	// Uses is set for a job that calls a reusable workflow.
	Uses     string
	UsesLine int
	Steps    []workflowStep
}

type workflowStep struct {
	Line     int
	Uses     string
	UsesLine int
	Run      string
	With     map[string]string
}

// permissions is a permissions block: a scalar (read-all, write-all) or a
// map of scope to access.
type permissions struct {
	Line   int
	Scalar string
	Scopes map[string]string
}

// writeScopes returns the scopes granted write, sorted; "*" for write-all.
func (p *permissions) writeScopes() []string {
	if p == nil {
		return nil
	}
	if p.Scalar == "write-all" {
		return []string{"*"}
	}
	var out []string
	for s, a := range p.Scopes {
		if a == "write" {
			out = append(out, s)
		}
	}
	sort.Strings(out)
	return out
}

// maxWorkflowSize bounds a workflow file; real ones are a few KiB.
const maxWorkflowSize = 1 << 20

// parseWorkflow reads a GitHub Actions workflow. It never panics on bad
// input; a file that is not a YAML mapping is an error naming the path.
func parseWorkflow(name string, data []byte) (*workflow, error) {
	if len(data) > maxWorkflowSize {
		return nil, fmt.Errorf("%s: larger than %d bytes", name, maxWorkflowSize)
	}
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	root := docRoot(&doc)
	if root == nil || root.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("%s: not a YAML mapping", name)
	}
	w := &workflow{Path: name}
	if on := mapGet(root, "on"); on != nil {
		w.On = eventNames(on)
	}
	w.Permissions = parsePermissions(mapGet(root, "permissions"))
	if jobs := mapGet(root, "jobs"); jobs != nil && jobs.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(jobs.Content); i += 2 {
			w.Jobs = append(w.Jobs, parseJob(jobs.Content[i], jobs.Content[i+1]))
		}
	}
	// A composite action (action.yml): runs.steps.
	if runs := mapGet(root, "runs"); runs != nil {
		if steps := mapGet(runs, "steps"); steps != nil {
			w.Jobs = append(w.Jobs, workflowJob{ID: "(composite action)", Line: runs.Line, Steps: parseSteps(steps)})
		}
	}
	return w, nil
}

func docRoot(n *yaml.Node) *yaml.Node {
	if n == nil {
		return nil
	}
	if n.Kind == yaml.DocumentNode {
		if len(n.Content) == 0 {
			return nil
		}
		return resolveAlias(n.Content[0])
	}
	return resolveAlias(n)
}

// resolveAlias follows one alias (workflows rarely use anchors; a chain of
// aliases is not followed further, which bounds the work).
func resolveAlias(n *yaml.Node) *yaml.Node {
	if n != nil && n.Kind == yaml.AliasNode {
		return n.Alias
	}
	return n
}

// mapGet returns the value of key in a mapping node, or nil.
func mapGet(m *yaml.Node, key string) *yaml.Node {
	m = resolveAlias(m)
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return resolveAlias(m.Content[i+1])
		}
	}
	return nil
}

func scalar(n *yaml.Node) string {
	n = resolveAlias(n)
	if n == nil || n.Kind != yaml.ScalarNode {
		return ""
	}
	return n.Value
}

func eventNames(on *yaml.Node) []string {
	switch on.Kind {
	case yaml.ScalarNode:
		return []string{on.Value}
	case yaml.SequenceNode:
		var out []string
		for _, c := range on.Content {
			if s := scalar(c); s != "" {
				out = append(out, s)
			}
		}
		return out
	case yaml.MappingNode:
		var out []string
		for i := 0; i+1 < len(on.Content); i += 2 {
			out = append(out, on.Content[i].Value)
		}
		return out
	}
	return nil
}

func parsePermissions(n *yaml.Node) *permissions {
	if n == nil {
		return nil
	}
	p := &permissions{Line: n.Line}
	switch n.Kind {
	case yaml.ScalarNode:
		p.Scalar = n.Value
	case yaml.MappingNode:
		p.Scopes = map[string]string{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			p.Scopes[n.Content[i].Value] = scalar(n.Content[i+1])
		}
	}
	return p
}

func parseJob(key, val *yaml.Node) workflowJob {
	j := workflowJob{ID: key.Value, Line: key.Line}
	val = resolveAlias(val)
	if val == nil || val.Kind != yaml.MappingNode {
		return j
	}
	j.Permissions = parsePermissions(mapGet(val, "permissions"))
	if u := mapGet(val, "uses"); u != nil {
		j.Uses, j.UsesLine = scalar(u), u.Line
	}
	if steps := mapGet(val, "steps"); steps != nil {
		j.Steps = parseSteps(steps)
	}
	return j
}

func parseSteps(steps *yaml.Node) []workflowStep {
	if steps.Kind != yaml.SequenceNode {
		return nil
	}
	var out []workflowStep
	for _, s := range steps.Content {
		s = resolveAlias(s)
		if s == nil || s.Kind != yaml.MappingNode {
			continue
		}
		st := workflowStep{Line: s.Line}
		if u := mapGet(s, "uses"); u != nil {
			st.Uses, st.UsesLine = scalar(u), u.Line
		}
		st.Run = scalar(mapGet(s, "run"))
		if with := mapGet(s, "with"); with != nil && with.Kind == yaml.MappingNode {
			st.With = map[string]string{}
			for i := 0; i+1 < len(with.Content); i += 2 {
				st.With[with.Content[i].Value] = scalar(with.Content[i+1])
			}
		}
		out = append(out, st)
	}
	return out
}

// isWorkflowPath reports a GitHub Actions workflow file.
func isWorkflowPath(p string) bool {
	dir, base := path.Split(p)
	ext := path.Ext(base)
	return dir == ".github/workflows/" && (ext == ".yml" || ext == ".yaml")
}

// isActionPath reports an action metadata file (action.yml) of the
// repository's own actions (.github/actions/…, or any outside tests).
func isActionPath(p string) bool {
	base := path.Base(p)
	return (base == "action.yml" || base == "action.yaml") && (strings.HasPrefix(p, ".github/") || !IsTestPath(p))
}

// loadWorkflows parses every workflow (and, with actions, every
// action.yml) of the tree. Files that do not parse are returned as warn
// results, not errors: one broken file must not hide the others.
func loadWorkflows(repo *Repo, actions bool) ([]*workflow, []Result) {
	var out []*workflow
	var bad []Result
	for _, f := range repo.Files {
		if !isWorkflowPath(f) && !(actions && isActionPath(f)) {
			continue
		}
		data, err := repo.ReadFile(f)
		if err == nil {
			var w *workflow
			if w, err = parseWorkflow(f, data); err == nil {
				out = append(out, w)
				continue
			}
		}
		bad = append(bad, Result{Outcome: OutcomeWarn, Message: fmt.Sprintf("cannot read workflow: %v", err), Locations: []Location{{Path: f}}})
	}
	return out, bad
}

func hasEvent(w *workflow, name string) bool {
	for _, e := range w.On {
		if strings.EqualFold(e, name) {
			return true
		}
	}
	return false
}

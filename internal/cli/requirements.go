package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/craft-cra/craft/internal/catalog"
	"github.com/craft-cra/craft/internal/scan"
)

// requirementsSchemaVersion versions the JSON of `craft requirements`.
const requirementsSchemaVersion = "1"

var requirementsFormats = []string{"text", "json"}

func newRequirementsCmd(app *App) *cobra.Command {
	var outputs []string
	var group string
	cmd := &cobra.Command{
		Use:   "requirements",
		Short: "List the CRA requirements craft tracks",
		Long: `List the requirements of the EU Cyber Resilience Act that craft tracks: the
essential requirements of Annex I, the manufacturer duties of Article 13, the
reports of Article 14, the user information of Annex II and the technical
documentation of Annex VII. Every craft finding names these IDs.

The catalog paraphrases Regulation (EU) 2024/2847; the Official Journal text
is authoritative. It is not legal advice.`,
		Example: `  craft requirements
  craft requirements --group annex-i-part-i
  craft requirements -o json=requirements.json
  craft requirements show AI-P1-2b`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			specs, err := parseOutputs(outputs, requirementsFormats, "text")
			if err != nil {
				return err
			}
			cat, _, err := scan.Catalog()
			if err != nil {
				return err
			}
			groups := cat.Groups()
			reqs := cat.All()
			if group != "" {
				g, ok := cat.Group(group)
				if !ok {
					return usageError("--group %q: unknown group (want one of %s)", group, requirementGroupIDs(cat))
				}
				groups = []catalog.Group{g}
				reqs = cat.InGroup(g.ID)
			}
			return writeOutputs(app, specs, func(format string, w io.Writer) error {
				if format == "json" {
					return writeRequirementsJSON(w, requirementsList{
						SchemaVersion: requirementsSchemaVersion,
						Groups:        groups,
						Requirements:  reqs,
					})
				}
				return writeRequirementsText(w, cat, reqs)
			})
		},
	}
	cmd.Flags().StringArrayVarP(&outputs, "output", "o", nil, "output `FORMAT[=FILE]`: text or json; repeat for several")
	cmd.Flags().StringVar(&group, "group", "", "list only one `GROUP`: annex-i-part-i, annex-i-part-ii, article-13, article-14, annex-ii or annex-vii")
	cmd.AddCommand(newRequirementsShowCmd(app))
	return cmd
}

func newRequirementsShowCmd(app *App) *cobra.Command {
	var outputs []string
	cmd := &cobra.Command{
		Use:   "show ID",
		Short: "Explain one CRA requirement",
		Long: `Explain one requirement: its legal reference, what it asks, whether it can be
declared not applicable, the evidence that satisfies it and the craft checks
that contribute. IDs are case-insensitive.`,
		Example: `  craft requirements show AI-P1-2b
  craft requirements show art13-8b -o json`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			specs, err := parseOutputs(outputs, requirementsFormats, "text")
			if err != nil {
				return err
			}
			cat, _, err := scan.Catalog()
			if err != nil {
				return err
			}
			r, ok := cat.Get(args[0])
			if !ok {
				return unknownRequirement(cat, args[0])
			}
			g, _ := cat.Group(r.Group)
			return writeOutputs(app, specs, func(format string, w io.Writer) error {
				if format == "json" {
					return writeRequirementsJSON(w, requirementShow{
						SchemaVersion: requirementsSchemaVersion,
						Requirement:   r,
						Group:         g,
					})
				}
				return writeRequirementText(w, r, g)
			})
		},
	}
	cmd.Flags().StringArrayVarP(&outputs, "output", "o", nil, "output `FORMAT[=FILE]`: text or json; repeat for several")
	return cmd
}

// requirementsList is the JSON of `craft requirements`.
type requirementsList struct {
	SchemaVersion string                `json:"schemaVersion"`
	Groups        []catalog.Group       `json:"groups"`
	Requirements  []catalog.Requirement `json:"requirements"`
}

// requirementShow is the JSON of `craft requirements show`.
type requirementShow struct {
	SchemaVersion string              `json:"schemaVersion"`
	Requirement   catalog.Requirement `json:"requirement"`
	Group         catalog.Group       `json:"group"`
}

func writeRequirementsJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func requirementGroupIDs(cat *catalog.Catalog) string {
	var ids []string
	for _, g := range cat.Groups() {
		ids = append(ids, g.ID)
	}
	return strings.Join(ids, ", ")
}

// unknownRequirement is the usage error for an ID not in the catalog; it
// suggests IDs that start with what was typed.
func unknownRequirement(cat *catalog.Catalog, id string) error {
	prefix := strings.ToUpper(strings.TrimSpace(id))
	var near []string
	if prefix != "" {
		for _, r := range cat.All() {
			if strings.HasPrefix(strings.ToUpper(r.ID), prefix) {
				near = append(near, r.ID)
			}
		}
	}
	if len(near) > 0 && len(near) <= 20 {
		return usageError("unknown requirement %q (did you mean %s?); run `craft requirements` to list them", id, strings.Join(near, ", "))
	}
	return usageError("unknown requirement %q; run `craft requirements` to list them", id)
}

func writeRequirementsText(w io.Writer, cat *catalog.Catalog, reqs []catalog.Requirement) error {
	names := map[string]string{}
	for _, g := range cat.Groups() {
		names[g.ID] = g.Name
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tGROUP\tAPPLICABILITY\tAUTOMATION\tTITLE")
	for _, r := range reqs {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", r.ID, names[r.Group], r.Applicability, r.Automation, r.Title)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "\n%d requirements. Run `craft requirements show ID` for one in detail.\n", len(reqs))
	return err
}

func writeRequirementText(w io.Writer, r catalog.Requirement, g catalog.Group) error {
	var b strings.Builder
	fmt.Fprintf(&b, "%s  %s\n\n", r.ID, r.Title)
	field := func(name, value string) {
		b.WriteString(wrapRequirementText(value, name, 78))
	}
	field("Reference:      ", r.Reference+" of Regulation (EU) 2024/2847")
	field("Group:          ", fmt.Sprintf("%s (%s): %s", g.Name, g.ID, g.Title))
	switch r.Applicability {
	case catalog.Always:
		field("Applicability:  ", "always; it cannot be declared not applicable. "+g.Applicability)
	case catalog.RiskBased:
		field("Applicability:  ", "risk-based; it applies as the cybersecurity risk assessment decides (Art. 13(3)), and declaring it not applicable needs a written justification (Art. 13(4)).")
	case catalog.Conditional:
		field("Applicability:  ", "conditional; it applies "+r.Condition+". Declaring it not applicable needs a written justification.")
	}
	switch r.Automation {
	case catalog.Automatic:
		field("Automation:     ", "automatic; craft's checks can evidence it.")
	case catalog.Partial:
		field("Automation:     ", "partial; craft's checks can evidence part of it, the rest is your own evidence.")
	case catalog.Manual:
		field("Automation:     ", "manual; only you can evidence it, craft lists what is wanted.")
	}
	checks := "none yet"
	if len(r.Checks) > 0 {
		checks = strings.Join(r.Checks, ", ")
	}
	field("Checks:         ", checks)
	b.WriteString("\n")
	b.WriteString(wrapRequirementText(r.Summary, "", 78))
	b.WriteString("\nEvidence that satisfies it:\n")
	for _, e := range r.Evidence {
		b.WriteString(wrapRequirementText(e, "  - ", 78))
	}
	if r.Applicability != catalog.Always {
		fmt.Fprintf(&b, "\nTo declare it not applicable, add to craft.yaml:\n\n  requirements:\n    %s:\n      applicable: false\n      justification: >-\n        Why it does not apply to this product.\n", r.ID)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// wrapText fills s into lines of at most width columns; the first line
// starts with prefix, the others with as many spaces. A word longer than
// the line stays whole.
func wrapRequirementText(s, prefix string, width int) string {
	indent := strings.Repeat(" ", len(prefix))
	var b strings.Builder
	line := prefix
	empty := true
	for _, word := range strings.Fields(s) {
		if !empty && len(line)+1+len(word) > width {
			b.WriteString(line + "\n")
			line, empty = indent, true
		}
		if !empty {
			line += " "
		}
		line += word
		empty = false
	}
	b.WriteString(strings.TrimRight(line, " ") + "\n")
	return b.String()
}

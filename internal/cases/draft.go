package cases

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// DraftSchema names the layout of a draft and the field list it follows:
// ENISA's FAQ Q16 field table as updated on 31 July 2026. A new table gets
// a new schema name; readers of saved drafts tell them apart by it.
const DraftSchema = "craft-enisa-draft/2026-07-31"

// Obligation is how ENISA's platform treats a field at a stage (FAQ Q16).
type Obligation string

// Field obligations. Automated fields (A: reporting times, reporter) are
// filled by the platform and are not in drafts.
const (
	Obligatory  Obligation = "X" // must be filled
	Copied      Obligation = "C" // copied from the previous stage, may be updated
	Optional    Obligation = "O"
	IfAvailable Obligation = "I" // obligatory if the information is available
)

// CaseInfo is what a draft is filled from: the case, its product and
// clocks. The server builds it; fields craft does not know stay empty.
type CaseInfo struct {
	Reference    string
	Title        string
	Description  string
	Manufacturer string
	Product      string
	// ProductClass is the product's CRA class ("default", "important-i",
	// "important-ii", "critical").
	ProductClass     string
	AffectedVersions []string
	FixedIn          string
	MemberStates     []string
	CVE              string
	OtherIDs         []string
	CVSS31           *Score
	CVSS40           *Score
	// Exploitation is what craft knows of the exploitation (KEV listing,
	// the officer's note); "" when nothing.
	Exploitation string
	MeasureAt    time.Time
	MeasureNote  string
	// Incident facts.
	IncidentAwareAt    time.Time
	IncidentOccurredAt time.Time
	// IncidentMalicious is "yes", "no" or "" (not assessed).
	IncidentMalicious string
}

// DraftField is one field of a draft.
type DraftField struct {
	// ID is ENISA's field number ("7", "v16", "i13"); empty for the
	// article's own items that the platform has no number for.
	ID         string     `json:"id"`
	Name       string     `json:"name"`
	Obligation Obligation `json:"obligation"`
	// Article names the paragraph that asks for this content, when the
	// article itself does ("Art. 14(2)(a)").
	Article string `json:"article,omitempty"`
	Value   string `json:"value"`
	// Source says where craft took the value from.
	Source string `json:"source,omitempty"`
}

// Draft is a report prepared for manual entry on ENISA's single reporting
// platform: exactly the fields the platform asks at that stage for the
// notification type, pre-filled where craft knows the answer. Fields that
// are not optional (X, C or I) and empty are listed in ToComplete.
type Draft struct {
	Schema     string       `json:"schema"`
	Case       string       `json:"case"`
	Stage      Stage        `json:"stage"`
	Article    string       `json:"article"`
	Requires   []string     `json:"article_requires"`
	Due        *time.Time   `json:"due,omitempty"`
	Generated  time.Time    `json:"generated_at"`
	Fields     []DraftField `json:"fields"`
	ToComplete []string     `json:"to_complete"`
}

// fieldSpec is a row of the Q16 table: obligation per stage (early
// warning, notification, final report) and how craft fills it.
type fieldSpec struct {
	id, name string
	obl      [3]Obligation
	article  [3]string
	fill     func(c CaseInfo, s Stage) (value, source string)
}

func stageIndex(s Stage) int {
	switch s {
	case StageVulnEarlyWarning, StageIncidentEarlyWarning:
		return 0
	case StageVulnNotification, StageIncidentNotification:
		return 1
	}
	return 2
}

func level(s Stage) string {
	return [...]string{"24h early warning", "72h notification", "final report"}[stageIndex(s)]
}

func none(CaseInfo, Stage) (string, string) { return "", "" }

func severity(c CaseInfo, _ Stage) (string, string) {
	var parts []string
	if c.CVSS40 != nil {
		parts = append(parts, fmt.Sprintf("CVSS v4.0 %.1f (%s) %s", c.CVSS40.Score, c.CVSS40.Rating, c.CVSS40.Vector))
	}
	if c.CVSS31 != nil {
		parts = append(parts, fmt.Sprintf("CVSS v3.1 %.1f (%s) %s", c.CVSS31.Score, c.CVSS31.Rating, c.CVSS31.Vector))
	}
	if len(parts) == 0 {
		return "", ""
	}
	return strings.Join(parts, "; "), "case CVSS"
}

func measureTaken(c CaseInfo, _ Stage) (string, string) {
	var parts []string
	if c.MeasureNote != "" {
		parts = append(parts, c.MeasureNote)
	}
	if c.FixedIn != "" {
		parts = append(parts, "Fixed in release "+c.FixedIn+".")
	}
	if len(parts) == 0 {
		return "", ""
	}
	return strings.Join(parts, " "), "case measure"
}

func userMeasure(c CaseInfo, _ Stage) (string, string) {
	if c.FixedIn == "" {
		return "", ""
	}
	return "Update " + c.Product + " to release " + c.FixedIn + " or later.", "case fixed-in release"
}

func when(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

var commonFields = []fieldSpec{
	{"1", "Notification type", [3]Obligation{"X", "C", "C"}, [3]string{}, func(_ CaseInfo, s Stage) (string, string) {
		if s.Incident() {
			return "incident", "stage"
		}
		return "vulnerability", "stage"
	}},
	{"2", "Notification level", [3]Obligation{"X", "X", "X"}, [3]string{}, func(_ CaseInfo, s Stage) (string, string) {
		return level(s), "stage"
	}},
	{"7", "Name of manufacturer or open-source software steward", [3]Obligation{"X", "C", "C"}, [3]string{},
		func(c CaseInfo, _ Stage) (string, string) { return c.Manufacturer, "product manufacturer" }},
	{"8", "Product", [3]Obligation{"X", "C", "C"}, [3]string{}, func(c CaseInfo, _ Stage) (string, string) {
		v := c.Product
		if len(c.AffectedVersions) > 0 {
			v += " (affected versions: " + strings.Join(c.AffectedVersions, ", ") + ")"
		}
		return v, "case product and affected releases"
	}},
	{"9", "Product type (default / important / critical)", [3]Obligation{"O", "C", "C"}, [3]string{},
		func(c CaseInfo, _ Stage) (string, string) {
			switch c.ProductClass {
			case "important-i", "important-ii":
				return "important", "product CRA class"
			case "critical":
				return "critical", "product CRA class"
			case "default":
				return "default", "product CRA class"
			}
			return "", ""
		}},
	{"10", "Product category (Annex III/IV, if not default)", [3]Obligation{"O", "C", "C"}, [3]string{}, func(c CaseInfo, _ Stage) (string, string) {
		switch c.ProductClass {
		case "important-i":
			return "Annex III, class I (category to complete)", "product CRA class"
		case "important-ii":
			return "Annex III, class II (category to complete)", "product CRA class"
		case "critical":
			return "Annex IV (category to complete)", "product CRA class"
		}
		return "", ""
	}},
	{"11", "Member States where the product is available", [3]Obligation{"I", "C", "C"},
		[3]string{"Art. 14(2)(a) / 14(4)(a)", "", ""}, func(c CaseInfo, _ Stage) (string, string) {
			if len(c.MemberStates) == 0 {
				return "", ""
			}
			return strings.Join(c.MemberStates, ", "), "product member states"
		}},
	{"12", "Title", [3]Obligation{"X", "C", "C"}, [3]string{}, func(c CaseInfo, _ Stage) (string, string) {
		return c.Title, "case title"
	}},
}

var vulnFields = []fieldSpec{
	{"v13", "CVE ID", [3]Obligation{"O", "C", "C"}, [3]string{}, func(c CaseInfo, _ Stage) (string, string) {
		if c.CVE == "" {
			return "", ""
		}
		return c.CVE, "case CVE"
	}},
	{"v14", "EUVD ID", [3]Obligation{"O", "C", "C"}, [3]string{}, func(c CaseInfo, _ Stage) (string, string) {
		var ids []string
		for _, id := range c.OtherIDs {
			if strings.HasPrefix(id, "EUVD-") {
				ids = append(ids, id)
			}
		}
		if len(ids) == 0 {
			return "", ""
		}
		return strings.Join(ids, ", "), "case IDs"
	}},
	{"v16", "General nature of the vulnerability", [3]Obligation{"O", "X", "C"}, [3]string{"", "Art. 14(2)(b)", ""},
		func(c CaseInfo, _ Stage) (string, string) {
			if c.Description == "" {
				return "", ""
			}
			return c.Description, "case description"
		}},
	{"v17", "General nature of the exploit", [3]Obligation{"O", "X", "C"}, [3]string{"Art. 14(2)(a) (the fact of exploitation)", "Art. 14(2)(b)", ""},
		func(c CaseInfo, _ Stage) (string, string) {
			if c.Exploitation == "" {
				return "", ""
			}
			return c.Exploitation, "case exploitation"
		}},
	{"v18", "Corrective or mitigating measures taken", [3]Obligation{"O", "X", "C"}, [3]string{"", "Art. 14(2)(b)", ""}, measureTaken},
	{"v19", "Corrective or mitigating measures users can take", [3]Obligation{"O", "X", "C"}, [3]string{"", "Art. 14(2)(b)", ""}, userMeasure},
	{"v20", "Considered sensitivity of information", [3]Obligation{"O", "I", "C"}, [3]string{"", "Art. 14(2)(b)", ""}, none},
	{"v21", "Date the corrective or mitigating measure became available", [3]Obligation{"O", "O", "X"}, [3]string{"", "", "Art. 14(2)(c)"},
		func(c CaseInfo, _ Stage) (string, string) {
			if c.MeasureAt.IsZero() {
				return "", ""
			}
			return when(c.MeasureAt), "case measure"
		}},
	{"v23", "Severity", [3]Obligation{"O", "O", "X"}, [3]string{"", "", "Art. 14(2)(c)(i)"}, severity},
	{"v24", "Impact", [3]Obligation{"O", "O", "X"}, [3]string{"", "", "Art. 14(2)(c)(i)"}, none},
	{"v25", "Malicious actor that has exploited or is exploiting the vulnerability", [3]Obligation{"O", "O", "I"}, [3]string{"", "", "Art. 14(2)(c)(ii)"}, none},
	{"v26", "Details of the security update or other corrective measures", [3]Obligation{"O", "O", "X"}, [3]string{"", "", "Art. 14(2)(c)(iii)"}, measureTaken},
}

var incidentFields = []fieldSpec{
	{"i13", "Suspected to be caused by unlawful or malicious acts", [3]Obligation{"X", "C", "C"}, [3]string{"Art. 14(4)(a)", "", ""},
		func(c CaseInfo, _ Stage) (string, string) {
			if c.IncidentMalicious == "" {
				return "", ""
			}
			return c.IncidentMalicious, "case incident"
		}},
	{"i14", "General information on the nature of the incident", [3]Obligation{"O", "X", "C"}, [3]string{"", "Art. 14(4)(b)", ""},
		func(c CaseInfo, _ Stage) (string, string) {
			if c.Description == "" {
				return "", ""
			}
			return c.Description, "case description"
		}},
	{"i15", "Date and time detected", [3]Obligation{"O", "X", "C"}, [3]string{}, func(c CaseInfo, _ Stage) (string, string) {
		if c.IncidentAwareAt.IsZero() {
			return "", ""
		}
		return when(c.IncidentAwareAt), "case incident awareness"
	}},
	{"i16", "Date and time occurred", [3]Obligation{"O", "X", "C"}, [3]string{}, func(c CaseInfo, _ Stage) (string, string) {
		if c.IncidentOccurredAt.IsZero() {
			return "", ""
		}
		return when(c.IncidentOccurredAt), "case incident"
	}},
	{"i17", "Initial assessment", [3]Obligation{"O", "X", "C"}, [3]string{"", "Art. 14(4)(b)", ""}, none},
	{"i18", "Corrective or mitigating measures taken", [3]Obligation{"O", "X", "C"}, [3]string{"", "Art. 14(4)(b)", ""}, measureTaken},
	{"i19", "Measures users can take", [3]Obligation{"O", "X", "C"}, [3]string{"", "Art. 14(4)(b)", ""}, userMeasure},
	{"i20", "Considered sensitivity of information", [3]Obligation{"O", "I", "C"}, [3]string{"", "Art. 14(4)(b)", ""}, none},
	{"i21", "Severity (Art. 14(5)(a)/(b) criteria)", [3]Obligation{"O", "O", "X"}, [3]string{"", "", "Art. 14(4)(c)(i)"}, severity},
	{"i23", "Impact", [3]Obligation{"O", "O", "X"}, [3]string{"", "", "Art. 14(4)(c)(i)"}, none},
	{"i24", "Type of threat or root cause", [3]Obligation{"O", "O", "X"}, [3]string{"", "", "Art. 14(4)(c)(ii)"}, none},
	{"i25", "Applied and ongoing mitigation measures", [3]Obligation{"O", "O", "X"}, [3]string{"", "", "Art. 14(4)(c)(iii)"}, measureTaken},
}

// requires is the minimum content the article itself names per stage.
func requires(s Stage) []string {
	switch s {
	case StageVulnEarlyWarning:
		return []string{"the fact of the actively exploited vulnerability",
			"where applicable, the Member States on whose territory the manufacturer is aware the product has been made available"}
	case StageVulnNotification:
		return []string{"general information, as available, about the product concerned",
			"the general nature of the exploit and of the vulnerability concerned",
			"any corrective or mitigating measures taken, and those users can take",
			"where applicable, how sensitive the manufacturer deems the notified information"}
	case StageVulnFinal:
		return []string{"a description of the vulnerability, including its severity and impact",
			"where available, information concerning any malicious actor that has exploited or is exploiting it",
			"details about the security update or other corrective measures made available to remedy it"}
	case StageIncidentEarlyWarning:
		return []string{"whether the incident is suspected of being caused by unlawful or malicious acts",
			"where applicable, the Member States on whose territory the manufacturer is aware the product has been made available"}
	case StageIncidentNotification:
		return []string{"general information, where available, on the nature of the incident",
			"an initial assessment of the incident",
			"any corrective or mitigating measures taken, and those users can take",
			"where applicable, how sensitive the manufacturer deems the notified information"}
	case StageIncidentFinal:
		return []string{"a detailed description of the incident, including its severity and impact",
			"the type of threat or root cause that is likely to have triggered the incident",
			"applied and ongoing mitigation measures"}
	}
	return nil
}

// NewDraft builds the draft of stage s from the case. due is the stage's
// due time (zero when unknown); generated is the time to stamp.
func NewDraft(s Stage, c CaseInfo, due, generated time.Time) (Draft, error) {
	if !s.Valid() {
		return Draft{}, fmt.Errorf("unknown report stage %q (want one of %v)", s, Stages())
	}
	d := Draft{Schema: DraftSchema, Case: c.Reference, Stage: s, Article: s.Article(), Requires: requires(s),
		Generated: generated.UTC(), ToComplete: []string{}}
	if !due.IsZero() {
		u := due.UTC()
		d.Due = &u
	}
	specs := append([]fieldSpec(nil), commonFields...)
	if s.Incident() {
		specs = append(specs, incidentFields...)
	} else {
		specs = append(specs, vulnFields...)
	}
	i := stageIndex(s)
	for _, sp := range specs {
		v, src := sp.fill(c, s)
		f := DraftField{ID: sp.id, Name: sp.name, Obligation: sp.obl[i], Article: sp.article[i], Value: v, Source: src}
		d.Fields = append(d.Fields, f)
		// A copied field must have had a value at the earlier stage, so an
		// empty one is to complete too; only optional fields may stay empty.
		if v == "" && needed(sp, i) {
			d.ToComplete = append(d.ToComplete, f.ID)
		}
	}
	return d, nil
}

// needed reports whether a field must have a value at stage index i: it
// is obligatory (X, or I when known) now, or copied (C) from an earlier
// stage where it was.
func needed(sp fieldSpec, i int) bool {
	for j := i; j >= 0; j-- {
		switch sp.obl[j] {
		case Obligatory, IfAvailable:
			return true
		case Copied:
			continue
		}
		return false
	}
	return false
}

// JSON renders the draft as indented JSON with a final newline.
func (d Draft) JSON() ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	if err := enc.Encode(d); err != nil {
		return nil, fmt.Errorf("cases: encode draft: %w", err)
	}
	return buf.Bytes(), nil
}

// obligationName is an obligation as people read it.
func obligationName(o Obligation) string {
	switch o {
	case Obligatory:
		return "obligatory"
	case Copied:
		return "copied from the previous stage (may be updated)"
	case IfAvailable:
		return "obligatory if available"
	}
	return "optional"
}

// mdEscape keeps a value from being read as Markdown structure or HTML
// when the Markdown is rendered: it escapes the characters that carry
// meaning anywhere, and those that start a block at the start of a line
// (headings, lists, quotes); line breaks become Markdown hard breaks.
func mdEscape(s string) string {
	var b strings.Builder
	lineStart := true
	for _, r := range strings.ReplaceAll(s, "\r", "") {
		switch {
		case r == '\n':
			b.WriteString("  \n  ")
			lineStart = true
			continue
		case strings.ContainsRune("\\`*_{}[]<>|&", r):
			b.WriteByte('\\')
		case lineStart && strings.ContainsRune("#-+=>~", r):
			b.WriteByte('\\')
		}
		b.WriteRune(r)
		lineStart = lineStart && r == ' '
	}
	return b.String()
}

// Markdown renders the draft for people: what the article asks, then each
// field with its obligation and value, then what is left to complete.
// Values are escaped so that case text cannot inject markup.
func (d Draft) Markdown() []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "# %s: %s (%s)\n\n", mdEscape(d.Case), d.Stage.Name(), d.Article)
	fmt.Fprintf(&b, "Schema: `%s`  \nGenerated: %s  \n", d.Schema, d.Generated.Format(time.RFC3339))
	if d.Due != nil {
		fmt.Fprintf(&b, "Due: %s  \n", d.Due.Format(time.RFC3339))
	}
	b.WriteString("\nEnter these fields on ENISA's single reporting platform (it has no API); then record the submission in craft.\n\n")
	b.WriteString("## What the article requires\n\n")
	for _, r := range d.Requires {
		fmt.Fprintf(&b, "- %s\n", r)
	}
	b.WriteString("\n## Fields\n")
	for _, f := range d.Fields {
		fmt.Fprintf(&b, "\n### %s. %s\n\n", f.ID, f.Name)
		fmt.Fprintf(&b, "*%s*", obligationName(f.Obligation))
		if f.Article != "" {
			fmt.Fprintf(&b, " — %s", f.Article)
		}
		b.WriteString("\n\n")
		if f.Value == "" {
			b.WriteString("**To complete.**\n")
		} else {
			fmt.Fprintf(&b, "  %s\n", mdEscape(f.Value))
		}
	}
	b.WriteString("\n## To complete\n\n")
	if len(d.ToComplete) == 0 {
		b.WriteString("Nothing: every obligatory field has a value. Check them before you submit.\n")
	} else {
		names := map[string]string{}
		for _, f := range d.Fields {
			names[f.ID] = f.Name
		}
		for _, id := range d.ToComplete {
			fmt.Fprintf(&b, "- %s. %s\n", id, names[id])
		}
	}
	return b.Bytes()
}

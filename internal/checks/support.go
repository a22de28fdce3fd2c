package checks

import (
	"bytes"
	"context"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/craft-cra/craft/internal/config"
)

// minSupportYears is the Art. 13(8) minimum support period.
const minSupportYears = 5

func checkSupportPeriod(_ context.Context, repo *Repo) ([]Result, error) {
	p := repo.Config.Product
	// The results point at craft.yaml: at product.supportUntil when the file
	// says it, else at the file, which the remediation asks to create when
	// it does not exist.
	loc := []Location{{Path: config.FileName, Line: supportUntilLine(repo)}}
	if p.SupportUntil == "" {
		msg := "no support period declared: set product.supportUntil (YYYY-MM) in craft.yaml"
		if !repo.HasFile(config.FileName) {
			msg = "no support period declared: there is no craft.yaml; create one with product.supportUntil (YYYY-MM)"
		}
		return []Result{{Outcome: OutcomeFail, Message: msg, Locations: loc}}, nil
	}
	end, err := config.ParseMonth(p.SupportUntil)
	if err != nil {
		return []Result{{Outcome: OutcomeFail, Message: "product.supportUntil: " + err.Error(), Locations: loc}}, nil
	}
	now := repo.Now
	if end.Before(now) {
		return []Result{{Outcome: OutcomeFail, Message: fmt.Sprintf("the support period ended in %s: extend it or stop placing the product on the market", monthYear(end)), Locations: loc}}, nil
	}
	start, from := now, "today"
	if p.PlacedOnMarket != "" {
		if s, err := config.ParseMonth(p.PlacedOnMarket); err == nil {
			// A month counts from its first day for the start.
			start = time.Date(s.Year(), s.Month(), 1, 0, 0, 0, 0, time.UTC)
			from = "placing on the market in " + monthYear(s)
		}
	}
	minEnd := start.AddDate(minSupportYears, 0, 0)
	// Compare by month: the end is stated as month and year.
	endMonth := end.Year()*12 + int(end.Month())
	minMonth := minEnd.Year()*12 + int(minEnd.Month())
	if endMonth >= minMonth {
		return []Result{{Outcome: OutcomePass, Message: fmt.Sprintf("support until %s, at least %d years from %s", monthYear(end), minSupportYears, from), Locations: loc}}, nil
	}
	if j := strings.TrimSpace(p.SupportJustification); j != "" {
		return []Result{{Outcome: OutcomePass, Message: fmt.Sprintf("support until %s, under %d years from %s, justified: %s", monthYear(end), minSupportYears, from, j), Locations: loc}}, nil
	}
	return []Result{{Outcome: OutcomeFail,
		Message: fmt.Sprintf("support until %s is less than %d years from %s (minimum %s): extend it, or explain in product.supportJustification why the product is expected to be used for less",
			monthYear(end), minSupportYears, from, monthYear(minEnd)),
		Locations: loc}}, nil
}

var supportUntilRE = regexp.MustCompile(`(?m)^\s+supportUntil\s*:`)

// supportUntilLine is the line of product.supportUntil in craft.yaml, 0
// when craft.yaml is missing or does not set it.
func supportUntilLine(repo *Repo) int {
	if !repo.HasFile(config.FileName) {
		return 0
	}
	data, err := repo.ReadFile(config.FileName)
	if err != nil {
		return 0
	}
	if m := supportUntilRE.FindIndex(data); m != nil {
		return 1 + bytes.Count(data[:m[0]], []byte("\n"))
	}
	return 0
}

func monthYear(t time.Time) string { return t.Format("January 2006") }

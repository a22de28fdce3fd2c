package match

import (
	"fmt"
	"strings"

	"github.com/craft-cra/craft/internal/osv"
	cvss20 "github.com/pandatix/go-cvss/20"
	cvss30 "github.com/pandatix/go-cvss/30"
	cvss31 "github.com/pandatix/go-cvss/31"
	cvss40 "github.com/pandatix/go-cvss/40"
)

// scoredVector is one CVSS vector with its base score.
type scoredVector struct {
	typ    string // SeverityCVSSv4, v3 or v2
	rank   int    // 4, 3, 2: higher is preferred
	score  float64
	vector string
}

// scoreVector parses an OSV severity entry. The version is taken from the
// vector's own prefix ("CVSS:4.0/", "CVSS:3.1/", "CVSS:3.0/", none for
// v2), since that is what the vector is, whatever the entry's type says.
func scoreVector(s osv.Severity) (scoredVector, bool, error) {
	vec := strings.TrimSpace(s.Score)
	switch {
	case strings.HasPrefix(vec, "CVSS:4.0/"):
		c, err := cvss40.ParseVector(vec)
		if err != nil {
			return scoredVector{}, true, err
		}
		return scoredVector{SeverityCVSSv4, 4, c.Score(), vec}, true, nil
	case strings.HasPrefix(vec, "CVSS:3.1/"):
		c, err := cvss31.ParseVector(vec)
		if err != nil {
			return scoredVector{}, true, err
		}
		return scoredVector{SeverityCVSSv3, 3, c.BaseScore(), vec}, true, nil
	case strings.HasPrefix(vec, "CVSS:3.0/"):
		c, err := cvss30.ParseVector(vec)
		if err != nil {
			return scoredVector{}, true, err
		}
		return scoredVector{SeverityCVSSv3, 3, c.BaseScore(), vec}, true, nil
	case s.Type == SeverityCVSSv2:
		c, err := cvss20.ParseVector(strings.TrimPrefix(vec, "(")) // some feeds wrap v2 vectors in parentheses
		if err != nil {
			return scoredVector{}, true, err
		}
		return scoredVector{SeverityCVSSv2, 2, c.BaseScore(), vec}, true, nil
	case strings.HasPrefix(s.Type, "CVSS_"):
		return scoredVector{}, true, fmt.Errorf("unknown CVSS vector version")
	}
	return scoredVector{}, false, nil // not a CVSS entry (e.g. Ubuntu priority)
}

// cvssLevel is the qualitative rating of a CVSS v3/v4 base score.
func cvssLevel(score float64) string {
	switch {
	case score >= 9.0:
		return LevelCritical
	case score >= 7.0:
		return LevelHigh
	case score >= 4.0:
		return LevelMedium
	case score > 0:
		return LevelLow
	default:
		return LevelNone
	}
}

// cvss2Level is NVD's rating of a CVSS v2 base score (no critical, no none).
func cvss2Level(score float64) string {
	switch {
	case score >= 7.0:
		return LevelHigh
	case score >= 4.0:
		return LevelMedium
	default:
		return LevelLow
	}
}

// levelRank orders levels for sorting: critical highest.
func levelRank(level string) int {
	switch level {
	case LevelCritical:
		return 5
	case LevelHigh:
		return 4
	case LevelMedium:
		return 3
	case LevelLow:
		return 2
	case LevelNone:
		return 1
	default:
		return 0
	}
}

// databaseLevel maps a database's own severity word (GHSA's LOW,
// MODERATE, HIGH, CRITICAL; others' MEDIUM, IMPORTANT) to a level.
func databaseLevel(word string) string {
	switch strings.ToUpper(strings.TrimSpace(word)) {
	case "CRITICAL":
		return LevelCritical
	case "HIGH", "IMPORTANT":
		return LevelHigh
	case "MODERATE", "MEDIUM":
		return LevelMedium
	case "LOW", "NEGLIGIBLE":
		return LevelLow
	}
	return ""
}

// chooseSeverity picks a finding's severity from its merged records: the
// highest CVSS version present (v4, else v3.x, else v2) and, within it,
// the highest base score; else the highest database_specific.severity;
// else unknown. Vectors that do not parse are reported in notes.
func chooseSeverity(recs []*compiledRecord, base, suffix string, names []string, score func(osv.Severity) (scoredVector, bool, error)) (Severity, []string) {
	var best *scoredVector
	var notes []string
	for _, cr := range recs {
		for _, s := range cr.severities(base, suffix, names) {
			sv, isCVSS, err := score(s)
			if !isCVSS {
				continue
			}
			if err != nil {
				notes = append(notes, fmt.Sprintf("%s: %s vector %q ignored: %v", cr.rec.ID, s.Type, s.Score, err))
				continue
			}
			if best == nil || sv.rank > best.rank ||
				(sv.rank == best.rank && (sv.score > best.score || (sv.score == best.score && sv.vector < best.vector))) {
				best = &sv
			}
		}
	}
	if best != nil {
		level := cvssLevel(best.score)
		if best.typ == SeverityCVSSv2 {
			level = cvss2Level(best.score)
		}
		return Severity{Level: level, Score: best.score, Vector: best.vector, Type: best.typ}, notes
	}
	level := ""
	for _, cr := range recs {
		word, _ := cr.rec.DatabaseSpecific["severity"].(string)
		if l := databaseLevel(word); l != "" && levelRank(l) > levelRank(level) {
			level = l
		}
	}
	if level != "" {
		return Severity{Level: level, Type: SeverityDatabaseSpecific}, notes
	}
	return Severity{Level: LevelUnknown}, notes
}

package cases

import (
	"fmt"
	"strings"

	gocvss31 "github.com/pandatix/go-cvss/31"
	gocvss40 "github.com/pandatix/go-cvss/40"
)

// maxVectorLen bounds a vector before parsing: a full CVSS v4.0 vector with
// every optional metric is about 300 characters.
const maxVectorLen = 512

// Score is a parsed CVSS vector with its base score and rating.
type Score struct {
	Vector string
	// Score is the base score (v3.1) or the CVSS-BTE score (v4.0), 0-10.
	Score float64
	// Rating is "None", "Low", "Medium", "High" or "Critical".
	Rating string
}

// ScoreCVSS31 parses a CVSS v3.1 vector ("CVSS:3.1/AV:N/...") and computes
// its base score. The error says what is wrong without echoing the input.
func ScoreCVSS31(vector string) (Score, error) {
	vector = strings.TrimSpace(vector)
	if len(vector) > maxVectorLen {
		return Score{}, fmt.Errorf("CVSS v3.1 vector is longer than %d characters", maxVectorLen)
	}
	if !strings.HasPrefix(vector, "CVSS:3.1/") {
		return Score{}, fmt.Errorf("CVSS v3.1 vector must start with \"CVSS:3.1/\"")
	}
	v, err := gocvss31.ParseVector(vector)
	if err != nil {
		return Score{}, fmt.Errorf("CVSS v3.1 vector is not valid: %w", err)
	}
	s := v.BaseScore()
	r, err := gocvss31.Rating(s)
	if err != nil {
		return Score{}, fmt.Errorf("CVSS v3.1 rating: %w", err)
	}
	return Score{Vector: v.Vector(), Score: s, Rating: ratingName(r)}, nil
}

// ScoreCVSS40 parses a CVSS v4.0 vector ("CVSS:4.0/AV:N/...") and computes
// its score.
func ScoreCVSS40(vector string) (Score, error) {
	vector = strings.TrimSpace(vector)
	if len(vector) > maxVectorLen {
		return Score{}, fmt.Errorf("CVSS v4.0 vector is longer than %d characters", maxVectorLen)
	}
	if !strings.HasPrefix(vector, "CVSS:4.0/") {
		return Score{}, fmt.Errorf("CVSS v4.0 vector must start with \"CVSS:4.0/\"")
	}
	v, err := gocvss40.ParseVector(vector)
	if err != nil {
		return Score{}, fmt.Errorf("CVSS v4.0 vector is not valid: %w", err)
	}
	s := v.Score()
	r, err := gocvss40.Rating(s)
	if err != nil {
		return Score{}, fmt.Errorf("CVSS v4.0 rating: %w", err)
	}
	return Score{Vector: v.Vector(), Score: s, Rating: ratingName(r)}, nil
}

// ratingName writes the library's "CRITICAL" as the specification's
// "Critical".
func ratingName(r string) string {
	if r == "" {
		return r
	}
	return r[:1] + strings.ToLower(r[1:])
}

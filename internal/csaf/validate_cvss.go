package csaf

import (
	"math"

	"github.com/santhosh-tekuri/jsonschema/v6"

	cvss20 "github.com/pandatix/go-cvss/20"
	cvss30 "github.com/pandatix/go-cvss/30"
	cvss31 "github.com/pandatix/go-cvss/31"
)

// testScores runs 6.1.7 (one score per CVSS version and product), 6.1.8
// (CVSS object valid against its FIRST schema), 6.1.9 (scores and
// severities computed right from the vector) and 6.1.10 (metric
// properties agree with the vector).
func (c *checker) testScores() {
	schemas, err := compiledSchemas()
	if err != nil {
		c.fail("6.1.8", root, "cannot load the embedded CVSS schemas: %v", err)
		return
	}
	for i, v := range arr(get(c.doc, "vulnerabilities")) {
		vp := root.key("vulnerabilities").index(i)
		seen := map[string]bool{} // CVSS version + "\x00" + product ID
		for j, s := range arr(get(v, "scores")) {
			sp := vp.key("scores").index(j)
			var versions []string
			for _, k := range []string{"cvss_v2", "cvss_v3"} {
				if cv := get(s, k); cv != nil && obj(cv) == nil {
					c.fail("6.1.8", sp.key(k), "invalid CVSS: %s must be an object", k)
				}
			}
			if cv := get(s, "cvss_v2"); obj(cv) != nil {
				versions = append(versions, "2.0")
				c.testCVSS2(schemas, sp.key("cvss_v2"), cv)
			}
			if cv := get(s, "cvss_v3"); obj(cv) != nil {
				ver := str(get(cv, "version"))
				versions = append(versions, ver)
				c.testCVSS3(schemas, sp.key("cvss_v3"), cv, ver)
			}
			for k, p := range arr(get(s, "products")) {
				id, ok := p.(string)
				if !ok {
					continue
				}
				for _, ver := range versions {
					key := ver + "\x00" + id
					if seen[key] {
						c.fail("6.1.7", sp.key("products").index(k), "product %q has more than one CVSS %s score in this vulnerability", id, ver)
					}
					seen[key] = true
				}
			}
		}
	}
}

func (c *checker) testCVSS2(s *validationSchemas, p jsonPath, cv any) {
	if c.cvssSchema(s.cvss20, p, cv) {
		return
	}
	vector := str(get(cv, "vectorString"))
	m, err := cvss20.ParseVector(vector)
	if err != nil {
		c.fail("6.1.8", p.key("vectorString"), "%q is not a valid CVSS 2.0 vector: %v", vector, err)
		return
	}
	c.checkScore(p, cv, "baseScore", m.BaseScore(), vector)
	c.checkScore(p, cv, "temporalScore", m.TemporalScore(), vector)
	c.checkScore(p, cv, "environmentalScore", m.EnvironmentalScore(), vector)
	c.checkMetrics(p, cv, cvss2Metrics, m.Get, vector)
}

func (c *checker) testCVSS3(s *validationSchemas, p jsonPath, cv any, version string) {
	var schema = s.cvss31
	switch version {
	case "3.0":
		schema = s.cvss30
	case "3.1":
	default:
		c.fail("6.1.8", p.key("version"), "CVSS v3 version %q: must be \"3.0\" or \"3.1\"", version)
		return
	}
	if c.cvssSchema(schema, p, cv) {
		return
	}
	vector := str(get(cv, "vectorString"))
	// The schema has checked that the vector's prefix matches version.
	type metrics interface {
		BaseScore() float64
		TemporalScore() float64
		EnvironmentalScore() float64
		Get(string) (string, error)
	}
	var m metrics
	var rating func(float64) (string, error)
	var err error
	if version == "3.0" {
		m, err = cvss30.ParseVector(vector)
		rating = cvss30.Rating
	} else {
		m, err = cvss31.ParseVector(vector)
		rating = cvss31.Rating
	}
	if err != nil {
		c.fail("6.1.8", p.key("vectorString"), "%q is not a valid CVSS %s vector: %v", vector, version, err)
		return
	}
	for _, s := range []struct {
		score, severity string
		value           float64
	}{
		{"baseScore", "baseSeverity", m.BaseScore()},
		{"temporalScore", "temporalSeverity", m.TemporalScore()},
		{"environmentalScore", "environmentalSeverity", m.EnvironmentalScore()},
	} {
		c.checkScore(p, cv, s.score, s.value, vector)
		if given, ok := get(cv, s.severity).(string); ok {
			want, err := rating(s.value)
			if err == nil && given != want {
				c.fail("6.1.9", p.key(s.severity), "vectorString and %s disagree (%s gives %s, the document says %s)", s.severity, vector, want, given)
			}
		}
	}
	c.checkMetrics(p, cv, cvss3Metrics, m.Get, vector)
}

// cvssSchema validates one CVSS object against its FIRST schema (6.1.8)
// and reports whether it failed.
func (c *checker) cvssSchema(s *jsonschema.Schema, p jsonPath, cv any) bool {
	vs := schemaViolations(s, cv, p)
	for _, v := range vs {
		c.failures = append(c.failures, Failure{Test: "6.1.8", Path: v.Path, Message: "invalid CVSS: " + v.Message})
	}
	return len(vs) > 0
}

func (c *checker) checkScore(p jsonPath, cv any, prop string, want float64, vector string) {
	given, ok := number(get(cv, prop))
	if !ok {
		return
	}
	if math.Abs(given-want) > 1e-9 {
		c.fail("6.1.9", p.key(prop), "vectorString and %s disagree (%s gives %.1f, the document says %v)", prop, vector, want, get(cv, prop))
	}
}

// cvssMetric ties a property of the FIRST CVSS schema to its vector
// abbreviation and the property value of each vector value.
type cvssMetric struct {
	prop, abbrev string
	values       map[string]string
}

var cvss2Metrics = []cvssMetric{
	{"accessVector", "AV", map[string]string{"L": "LOCAL", "A": "ADJACENT_NETWORK", "N": "NETWORK"}},
	{"accessComplexity", "AC", map[string]string{"H": "HIGH", "M": "MEDIUM", "L": "LOW"}},
	{"authentication", "Au", map[string]string{"M": "MULTIPLE", "S": "SINGLE", "N": "NONE"}},
	{"confidentialityImpact", "C", map[string]string{"N": "NONE", "P": "PARTIAL", "C": "COMPLETE"}},
	{"integrityImpact", "I", map[string]string{"N": "NONE", "P": "PARTIAL", "C": "COMPLETE"}},
	{"availabilityImpact", "A", map[string]string{"N": "NONE", "P": "PARTIAL", "C": "COMPLETE"}},
	{"exploitability", "E", map[string]string{"U": "UNPROVEN", "POC": "PROOF_OF_CONCEPT", "F": "FUNCTIONAL", "H": "HIGH", "ND": "NOT_DEFINED"}},
	{"remediationLevel", "RL", map[string]string{"OF": "OFFICIAL_FIX", "TF": "TEMPORARY_FIX", "W": "WORKAROUND", "U": "UNAVAILABLE", "ND": "NOT_DEFINED"}},
	{"reportConfidence", "RC", map[string]string{"UC": "UNCONFIRMED", "UR": "UNCORROBORATED", "C": "CONFIRMED", "ND": "NOT_DEFINED"}},
	{"collateralDamagePotential", "CDP", map[string]string{"N": "NONE", "L": "LOW", "LM": "LOW_MEDIUM", "MH": "MEDIUM_HIGH", "H": "HIGH", "ND": "NOT_DEFINED"}},
	{"targetDistribution", "TD", map[string]string{"N": "NONE", "L": "LOW", "M": "MEDIUM", "H": "HIGH", "ND": "NOT_DEFINED"}},
	{"confidentialityRequirement", "CR", map[string]string{"L": "LOW", "M": "MEDIUM", "H": "HIGH", "ND": "NOT_DEFINED"}},
	{"integrityRequirement", "IR", map[string]string{"L": "LOW", "M": "MEDIUM", "H": "HIGH", "ND": "NOT_DEFINED"}},
	{"availabilityRequirement", "AR", map[string]string{"L": "LOW", "M": "MEDIUM", "H": "HIGH", "ND": "NOT_DEFINED"}},
}

var (
	cvss3AV  = map[string]string{"N": "NETWORK", "A": "ADJACENT_NETWORK", "L": "LOCAL", "P": "PHYSICAL", "X": "NOT_DEFINED"}
	cvss3LH  = map[string]string{"L": "LOW", "H": "HIGH", "X": "NOT_DEFINED"}
	cvss3NLH = map[string]string{"N": "NONE", "L": "LOW", "H": "HIGH", "X": "NOT_DEFINED"}
	cvss3UI  = map[string]string{"N": "NONE", "R": "REQUIRED", "X": "NOT_DEFINED"}
	cvss3S   = map[string]string{"U": "UNCHANGED", "C": "CHANGED", "X": "NOT_DEFINED"}
	cvss3Req = map[string]string{"L": "LOW", "M": "MEDIUM", "H": "HIGH", "X": "NOT_DEFINED"}
)

var cvss3Metrics = []cvssMetric{
	{"attackVector", "AV", cvss3AV},
	{"attackComplexity", "AC", cvss3LH},
	{"privilegesRequired", "PR", cvss3NLH},
	{"userInteraction", "UI", cvss3UI},
	{"scope", "S", cvss3S},
	{"confidentialityImpact", "C", cvss3NLH},
	{"integrityImpact", "I", cvss3NLH},
	{"availabilityImpact", "A", cvss3NLH},
	{"exploitCodeMaturity", "E", map[string]string{"U": "UNPROVEN", "P": "PROOF_OF_CONCEPT", "F": "FUNCTIONAL", "H": "HIGH", "X": "NOT_DEFINED"}},
	{"remediationLevel", "RL", map[string]string{"O": "OFFICIAL_FIX", "T": "TEMPORARY_FIX", "W": "WORKAROUND", "U": "UNAVAILABLE", "X": "NOT_DEFINED"}},
	{"reportConfidence", "RC", map[string]string{"U": "UNKNOWN", "R": "REASONABLE", "C": "CONFIRMED", "X": "NOT_DEFINED"}},
	{"confidentialityRequirement", "CR", cvss3Req},
	{"integrityRequirement", "IR", cvss3Req},
	{"availabilityRequirement", "AR", cvss3Req},
	{"modifiedAttackVector", "MAV", cvss3AV},
	{"modifiedAttackComplexity", "MAC", cvss3LH},
	{"modifiedPrivilegesRequired", "MPR", cvss3NLH},
	{"modifiedUserInteraction", "MUI", cvss3UI},
	{"modifiedScope", "MS", cvss3S},
	{"modifiedConfidentialityImpact", "MC", cvss3NLH},
	{"modifiedIntegrityImpact", "MI", cvss3NLH},
	{"modifiedAvailabilityImpact", "MA", cvss3NLH},
}

// checkMetrics runs 6.1.10: every metric property given must say what the
// vector says (a metric missing from the vector is NOT_DEFINED).
func (c *checker) checkMetrics(p jsonPath, cv any, metrics []cvssMetric, vectorValue func(string) (string, error), vector string) {
	for _, m := range metrics {
		given, ok := get(cv, m.prop).(string)
		if !ok {
			continue
		}
		abbrev, err := vectorValue(m.abbrev)
		if err != nil {
			continue
		}
		want, ok := m.values[abbrev]
		if !ok {
			continue
		}
		if given != want {
			c.fail("6.1.10", p.key(m.prop), "%s is %s but vectorString %s says %s:%s (%s)", m.prop, given, vector, m.abbrev, abbrev, want)
		}
	}
}

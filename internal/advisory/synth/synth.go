// Package synth generates synthetic but realistic OSV records for the
// advisory database's benchmarks and for bench/advisorygen. The output is
// deterministic for a given seed: the same records, names and sizes each
// run, so figures are comparable across commits.
package synth

import (
	"archive/zip"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"time"
)

// Ecosystem mix of generated records, close to osv.dev's language share.
var mix = []struct {
	eco    string
	weight int
}{
	{"npm", 30}, {"PyPI", 20}, {"Maven", 20}, {"Go", 10}, {"Packagist", 6},
	{"RubyGems", 5}, {"NuGet", 4}, {"crates.io", 5},
}

// Config shapes a generated set.
type Config struct {
	Records int
	// PackagesPerRecord is the ratio records/packages (default 3: each
	// vulnerable package has three records on average).
	RecordsPerPackage int
	Seed              uint64
}

// Generator yields records one by one.
type Generator struct {
	cfg  Config
	rng  *rand.Rand
	i    int
	pkgs int
	base time.Time
}

// New returns a generator for cfg.
func New(cfg Config) *Generator {
	if cfg.RecordsPerPackage <= 0 {
		cfg.RecordsPerPackage = 3
	}
	pkgs := max(cfg.Records/cfg.RecordsPerPackage, 1)
	return &Generator{
		cfg:  cfg,
		rng:  rand.New(rand.NewPCG(cfg.Seed, cfg.Seed^0x9e3779b97f4a7c15)),
		pkgs: pkgs,
		base: time.Date(2018, 1, 1, 0, 0, 0, 0, time.UTC),
	}
}

// Ecosystem returns the ecosystem of package number p.
func Ecosystem(p int) string {
	total := 0
	for _, m := range mix {
		total += m.weight
	}
	x := int(uint64(p) * 2654435761 % uint64(total)) // spread deterministically
	for _, m := range mix {
		if x < m.weight {
			return m.eco
		}
		x -= m.weight
	}
	return mix[0].eco
}

// Name returns the package name of package number p in its ecosystem's
// usual shape.
func Name(p int) string {
	switch Ecosystem(p) {
	case "Go":
		return fmt.Sprintf("github.com/org%d/module-%d", p%997, p)
	case "Maven":
		return fmt.Sprintf("org.example%d:artifact-%d", p%997, p)
	case "Packagist":
		return fmt.Sprintf("vendor%d/package-%d", p%997, p)
	case "PyPI":
		return fmt.Sprintf("Py_Package.%d", p)
	default:
		return fmt.Sprintf("package-%d", p)
	}
}

// Packages is the number of distinct packages the records name.
func (g *Generator) Packages() int { return g.pkgs }

// Next returns the next record as JSON, or nil after the last one.
func (g *Generator) Next() []byte {
	if g.i >= g.cfg.Records {
		return nil
	}
	i := g.i
	g.i++
	r := g.rng
	p := i % g.pkgs
	eco := Ecosystem(p)
	id := fmt.Sprintf("SYN-%d-%07d", 2018+i%8, i)
	published := g.base.Add(time.Duration(r.IntN(8*365*24)) * time.Hour)
	modified := published.Add(time.Duration(r.IntN(400*24)) * time.Hour)
	major := r.IntN(5)
	fixed := fmt.Sprintf("%d.%d.%d", major, r.IntN(20), r.IntN(10)+1)
	aff := map[string]any{
		"package": map[string]any{"ecosystem": eco, "name": Name(p)},
		"ranges": []any{map[string]any{
			"type": rangeType(eco),
			"events": []any{
				map[string]any{"introduced": fmt.Sprintf("%d.0.0", major)},
				map[string]any{"fixed": fixed},
			},
		}},
		"database_specific": map[string]any{"source": "synthetic"},
	}
	if r.IntN(4) == 0 {
		var vs []string
		for k := range 10 + r.IntN(30) {
			vs = append(vs, fmt.Sprintf("%d.%d.%d", major, k/10, k%10))
		}
		aff["versions"] = vs
	}
	affected := []any{aff}
	if r.IntN(10) == 0 {
		// Some records name a second package.
		q := (p + 1 + r.IntN(g.pkgs)) % g.pkgs
		if Ecosystem(q) == eco {
			affected = append(affected, map[string]any{
				"package": map[string]any{"ecosystem": eco, "name": Name(q)},
				"ranges": []any{map[string]any{"type": rangeType(eco), "events": []any{
					map[string]any{"introduced": "0"}, map[string]any{"last_affected": fixed},
				}}},
			})
		}
	}
	var refs []any
	for k := range 2 + r.IntN(5) {
		refs = append(refs, map[string]any{"type": "WEB", "url": fmt.Sprintf("https://example.org/advisories/%s/ref-%d", id, k)})
	}
	rec := map[string]any{
		"schema_version": "1.6.0",
		"id":             id,
		"modified":       modified.Format(time.RFC3339),
		"published":      published.Format(time.RFC3339),
		"aliases":        []string{fmt.Sprintf("CVE-%d-%d", 2018+i%8, 10000+i), fmt.Sprintf("GHSA-syn%d", i)},
		"summary":        fmt.Sprintf("%s in %s allows %s", words(r, 3), Name(p), words(r, 4)),
		"details":        words(r, 40+r.IntN(120)),
		"severity":       []any{map[string]any{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}},
		"affected":       affected,
		"references":     refs,
	}
	b, _ := json.Marshal(rec) // maps of strings always marshal
	return b
}

func rangeType(eco string) string {
	if eco == "Go" || eco == "npm" || eco == "crates.io" {
		return "SEMVER"
	}
	return "ECOSYSTEM"
}

var vocabulary = strings.Fields(`remote code execution cross site scripting request forgery
injection denial of service path traversal buffer overflow memory corruption
authentication bypass improper validation of input untrusted data deserialization
attacker crafted payload server client header cookie session token parser
regular expression resource exhaustion integer overflow privilege escalation`)

func words(r *rand.Rand, n int) string {
	var b strings.Builder
	for k := range n {
		if k > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(vocabulary[r.IntN(len(vocabulary))])
	}
	return b.String()
}

// WriteZip writes the records as a zip of <id>.json entries, the layout of
// osv.dev's all.zip. It returns the uncompressed byte count.
func WriteZip(w io.Writer, cfg Config) (int64, error) {
	g := New(cfg)
	zw := zip.NewWriter(w)
	var total int64
	for rec := g.Next(); rec != nil; rec = g.Next() {
		var head struct {
			ID string `json:"id"`
		}
		if err := json.Unmarshal(rec, &head); err != nil {
			return total, err
		}
		f, err := zw.Create(head.ID + ".json")
		if err != nil {
			return total, err
		}
		n, err := f.Write(rec)
		if err != nil {
			return total, err
		}
		total += int64(n)
	}
	return total, zw.Close()
}

// LookupNames returns n (ecosystem, name) pairs for a lookup benchmark:
// hitRate of them name packages that have records, the rest do not exist.
func LookupNames(cfg Config, n int, hitRate float64, seed uint64) map[string][]string {
	g := New(cfg)
	r := rand.New(rand.NewPCG(seed, seed+1))
	out := map[string][]string{}
	for i := range n {
		if r.Float64() < hitRate {
			p := r.IntN(g.pkgs)
			out[Ecosystem(p)] = append(out[Ecosystem(p)], Name(p))
		} else {
			p := g.pkgs + i
			out[Ecosystem(p)] = append(out[Ecosystem(p)], Name(p)+"-absent")
		}
	}
	return out
}

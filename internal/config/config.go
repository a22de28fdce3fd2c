// Package config reads craft.yaml, the file at the root of a product that
// tells craft who makes the product, what it is, and which CRA decisions the
// manufacturer has taken (support period, not-applicable justifications).
// Command-line flags override it; later stages read the plain Config.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/mail"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// FileName is the name craft looks for at the root of a scanned tree.
const FileName = "craft.yaml"

// maxSize bounds craft.yaml: it is a small hand-written file.
const maxSize = 1 << 20

// Config is the content of craft.yaml.
type Config struct {
	Product      Product      `yaml:"product" json:"product"`
	Manufacturer Manufacturer `yaml:"manufacturer" json:"manufacturer"`
	// Security holds the disclosure contact and policy.
	Security Security `yaml:"security,omitempty" json:"security,omitempty"`
	// Requirements records per-requirement decisions: a requirement that
	// does not apply needs a written justification (Art. 13(4)).
	Requirements map[string]Decision `yaml:"requirements,omitempty" json:"requirements,omitempty"`
	// Scan configures the scan of this tree.
	Scan Scan `yaml:"scan,omitempty" json:"scan,omitempty"`
}

// Product identifies the product with digital elements.
type Product struct {
	Name            string `yaml:"name" json:"name"`
	Version         string `yaml:"version,omitempty" json:"version,omitempty"`
	Description     string `yaml:"description,omitempty" json:"description,omitempty"`
	IntendedPurpose string `yaml:"intendedPurpose,omitempty" json:"intendedPurpose,omitempty"`
	// Class is the CRA class: default, important-i, important-ii, critical.
	Class string `yaml:"class,omitempty" json:"class,omitempty"`
	// SupportUntil is the end of the support period (Art. 13(8)), as
	// YYYY-MM or YYYY-MM-DD.
	SupportUntil string `yaml:"supportUntil,omitempty" json:"supportUntil,omitempty"`
	// PlacedOnMarket is when the product was first placed on the market
	// (YYYY-MM or YYYY-MM-DD). The five-year minimum of Art. 13(8) counts
	// from it; without it, craft counts from today.
	PlacedOnMarket string `yaml:"placedOnMarket,omitempty" json:"placedOnMarket,omitempty"`
	// SupportJustification explains a support period under five years.
	SupportJustification string `yaml:"supportJustification,omitempty" json:"supportJustification,omitempty"`
	// PURL optionally names the product itself as a package URL.
	PURL string `yaml:"purl,omitempty" json:"purl,omitempty"`
}

// Manufacturer is the entity placing the product on the market; also the
// SBOM creator in BSI TR-03183-2 terms.
type Manufacturer struct {
	Name    string `yaml:"name" json:"name"`
	URL     string `yaml:"url,omitempty" json:"url,omitempty"`
	Email   string `yaml:"email,omitempty" json:"email,omitempty"`
	Address string `yaml:"address,omitempty" json:"address,omitempty"`
}

// Security holds the coordinated-disclosure settings.
type Security struct {
	Contact string `yaml:"contact,omitempty" json:"contact,omitempty"`
	Policy  string `yaml:"policy,omitempty" json:"policy,omitempty"`
}

// Decision is the manufacturer's decision on one requirement.
type Decision struct {
	// Applicable false marks the requirement not applicable.
	Applicable *bool `yaml:"applicable,omitempty" json:"applicable,omitempty"`
	// Justification is required when Applicable is false.
	Justification string `yaml:"justification,omitempty" json:"justification,omitempty"`
}

// Scan configures the inventory stage.
type Scan struct {
	Exclude []string `yaml:"exclude,omitempty" json:"exclude,omitempty"`
}

// Load reads craft.yaml from dir. A missing file is not an error: it yields
// an empty Config and found=false.
func Load(dir string) (cfg Config, found bool, err error) {
	path := filepath.Join(dir, FileName)
	// Lstat first: opening a FIFO or device named craft.yaml would block
	// or read forever, and a symlink could point out of the tree.
	fi, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return Config{}, false, nil
	}
	if err != nil {
		return Config{}, false, fmt.Errorf("read %s: %w", path, err)
	}
	if !fi.Mode().IsRegular() {
		return Config{}, false, fmt.Errorf("read %s: not a regular file (%s)", path, fi.Mode().Type())
	}
	f, err := os.Open(path)
	if err != nil {
		return Config{}, false, fmt.Errorf("read %s: %w", path, err)
	}
	defer f.Close()
	cfg, err = Parse(path, io.LimitReader(f, maxSize+1))
	return cfg, err == nil, err
}

// Parse decodes craft.yaml content; name is used in error messages.
// Unknown keys are an error, so that a typo does not silently drop a
// decision.
func Parse(name string, r io.Reader) (Config, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return Config{}, fmt.Errorf("read %s: %w", name, err)
	}
	if len(data) > maxSize {
		return Config{}, fmt.Errorf("%s: larger than %d bytes", name, maxSize)
	}
	var cfg Config
	if len(bytes.TrimSpace(data)) == 0 {
		return cfg, nil
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&cfg); err != nil {
		return Config{}, fmt.Errorf("%s: %w", name, err)
	}
	if err := cfg.Validate(); err != nil {
		return Config{}, fmt.Errorf("%s: %w", name, err)
	}
	return cfg, nil
}

// Validate checks the decisions and dates that later stages rely on.
func (c *Config) Validate() error {
	if c.Product.SupportUntil != "" {
		if _, err := ParseMonth(c.Product.SupportUntil); err != nil {
			return fmt.Errorf("product.supportUntil: %w", err)
		}
	}
	if c.Product.PlacedOnMarket != "" {
		if _, err := ParseMonth(c.Product.PlacedOnMarket); err != nil {
			return fmt.Errorf("product.placedOnMarket: %w", err)
		}
	}
	switch c.Product.Class {
	case "", "default", "important-i", "important-ii", "critical":
	default:
		return fmt.Errorf("product.class %q: want default, important-i, important-ii or critical", c.Product.Class)
	}
	// A not-applicable decision without a justification is not an error
	// here: the assessment reports it as a gap (Art. 13(4)) and the checks
	// it would skip as failed, so the rest of the report still comes out.
	if e := c.Manufacturer.Email; e != "" {
		if _, err := mail.ParseAddress(e); err != nil || strings.ContainsAny(e, "<> ") {
			return fmt.Errorf("manufacturer.email %q is not an e-mail address", e)
		}
	}
	if u := c.Manufacturer.URL; u != "" {
		if pu, err := url.Parse(u); err != nil || (pu.Scheme != "https" && pu.Scheme != "http") || pu.Host == "" {
			return fmt.Errorf("manufacturer.url %q is not an http(s) URL", u)
		}
	}
	return nil
}

// ParseMonth reads a date given as YYYY-MM or YYYY-MM-DD. A month stands for
// its last day, since a support period "until March 2031" covers March.
func ParseMonth(s string) (time.Time, error) {
	if t, err := time.Parse("2006-01-02", s); err == nil {
		return t, nil
	}
	t, err := time.Parse("2006-01", s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is not a date (want YYYY-MM or YYYY-MM-DD)", s)
	}
	return t.AddDate(0, 1, -1), nil
}

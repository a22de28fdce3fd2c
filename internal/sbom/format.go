package sbom

import (
	"fmt"
	"net/mail"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/package-url/packageurl-go"
)

// Format names an SBOM serialisation, spelled as on the command line.
type Format string

// The formats craft writes (all three) and reads (all four).
const (
	CycloneDXJSON Format = "cyclonedx-json" // CycloneDX 1.6 JSON
	CycloneDXXML  Format = "cyclonedx-xml"  // CycloneDX 1.6 XML
	SPDXJSON      Format = "spdx-json"      // SPDX 2.3 JSON
	SPDXTagValue  Format = "spdx-tag-value" // SPDX 2.x tag-value, read only
)

// EncodeFormats lists the formats Encode writes, in the order help texts
// show them.
func EncodeFormats() []string {
	return []string{string(CycloneDXJSON), string(CycloneDXXML), string(SPDXJSON)}
}

// Metadata is what craft says about the product and the SBOM itself, from
// flags or craft.yaml. The manufacturer is the SBOM creator in BSI
// TR-03183-2 terms (§5.2.1): give at least its URL or e-mail address.
type Metadata struct {
	ProductName    string
	ProductVersion string
	// ProductPURL optionally identifies the product as a package URL.
	ProductPURL string

	ManufacturerName  string
	ManufacturerURL   string
	ManufacturerEmail string

	// ToolName and ToolVersion name the generator ("craft", "v1.2.3").
	ToolName    string
	ToolVersion string

	// Timestamp is when the SBOM data was compiled. Zero means now, or
	// ReproducibleEpoch when Reproducible is set.
	Timestamp time.Time
	// Reproducible makes the output a function of the input alone: the
	// serial number and SPDX namespace are derived from a hash of the
	// content instead of drawn at random.
	Reproducible bool
}

// ReproducibleEpoch is the timestamp, in seconds since 1970-01-01T00:00:00Z,
// of a reproducible SBOM when neither the caller nor SOURCE_DATE_EPOCH gives
// one: the epoch itself.
const ReproducibleEpoch = 0

// SourceDateEpoch parses the SOURCE_DATE_EPOCH convention
// (https://reproducible-builds.org/specs/source-date-epoch/): a decimal
// count of seconds since 1970-01-01T00:00:00Z.
func SourceDateEpoch(value string) (time.Time, error) {
	v := strings.TrimSpace(value)
	secs, err := strconv.ParseInt(v, 10, 64)
	if err != nil || secs < 0 || secs > 253402300799 { // 9999-12-31T23:59:59Z
		return time.Time{}, fmt.Errorf("SOURCE_DATE_EPOCH %q: want seconds since 1970-01-01 as a non-negative integer", value)
	}
	return time.Unix(secs, 0).UTC(), nil
}

// validate rejects metadata that would make the SBOM schema-invalid, so the
// user hears about a typo in craft.yaml instead of getting a broken SBOM.
func (m Metadata) validate() error {
	if strings.TrimSpace(m.ProductName) == "" {
		return fmt.Errorf("metadata: no product name")
	}
	if m.ManufacturerEmail != "" {
		if a, err := mail.ParseAddress(m.ManufacturerEmail); err != nil || a.Address != m.ManufacturerEmail || !validEmail(a.Address) {
			return fmt.Errorf("metadata: manufacturer e-mail %q is not a bare e-mail address", m.ManufacturerEmail)
		}
	}
	if m.ManufacturerURL != "" && !isWebURL(m.ManufacturerURL) {
		return fmt.Errorf("metadata: manufacturer URL %q is not an http(s) URL", m.ManufacturerURL)
	}
	if m.ProductPURL != "" {
		if _, err := packageurl.FromString(m.ProductPURL); err != nil {
			return fmt.Errorf("metadata: product purl %q: %w", m.ProductPURL, err)
		}
	}
	return nil
}

// isWebURL reports whether s is an absolute http(s) URL without spaces or
// control characters (what the schemas' uri/iri-reference formats accept).
func isWebURL(s string) bool {
	if strings.ContainsAny(s, " \t\r\n\"<>\\^`{|}") {
		return false
	}
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

func (m Metadata) timestamp() time.Time {
	switch {
	case !m.Timestamp.IsZero():
		return m.Timestamp.UTC().Truncate(time.Second)
	case m.Reproducible:
		return time.Unix(ReproducibleEpoch, 0).UTC()
	default:
		return time.Now().UTC().Truncate(time.Second)
	}
}

func (m Metadata) tool() (name, version string) {
	name, version = m.ToolName, m.ToolVersion
	if name == "" {
		name = "craft"
	}
	if version == "" {
		version = "devel"
	}
	return name, version
}

package sbom

import (
	"strings"

	"github.com/package-url/packageurl-go"
)

// distroEcosystem names the OSV ecosystem of an OS package by the purl's
// namespace (the distribution), "" for distributions OSV does not know.
func distroEcosystem(purlType, namespace string) string {
	switch strings.ToLower(namespace) {
	case "debian":
		return "Debian"
	case "ubuntu":
		return "Ubuntu"
	case "alpine":
		return "Alpine"
	case "wolfi":
		return "Wolfi"
	case "chainguard":
		return "Chainguard"
	case "redhat":
		return "Red Hat"
	case "rocky-linux", "rocky":
		return "Rocky Linux"
	case "almalinux":
		return "AlmaLinux"
	case "opensuse":
		return "openSUSE"
	case "suse":
		return "SUSE"
	case "mageia":
		return "Mageia"
	case "":
		return ecosystemOf(purlType)
	}
	return ""
}

// ecosystemOf maps a purl type to its OSV ecosystem name
// (https://ossf.github.io/osv-schema/#affectedpackage-field), "" when OSV
// has none.
func ecosystemOf(purlType string) string {
	switch purlType {
	case packageurl.TypeGolang:
		return "Go"
	case packageurl.TypeNPM:
		return "npm"
	case packageurl.TypePyPi:
		return "PyPI"
	case packageurl.TypeMaven:
		return "Maven"
	case packageurl.TypeCargo:
		return "crates.io"
	case packageurl.TypeComposer:
		return "Packagist"
	case packageurl.TypeGem:
		return "RubyGems"
	case packageurl.TypeNuget:
		return "NuGet"
	case packageurl.TypePub:
		return "Pub"
	case packageurl.TypeHex:
		return "Hex"
	case packageurl.TypeCran:
		return "CRAN"
	case packageurl.TypeSwift:
		return "SwiftURL"
	case packageurl.TypeDebian:
		return "Debian"
	case "apk":
		return "Alpine"
	case packageurl.TypeHackage:
		return "Hackage"
	case packageurl.TypeConan:
		return "ConanCenter"
	case "bitnami":
		return "Bitnami"
	case "github":
		return "GitHub Actions"
	}
	return ""
}

// purlInfo is what a purl says about a component.
type purlInfo struct {
	Ecosystem string // OSV ecosystem name, "" when the type has none
	Name      string // the name as the ecosystem spells it
	Version   string
}

// parsePURL reads a package URL. The ecosystem name of OS packages carries no
// release (Debian, not Debian:12): the purl's distro qualifier is too
// inconsistent across tools to build one from.
func parsePURL(s string) (purlInfo, error) {
	p, err := packageurl.FromString(s)
	if err != nil {
		return purlInfo{}, err
	}
	info := purlInfo{Ecosystem: ecosystemOf(p.Type), Version: p.Version, Name: p.Name}
	switch p.Type {
	case packageurl.TypeDebian, "apk", packageurl.TypeRPM:
		info.Ecosystem = distroEcosystem(p.Type, p.Namespace)
	case packageurl.TypeMaven:
		if p.Namespace != "" {
			info.Name = p.Namespace + ":" + p.Name
		}
	case packageurl.TypeGolang, packageurl.TypeNPM, packageurl.TypeComposer,
		packageurl.TypeSwift, "github":
		if p.Namespace != "" {
			info.Name = p.Namespace + "/" + p.Name
		}
	case packageurl.TypePyPi:
		info.Name = strings.ToLower(p.Name)
	}
	return info, nil
}

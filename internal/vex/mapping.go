package vex

import (
	cdx "github.com/CycloneDX/cyclonedx-go"
)

// justificationProperty is the CycloneDX vulnerability property under which
// the writer keeps the exact OpenVEX justification, so that a document
// written by craft reads back without the loss of the many-to-one mapping.
const justificationProperty = "craft:vex:justification"

// statusFromCycloneDX maps a CycloneDX analysis.state to an OpenVEX status.
func statusFromCycloneDX(s cdx.ImpactAnalysisState) (Status, bool) {
	switch s {
	case cdx.IASNotAffected, cdx.IASFalsePositive:
		return StatusNotAffected, true
	case cdx.IASExploitable:
		return StatusAffected, true
	case cdx.IASResolved, cdx.IASResolvedWithPedigree:
		return StatusFixed, true
	case cdx.IASInTriage:
		return StatusUnderInvestigation, true
	}
	return "", false
}

// statusToCycloneDX maps an OpenVEX status to a CycloneDX analysis.state.
func statusToCycloneDX(s Status) cdx.ImpactAnalysisState {
	switch s {
	case StatusNotAffected:
		return cdx.IASNotAffected
	case StatusAffected:
		return cdx.IASExploitable
	case StatusFixed:
		return cdx.IASResolved
	default:
		return cdx.IASInTriage
	}
}

// justificationFromCycloneDX maps a CycloneDX analysis.justification to the
// nearest OpenVEX justification. The table is in docs/vex.md.
func justificationFromCycloneDX(j cdx.ImpactAnalysisJustification) (Justification, bool) {
	switch j {
	case cdx.IAJCodeNotPresent:
		return VulnerableCodeNotPresent, true
	case cdx.IAJCodeNotReachable:
		return VulnerableCodeNotInExecutePath, true
	case cdx.IAJRequiresConfiguration, cdx.IAJRequiresDependency, cdx.IAJRequiresEnvironment:
		return VulnerableCodeCannotBeControlledByAdversary, true
	case cdx.IAJProtectedByCompiler, cdx.IAJProtectedAtRuntime, cdx.IAJProtectedAtPerimeter,
		cdx.IAJProtectedByMitigatingControl:
		return InlineMitigationsAlreadyExist, true
	}
	return "", false
}

// justificationToCycloneDX maps an OpenVEX justification to the nearest
// CycloneDX analysis.justification.
func justificationToCycloneDX(j Justification) cdx.ImpactAnalysisJustification {
	switch j {
	case ComponentNotPresent, VulnerableCodeNotPresent:
		return cdx.IAJCodeNotPresent
	case VulnerableCodeNotInExecutePath:
		return cdx.IAJCodeNotReachable
	case VulnerableCodeCannotBeControlledByAdversary:
		return cdx.IAJRequiresEnvironment
	case InlineMitigationsAlreadyExist:
		return cdx.IAJProtectedByMitigatingControl
	}
	return ""
}

// versionStatusToCycloneDX is the affects[].versions[].status written for
// a statement's versions.
func versionStatusToCycloneDX(s Status) cdx.VulnerabilityStatus {
	switch s {
	case StatusNotAffected, StatusFixed:
		return cdx.VulnerabilityStatusNotAffected
	case StatusAffected:
		return cdx.VulnerabilityStatusAffected
	default:
		return cdx.VulnerabilityStatusUnknown
	}
}

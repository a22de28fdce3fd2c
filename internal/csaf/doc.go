// Package csaf reads, validates and writes CSAF 2.0 advisories.
//
// Validate checks a document the way section 6.1 of the OASIS Common
// Security Advisory Framework Version 2.0 specification asks a validator
// to: against the CSAF 2.0 JSON schema (with the FIRST CVSS 2.0/3.0/3.1
// schemas it references, all embedded, nothing fetched) and with every
// mandatory test of section 6.1 that can run offline. It works on the
// decoded JSON generically, not on typed structs, because a document under
// validation may be invalid in any way; each failure carries the test ID,
// the exact JSON path and a sentence a person understands.
package csaf

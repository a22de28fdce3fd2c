// Package match finds which components of an inventory are affected by which
// OSV advisories. It evaluates each record's affected ranges and versions
// lists exactly as the OSV schema's evaluation algorithm says
// (https://ossf.github.io/osv-schema/#evaluation), in each ecosystem's own
// version order (osv-scalibr/semantic), merges records that alias one another
// into one Finding per vulnerability and component, scores its severity from
// CVSS vectors (go-cvss), finds the smallest fixing upgrade and flags
// vulnerabilities that are in the CISA Known Exploited Vulnerabilities
// catalog.
//
// Matching is a pure function of its inputs: the advisories come from a
// Source (the advisory store, or a MemorySource in tests) and the KEV flags
// from a KEVSource. Bad data never aborts a run: an unparsable version, event
// or vector becomes a note on the Result or on the Finding.
//
// docs/matching.md describes the algorithm and its choices.
package match

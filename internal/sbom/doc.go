// Package sbom writes and reads software bills of materials: CycloneDX 1.6
// (JSON and XML) and SPDX 2.3 (JSON) out of an inventory.Inventory, CycloneDX
// 1.4–1.6 and SPDX 2.x in, validation against the official JSON schemas, and
// the completeness of a document against BSI TR-03183-2 v2.1.
//
// The pieces:
//
//   - [Encode] renders an Inventory plus [Metadata] in one [Format].
//   - [Parse] reads a document of any supported format into a [Document] that
//     keeps the format's own model; [Document.Inventory] maps it to the plain
//     inventory, and [Decode] does both.
//   - [Validate] checks a JSON document against the schema of its declared
//     spec version (XML is checked structurally by decoding it).
//   - [Score] measures a [Document] against TR-03183-2.
//
// The document models come from github.com/CycloneDX/cyclonedx-go and
// github.com/spdx/tools-golang; this package holds only the mapping.
package sbom

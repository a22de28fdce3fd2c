package sbom

import (
	"bytes"
	"crypto/sha512"
	"encoding/hex"
	"fmt"
	"testing"

	"github.com/craft-cra/craft/internal/inventory"
)

// bigInventory makes an inventory of n npm components, each with a SHA-512,
// a licence, a location and up to three edges: about 500 bytes of
// CycloneDX JSON per component.
func bigInventory(n int) *inventory.Inventory {
	inv := &inventory.Inventory{Root: "big", Source: "directory"}
	for i := range n {
		purl := fmt.Sprintf("pkg:npm/package-%06d@1.%d.%d", i, i%17, i%5)
		sum := sha512.Sum512([]byte(purl))
		c := inventory.Component{
			ID: purl, PURL: purl, Name: fmt.Sprintf("package-%06d", i), Version: fmt.Sprintf("1.%d.%d", i%17, i%5),
			Ecosystem: "npm", Locations: []string{"package-lock.json"}, Licenses: []string{"MIT"},
			Hashes:       []inventory.Hash{{Algorithm: "SHA-512", Value: hex.EncodeToString(sum[:])}},
			Relationship: inventory.RelationshipTransitive,
		}
		for j := 1; j <= 3 && i+j < n; j++ {
			c.DependsOn = append(c.DependsOn, fmt.Sprintf("pkg:npm/package-%06d@1.%d.%d", i+j, (i+j)%17, (i+j)%5))
		}
		inv.Components = append(inv.Components, c)
	}
	inv.Components[0].Relationship = inventory.RelationshipDirect
	return inv
}

func bigCycloneDX(b *testing.B, size int) []byte {
	b.Helper()
	n := size / 1000
	for {
		var buf bytes.Buffer
		if err := Encode(&buf, CycloneDXJSON, bigInventory(n), Metadata{ProductName: "big", Reproducible: true}); err != nil {
			b.Fatal(err)
		}
		if buf.Len() >= size {
			return buf.Bytes()
		}
		n = n * size / buf.Len() * 101 / 100
	}
}

// BenchmarkDecodeCycloneDX decodes a generated 50 MB CycloneDX 1.6 JSON
// SBOM into an inventory (the target: under 2 s on 2 cores).
func BenchmarkDecodeCycloneDX(b *testing.B) {
	data := bigCycloneDX(b, 50<<20)
	b.SetBytes(int64(len(data)))
	b.ReportMetric(float64(len(data))/(1<<20), "MB")
	b.ResetTimer()
	cpu0 := cpuTime()
	for b.Loop() {
		inv, err := Decode("big.cdx.json", bytes.NewReader(data))
		if err != nil {
			b.Fatal(err)
		}
		if len(inv.Components) == 0 {
			b.Fatal("no components")
		}
	}
	b.ReportMetric(float64(cpuTime()-cpu0)/float64(b.N)/1e6, "cpu-ms/op")
}

// BenchmarkValidateCycloneDX validates the same 50 MB document against the
// 1.6 schema.
func BenchmarkValidateCycloneDX(b *testing.B) {
	data := bigCycloneDX(b, 50<<20)
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	cpu0 := cpuTime()
	for b.Loop() {
		problems, err := Validate("big.cdx.json", data)
		if err != nil || len(problems) > 0 {
			b.Fatal(err, problems)
		}
	}
	b.ReportMetric(float64(cpuTime()-cpu0)/float64(b.N)/1e6, "cpu-ms/op")
}

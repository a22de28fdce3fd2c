package match

import (
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	goldenfile "github.com/craft-cra/craft/internal/golden"
	"github.com/craft-cra/craft/internal/inventory"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// goldenNow is the fixed time of the golden runs.
var goldenNow = time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)

// TestGolden matches the hand-written inventories of real lockfile trees
// against the copied records and compares with testdata/golden/*/findings.json.
func TestGolden(t *testing.T) {
	src := NewMemorySource(loadRecords(t, "testdata/records"))
	kev := loadKEV(t, "testdata/kev/known_exploited_vulnerabilities.json")
	cases, err := filepath.Glob("testdata/golden/*/inventory.json")
	if err != nil || len(cases) == 0 {
		t.Fatalf("no golden cases: %v", err)
	}
	for _, invPath := range cases {
		dir := filepath.Dir(invPath)
		t.Run(filepath.Base(dir), func(t *testing.T) {
			data, err := os.ReadFile(invPath)
			if err != nil {
				t.Fatal(err)
			}
			var inv inventory.Inventory
			if err := json.Unmarshal(data, &inv); err != nil {
				t.Fatal(err)
			}
			res, err := Match(context.Background(), &inv, src, Options{KEV: kev, Now: goldenNow})
			if err != nil {
				t.Fatal(err)
			}
			got, err := json.MarshalIndent(res, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, '\n')
			goldenfile.Check(t, filepath.Join(dir, "findings.json"), got, *update)
		})
	}
}

func itoa(i int) string { b, _ := json.Marshal(i); return string(b) }

// kevCatalog is the part of CISA's KEV JSON feed the tests read.
type kevCatalog struct {
	Vulnerabilities []struct {
		CVEID                      string `json:"cveID"`
		VendorProject              string `json:"vendorProject"`
		Product                    string `json:"product"`
		VulnerabilityName          string `json:"vulnerabilityName"`
		DateAdded                  string `json:"dateAdded"`
		DueDate                    string `json:"dueDate"`
		KnownRansomwareCampaignUse string `json:"knownRansomwareCampaignUse"`
	} `json:"vulnerabilities"`
}

func loadKEV(t testing.TB, path string) KEVMap {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var cat kevCatalog
	if err := json.Unmarshal(data, &cat); err != nil {
		t.Fatal(err)
	}
	m := make(KEVMap)
	for _, v := range cat.Vulnerabilities {
		added, err := time.Parse(time.DateOnly, v.DateAdded)
		if err != nil {
			t.Fatalf("%s: dateAdded: %v", v.CVEID, err)
		}
		due, err := time.Parse(time.DateOnly, v.DueDate)
		if err != nil {
			t.Fatalf("%s: dueDate: %v", v.CVEID, err)
		}
		m[v.CVEID] = KEV{
			CVEID: v.CVEID, VendorProject: v.VendorProject, Product: v.Product,
			VulnerabilityName: v.VulnerabilityName, KnownRansomwareCampaignUse: v.KnownRansomwareCampaignUse,
			DateAdded: added, DueDate: due,
		}
	}
	if len(m) == 0 {
		t.Fatalf("%s: empty catalog", path)
	}
	return m
}

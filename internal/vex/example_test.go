package vex_test

import (
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/craft-cra/craft/internal/vex"
)

// Example shows the two uses craft's commands make of the package: apply
// VEX files to findings (craft scan --vex) and publish statements for them
// (craft vex -o openvex=FILE).
func Example() {
	doc := `{
	  "@context": "https://openvex.dev/ns/v0.2.0",
	  "@id": "https://example.com/vex/1",
	  "author": "Example PSIRT",
	  "timestamp": "2026-01-10T00:00:00Z",
	  "version": 1,
	  "statements": [{
	    "vulnerability": {"name": "CVE-2023-45288"},
	    "products": [{"@id": "pkg:golang/golang.org/x/net"}],
	    "status": "not_affected",
	    "justification": "vulnerable_code_not_in_execute_path",
	    "impact_statement": "The HTTP/2 server is not used."
	  }]
	}`
	known, err := vex.Read("vex.json", strings.NewReader(doc))
	if err != nil {
		fmt.Println(err)
		return
	}
	finding := vex.Subject{
		VulnIDs: []string{"GO-2024-2687", "CVE-2023-45288", "GHSA-4v7x-pqxf-cx7m"},
		PURL:    "pkg:golang/golang.org/x/net@v0.17.0",
	}
	if d, ok := vex.Decide(known, finding); ok {
		fmt.Println("suppressed:", d.Suppress)
		fmt.Println(d.Reason)
	}

	issued := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	out := vex.Document{Author: "Example PSIRT", Timestamp: issued, Namespace: "https://vendor.example/vex",
		Statements: vex.Build([]vex.Subject{finding}, known, issued)}
	if err := vex.WriteOpenVEX(os.Stdout, out); err != nil {
		fmt.Println(err)
	}
	// Output:
	// suppressed: true
	// not_affected: vulnerable_code_not_in_execute_path: The HTTP/2 server is not used. (VEX vex.json statements[0])
	// {
	//   "@context": "https://openvex.dev/ns/v0.2.0",
	//   "@id": "https://vendor.example/vex/vex-5ffa7e219d7ce819bbfde3bc5de36f93d0717070a14d6f6f8da4c1f7a86d61d0",
	//   "author": "Example PSIRT",
	//   "version": 1,
	//   "statements": [
	//     {
	//       "vulnerability": {
	//         "name": "GO-2024-2687",
	//         "aliases": [
	//           "CVE-2023-45288",
	//           "GHSA-4v7x-pqxf-cx7m"
	//         ]
	//       },
	//       "products": [
	//         {
	//           "@id": "pkg:golang/golang.org/x/net@v0.17.0"
	//         }
	//       ],
	//       "status": "not_affected",
	//       "justification": "vulnerable_code_not_in_execute_path",
	//       "impact_statement": "The HTTP/2 server is not used.",
	//       "timestamp": "2026-01-10T00:00:00Z"
	//     }
	//   ],
	//   "timestamp": "2026-03-01T00:00:00Z"
	// }
}

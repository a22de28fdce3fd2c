package match

import (
	"context"
	"slices"
	"testing"

	"github.com/craft-cra/craft/internal/inventory"
)

// LookupNames gives exactly the (ecosystem, names) Match asks for.
func TestLookupNamesSameAsMatch(t *testing.T) {
	comps := []inventory.Component{
		{ID: "1", Ecosystem: "pypi", Name: "Django_Rest.Framework", Version: "1.0"},
		{ID: "2", Ecosystem: "Debian:12", Name: "openssl", Version: "3.0"},
		{ID: "3", Ecosystem: "Go", Name: "stdlib", Version: "1.22.0"},
		{ID: "4", Ecosystem: "npm", Name: " left-pad ", Version: "1.0"},
		{ID: "5", Ecosystem: "Maven", Name: "org.apache:Log4j", Version: "2.0"},
	}
	for _, c := range comps {
		src := &countingSource{inner: NewMemorySource(nil), calls: map[string][]string{}}
		if _, err := Match(context.Background(), &inventory.Inventory{Components: []inventory.Component{c}}, src, Options{}); err != nil {
			t.Fatal(err)
		}
		base, names := LookupNames(c.Ecosystem, c.Name)
		got := src.calls[base]
		slices.Sort(got)
		slices.Sort(names)
		if len(src.calls) != 1 || !slices.Equal(got, names) {
			t.Errorf("%s %q: Match asked %v, LookupNames says %s %v", c.Ecosystem, c.Name, src.calls, base, names)
		}
	}
}

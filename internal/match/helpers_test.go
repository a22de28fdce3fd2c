package match

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/craft-cra/craft/internal/osv"
	"sigs.k8s.io/yaml"
)

// loadRecords reads every OSV record (*.json, *.yaml) under dir.
func loadRecords(t testing.TB, dir string) []*osv.Vulnerability {
	t.Helper()
	var out []*osv.Vulnerability
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			return nil
		}
		ext := filepath.Ext(path)
		if ext != ".json" && ext != ".yaml" {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if ext == ".yaml" {
			if data, err = yaml.YAMLToJSON(data); err != nil {
				return fmt.Errorf("%s: %w", path, err)
			}
		}
		var v osv.Vulnerability
		dec := json.NewDecoder(bytes.NewReader(data))
		if err := dec.Decode(&v); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		if v.ID == "" {
			return fmt.Errorf("%s: no id", path)
		}
		out = append(out, &v)
		return nil
	})
	if err != nil {
		t.Fatalf("load records: %v", err)
	}
	slices.SortFunc(out, func(a, b *osv.Vulnerability) int { return strings.Compare(a.ID, b.ID) })
	return out
}

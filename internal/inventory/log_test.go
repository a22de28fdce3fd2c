package inventory

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestSilenceScalibrLog scans the broken tree in child processes (the
// logger is process-wide) and compares their standard error with and
// without SilenceScalibrLog.
func TestSilenceScalibrLog(t *testing.T) {
	if mode := os.Getenv("CRAFT_INVENTORY_LOG_CHILD"); mode != "" {
		if mode == "silent" {
			SilenceScalibrLog()
		}
		if _, err := Scan(context.Background(), filepath.Join("testdata", "trees", "broken"), Options{}); err != nil {
			t.Fatal(err)
		}
		return
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	stderrOf := func(mode string) string {
		cmd := exec.Command(self, "-test.run=^TestSilenceScalibrLog$")
		cmd.Env = append(os.Environ(), "CRAFT_INVENTORY_LOG_CHILD="+mode)
		var stderr strings.Builder
		cmd.Stderr = &stderr
		if err := cmd.Run(); err != nil {
			t.Fatalf("child (%s): %v\n%s", mode, err, stderr.String())
		}
		return stderr.String()
	}
	if loud := stderrOf("loud"); !strings.Contains(loud, "could not extract pom") {
		t.Fatalf("without SilenceScalibrLog the broken pom.xml should be logged; stderr:\n%s", loud)
	}
	if quiet := stderrOf("silent"); quiet != "" {
		t.Errorf("with SilenceScalibrLog stderr = %q, want empty", quiet)
	}
}

package inventory

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/osv-scalibr/extractor"
	"github.com/google/osv-scalibr/extractor/filesystem"
	"github.com/google/osv-scalibr/inventory"
	"github.com/google/osv-scalibr/plugin"
)

// fakeExtractor behaves as told: sleeps, panics, or returns one package.
type fakeExtractor struct {
	sleep time.Duration
	panic bool
	err   error
}

func (fakeExtractor) Name() string                         { return "test/fake" }
func (fakeExtractor) Version() int                         { return 0 }
func (fakeExtractor) Requirements() *plugin.Capabilities   { return &plugin.Capabilities{} }
func (fakeExtractor) FileRequired(filesystem.FileAPI) bool { return true }
func (f fakeExtractor) Extract(ctx context.Context, _ *filesystem.ScanInput) (inventory.Inventory, error) {
	if f.panic {
		panic("boom")
	}
	time.Sleep(f.sleep)
	return inventory.Inventory{Packages: []*extractor.Package{{Name: "x", Version: "1"}}}, f.err
}

func TestRunExtractor(t *testing.T) {
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name       string
		ctx        context.Context
		ex         fakeExtractor
		wantPkgs   int
		wantGaveUp bool
		wantErr    string
	}{
		{"ok", context.Background(), fakeExtractor{}, 1, false, ""},
		{"error_kept_with_packages", context.Background(), fakeExtractor{err: errors.New("bad line 3")}, 1, false, "bad line 3"},
		{"panic", context.Background(), fakeExtractor{panic: true}, 0, false, "extractor failed on this input: boom"},
		{"too_slow", context.Background(), fakeExtractor{sleep: 2 * time.Second}, 0, true, "gave up after 50ms"},
		{"cancelled", cancelled, fakeExtractor{sleep: 2 * time.Second}, 0, true, "context canceled"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Now()
			pkgs, gaveUp, err := runExtractor(tt.ctx, "/", tt.ex, nil, "f", nil, strings.NewReader(""), 50*time.Millisecond)
			if time.Since(start) > time.Second {
				t.Errorf("runExtractor waited %v", time.Since(start))
			}
			if len(pkgs) != tt.wantPkgs || gaveUp != tt.wantGaveUp {
				t.Errorf("got %d packages, gaveUp %v; want %d, %v", len(pkgs), gaveUp, tt.wantPkgs, tt.wantGaveUp)
			}
			if tt.wantErr == "" && err != nil || tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Errorf("err = %v, want %q", err, tt.wantErr)
			}
		})
	}
}

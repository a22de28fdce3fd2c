package store_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/craft-cra/craft/internal/store"
	"github.com/craft-cra/craft/internal/store/storetest"
)

func TestProductProfile(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		p, err := s.CreateProduct(ctx, store.Product{Name: "Router"})
		if err != nil {
			t.Fatal(err)
		}
		got, err := s.GetProductProfile(ctx, p.ID)
		if err != nil || got.Class != "default" || got.MemberStates != nil || !got.UpdatedAt.IsZero() {
			t.Fatalf("fresh profile %+v (%v)", got, err)
		}
		want := store.ProductProfile{Manufacturer: "ACME", Class: "important-i", SupportStart: "2026-01",
			SupportEnd: "2031-01", SecurityContact: "security@acme.example", MemberStates: []string{"DE", "FR"}}
		if err := s.SetProductProfile(ctx, p.ID, want); err != nil {
			t.Fatal(err)
		}
		got, err = s.GetProductProfile(ctx, p.ID)
		if err != nil || got.Manufacturer != "ACME" || got.Class != "important-i" || fmt.Sprint(got.MemberStates) != "[DE FR]" ||
			got.SupportEnd != "2031-01" || got.UpdatedAt.IsZero() {
			t.Fatalf("profile %+v (%v)", got, err)
		}
		if err := s.SetProductProfile(ctx, p.ID, store.ProductProfile{Class: "bogus"}); !errors.Is(err, store.ErrConflict) {
			t.Errorf("unknown class: %v", err)
		}
		if err := s.SetProductProfile(ctx, "nope", want); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("unknown product: %v", err)
		}
		// The original methods still see the product as before.
		if q, err := s.GetProduct(ctx, p.ID); err != nil || q.Name != "Router" {
			t.Errorf("GetProduct %+v (%v)", q, err)
		}
	})
}

func TestReleaseSBOM(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		p, err := s.CreateProduct(ctx, store.Product{Name: "Router"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.CreateRelease(ctx, store.Release{ProductID: p.ID, Version: "1.0", ReleasedOn: "2026-01-02"}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.CreateRelease(ctx, store.Release{ProductID: p.ID, Version: "1.0"}); !errors.Is(err, store.ErrConflict) {
			t.Errorf("duplicate version: %v", err)
		}
		if _, err := s.CreateRelease(ctx, store.Release{ProductID: "nope", Version: "1.0"}); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("unknown product: %v", err)
		}
		comps := make([]store.ReleaseComponent, 250)
		for i := range comps {
			comps[i] = store.ReleaseComponent{ComponentID: fmt.Sprint("c", i), Name: fmt.Sprint("n", i), Version: "1",
				Ecosystem: "npm", PURL: fmt.Sprintf("pkg:npm/n%d@1", i), Licenses: []string{"MIT", "Apache-2.0"}}
		}
		up := store.SBOMUpload{ProductID: p.ID, Version: "2.0", ReleasedOn: "2026-02-01", Data: []byte("doc"),
			Info:       store.SBOMInfo{ContentType: "application/vnd.cyclonedx+json", Format: "cyclonedx-json", SpecVersion: "1.6", SHA256: "x", UploadedBy: "user:u"},
			Components: comps}
		rel, created, err := s.PutReleaseSBOM(ctx, up)
		if err != nil || !created || rel.SBOM == nil || rel.SBOM.Components != 250 || rel.SBOM.Size != 3 {
			t.Fatalf("put: %+v %v %v", rel, created, err)
		}
		got, err := s.ListReleaseComponents(ctx, rel.ID)
		if err != nil || len(got) != 250 || got[249].Name != "n249" || len(got[0].Licenses) != 2 {
			t.Fatalf("components %d (%v)", len(got), err)
		}
		// Replacing keeps one SBOM and the new components only.
		up.Components, up.Data = comps[:3], []byte("doc2")
		rel2, created, err := s.PutReleaseSBOM(ctx, up)
		if err != nil || created || rel2.ID != rel.ID || rel2.SBOM.Components != 3 {
			t.Fatalf("replace: %+v %v %v", rel2, created, err)
		}
		info, data, err := s.GetReleaseSBOM(ctx, p.ID, "2.0")
		if err != nil || string(data) != "doc2" || info.ContentType != "application/vnd.cyclonedx+json" {
			t.Fatalf("get sbom %+v %q %v", info, data, err)
		}
		if _, _, err := s.GetReleaseSBOM(ctx, p.ID, "1.0"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("release without sbom: %v", err)
		}
		// A failing upload (a duplicate component seq cannot happen, so use
		// an unknown product) stores nothing.
		up.ProductID, up.Version = "nope", "3.0"
		if _, _, err := s.PutReleaseSBOM(ctx, up); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("unknown product: %v", err)
		}
		list, err := s.ListReleases(ctx, p.ID)
		if err != nil || len(list) != 2 || list[0].Version != "2.0" || list[1].SBOM != nil {
			t.Fatalf("list %+v (%v)", list, err)
		}
		if err := s.DeleteRelease(ctx, p.ID, "2.0"); err != nil {
			t.Fatal(err)
		}
		if got, err := s.ListReleaseComponents(ctx, rel.ID); err != nil || len(got) != 0 {
			t.Errorf("components after delete: %d (%v)", len(got), err)
		}
		// Deleting the product removes its releases.
		if err := s.DeleteProduct(ctx, p.ID); err != nil {
			t.Fatal(err)
		}
		if list, err := s.ListReleases(ctx, p.ID); err != nil || len(list) != 0 {
			t.Errorf("releases after product delete: %d (%v)", len(list), err)
		}
	})
}

// TestPutReleaseSBOMAtomic: when a statement fails after the release and
// the SBOM row were written (PostgreSQL refuses a NUL in TEXT, in the
// components' third batch), the whole upload is rolled back.
func TestPutReleaseSBOMAtomic(t *testing.T) {
	s := storetest.Postgres(t)
	ctx := context.Background()
	p, err := s.CreateProduct(ctx, store.Product{Name: "Router"})
	if err != nil {
		t.Fatal(err)
	}
	comps := make([]store.ReleaseComponent, 100)
	for i := range comps {
		comps[i] = store.ReleaseComponent{ComponentID: fmt.Sprint("c", i), Name: "n", Version: "1"}
	}
	comps[75].Name = "bad\x00name"
	if _, _, err := s.PutReleaseSBOM(ctx, store.SBOMUpload{ProductID: p.ID, Version: "1.0", Data: []byte("doc"),
		Info: store.SBOMInfo{ContentType: "application/json"}, Components: comps}); err == nil {
		t.Fatal("a NUL in TEXT was stored on PostgreSQL")
	}
	if list, err := s.ListReleases(ctx, p.ID); err != nil || len(list) != 0 {
		t.Fatalf("after a failed upload: %+v (%v)", list, err)
	}
	// An existing release keeps its SBOM when a replacement fails.
	comps[75].Name = "n"
	if _, _, err := s.PutReleaseSBOM(ctx, store.SBOMUpload{ProductID: p.ID, Version: "1.0", Data: []byte("v1"), Components: comps}); err != nil {
		t.Fatal(err)
	}
	comps[99].Name = "bad\x00name"
	if _, _, err := s.PutReleaseSBOM(ctx, store.SBOMUpload{ProductID: p.ID, Version: "1.0", Data: []byte("v2"), Components: comps[:50]}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.PutReleaseSBOM(ctx, store.SBOMUpload{ProductID: p.ID, Version: "1.0", Data: []byte("v3"), Components: comps}); err == nil {
		t.Fatal("a NUL in TEXT was stored on PostgreSQL")
	}
	rel, err := s.GetRelease(ctx, p.ID, "1.0")
	if err != nil {
		t.Fatal(err)
	}
	_, data, err := s.GetReleaseSBOM(ctx, p.ID, "1.0")
	got, err2 := s.ListReleaseComponents(ctx, rel.ID)
	if err != nil || err2 != nil || string(data) != "v2" || len(got) != 50 {
		t.Fatalf("after a failed replacement: %q, %d components (%v, %v)", data, len(got), err, err2)
	}
}

package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/craft-cra/craft/internal/store"
	"github.com/craft-cra/craft/internal/store/storetest"
)

func TestAdvisoryLifecycle(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		p, err := s.CreateProduct(ctx, store.Product{Name: "Router"})
		if err != nil {
			t.Fatal(err)
		}
		other, err := s.CreateProduct(ctx, store.Product{Name: "Camera"})
		if err != nil {
			t.Fatal(err)
		}
		draft := store.Advisory{TrackingID: "CRAFT-ADV-2026-0001", Filename: "craft-adv-2026-0001.json", ProductID: p.ID,
			Category: "csaf_security_advisory", Title: "T", Status: "draft", Version: "0", TLP: "WHITE",
			Input: []byte(`{"a":1}`), Document: []byte(`{"document":{}}`)}
		a, err := s.CreateAdvisory(ctx, draft)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.CreateAdvisory(ctx, draft); !errors.Is(err, store.ErrConflict) {
			t.Errorf("same tracking id twice: %v", err)
		}
		bad := draft
		bad.ProductID, bad.TrackingID, bad.Filename = "nope", "X", "x.json"
		if _, err := s.CreateAdvisory(ctx, bad); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("unknown product: %v", err)
		}
		// Nothing is public before publication.
		if vs, err := s.ListLatestAdvisoryVersions(ctx, "WHITE"); err != nil || len(vs) != 0 {
			t.Fatalf("drafts listed as published: %v %v", vs, err)
		}
		if _, err := s.GetLatestAdvisoryVersion(ctx, a.Filename); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("draft served as published: %v", err)
		}
		a.Title = "Edited"
		if a, err = s.UpdateAdvisory(ctx, a); err != nil || a.Title != "Edited" {
			t.Fatalf("update: %+v %v", a, err)
		}
		t1 := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
		for i, ver := range []string{"1", "2"} {
			at := t1.Add(time.Duration(i) * time.Hour)
			a.Status, a.Version, a.Document = "final", ver, []byte(`{"v":`+ver+`}`)
			a, err = s.PublishAdvisory(ctx, a, store.AdvisoryVersion{AdvisoryID: a.ID, Version: ver, TrackingID: a.TrackingID,
				Filename: a.Filename, ProductID: p.ID, Category: a.Category, Title: a.Title, TLP: "WHITE",
				Document: a.Document, SHA512: "abc" + ver, InitialReleaseDate: t1, PublishedAt: at})
			if err != nil {
				t.Fatalf("publish %s: %v", ver, err)
			}
		}
		if _, err := s.PublishAdvisory(ctx, a, store.AdvisoryVersion{AdvisoryID: a.ID, Version: "2", TrackingID: a.TrackingID,
			Filename: a.Filename, ProductID: p.ID, Document: []byte("{}"), SHA512: "x", InitialReleaseDate: t1,
			PublishedAt: t1.Add(3 * time.Hour)}); !errors.Is(err, store.ErrConflict) {
			t.Errorf("publishing version 2 twice: %v", err)
		}
		got, err := s.GetAdvisory(ctx, a.ID)
		if err != nil || got.Version != "2" || !got.PublishedAt.Equal(t1.Add(time.Hour)) || !got.InitialReleaseDate.Equal(t1) {
			t.Fatalf("after a failed publication the working copy is %+v (%v)", got, err)
		}
		latest, err := s.ListLatestAdvisoryVersions(ctx, "WHITE")
		if err != nil || len(latest) != 1 || latest[0].Version != "2" || string(latest[0].Document) != `{"v":2}` {
			t.Fatalf("latest: %+v %v", latest, err)
		}
		all, err := s.ListAdvisoryVersions(ctx, a.ID)
		if err != nil || len(all) != 2 || all[0].Version != "1" || all[0].SHA512 != "abc1" {
			t.Fatalf("versions: %+v %v", all, err)
		}
		if v, err := s.GetAdvisoryVersion(ctx, a.ID, "1"); err != nil || string(v.Document) != `{"v":1}` {
			t.Errorf("version 1: %+v %v", v, err)
		}
		if _, err := s.GetAdvisoryVersion(ctx, a.ID, "7"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("version 7: %v", err)
		}
		if v, err := s.GetLatestAdvisoryVersion(ctx, a.Filename); err != nil || v.Version != "2" {
			t.Errorf("by file name: %+v %v", v, err)
		}
		// Listing: product filter and cursor.
		b := draft
		b.TrackingID, b.Filename, b.ProductID = "CRAFT-ADV-2026-0002", "craft-adv-2026-0002.json", other.ID
		if _, err := s.CreateAdvisory(ctx, b); err != nil {
			t.Fatal(err)
		}
		if l, err := s.ListAdvisories(ctx, store.AdvisoryFilter{ProductIDs: []string{p.ID}}); err != nil || len(l) != 1 || l[0].ID != a.ID {
			t.Errorf("filtered list: %v %v", l, err)
		}
		if l, err := s.ListAdvisories(ctx, store.AdvisoryFilter{}); err != nil || len(l) != 0 {
			t.Errorf("no products must list nothing: %v %v", l, err)
		}
		page1, err := s.ListAdvisories(ctx, store.AdvisoryFilter{All: true, Limit: 1})
		if err != nil || len(page1) != 1 {
			t.Fatal(page1, err)
		}
		page2, err := s.ListAdvisories(ctx, store.AdvisoryFilter{All: true, Limit: 5, BeforeCreated: page1[0].CreatedAt, BeforeID: page1[0].ID})
		if err != nil || len(page2) != 1 || page2[0].ID == page1[0].ID {
			t.Errorf("page 2: %v %v", page2, err)
		}
		// A product with advisories is not deleted behind the provider's back.
		if err := s.DeleteProduct(ctx, p.ID); !errors.Is(err, store.ErrConflict) {
			t.Errorf("delete product with advisories: %v", err)
		}
	})
}

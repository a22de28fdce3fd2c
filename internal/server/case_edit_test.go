package server

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/craft-cra/craft/internal/auth"
	"github.com/craft-cra/craft/internal/cases"
	"github.com/craft-cra/craft/internal/store"
	"github.com/craft-cra/craft/internal/store/storetest"
)

// TestCaseEditPage: the case page's edit form sets the fields PATCH sets,
// with the same checks and the same audit event; a refusal shows the form
// again with what was typed; only the product's officers see and use it.
func TestCaseEditPage(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st, Config{Limits: RateLimits{Disabled: true}})
		ctx := context.Background()
		widget, gadget := e.product("Widget"), e.product("Gadget")
		for _, v := range []string{"1.0", "1.1", "1.2"} {
			if _, err := st.CreateRelease(ctx, store.Release{ProductID: widget.ID, Version: v}); err != nil {
				t.Fatal(err)
			}
		}
		soW := e.user("so-widget@example.eu", auth.RoleSecurityOfficer)
		e.member(soW, widget, store.RoleSecurityOfficer)
		soG := e.user("so-gadget@example.eu", auth.RoleSecurityOfficer)
		e.member(soG, gadget, store.RoleSecurityOfficer)
		viewer := e.user("viewer@example.eu", auth.RoleViewer)
		e.member(viewer, widget, store.RoleViewer)
		so, other, view := e.session(soW), e.session(soG), e.session(viewer)

		w := e.post("/cases", url.Values{"product": {widget.ID}, "title": {"Overflow"}}, withCookie(so))
		body := expectHTML(t, w, http.StatusCreated, `id="edit"`, `value="1.1"`, "affected releases")
		ref := strings.SplitN(strings.SplitN(body, "<h1>", 2)[1], ":", 2)[0]
		path := "/cases/" + ref
		if b := e.do("GET", path, nil, withCookie(view)).Body.String(); strings.Contains(b, `id="edit"`) {
			t.Errorf("a viewer sees the edit form")
		}

		good := url.Values{"title": {"Header overflow"}, "description": {"Long headers overflow."},
			"cvss_v3_1": {"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"},
			"cvss_v4_0": {"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N"},
			"cve":       {"CVE-2026-12345"}, "other_ids": {"GHSA-abcd-efgh-ijkl, OSV-1"},
			"affected_releases": {"1.0", "1.1"}, "fixed_in_release": {"1.2"}, "embargo_until": {"2027-01-15T00:00"}}
		with := func(k, v string) url.Values {
			out := url.Values{}
			for kk, vv := range good {
				out[kk] = vv
			}
			out.Set(k, v)
			return out
		}
		for _, tc := range []struct {
			name   string
			cookie string
			form   url.Values
			want   int
			has    []string
		}{
			{"other product", other, good, http.StatusNotFound, nil},
			{"viewer", view, good, http.StatusNotFound, nil},
			{"bad cvss kept", so, with("cvss_v3_1", "CVSS:3.1/AV:X"), http.StatusBadRequest,
				[]string{"cvss_v3_1:", `value="CVSS:3.1/AV:X"`, `value="Header overflow"`}},
			{"bad cve kept", so, with("cve", "CVE-12"), http.StatusBadRequest, []string{`value="CVE-12"`, "Long headers overflow."}},
			{"empty title", so, with("title", " "), http.StatusBadRequest, []string{"title"}},
			{"saved", so, good, http.StatusOK, []string{"The case was saved.", "1.0, 1.1", "CVE-2026-12345", "GHSA-abcd-efgh-ijkl, OSV-1",
				`value="2027-01-15T00:00"`, `value="1.2" selected`}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				w := e.post(path+"/edit", tc.form, withCookie(tc.cookie))
				expectStatus(t, w, tc.want)
				for _, s := range tc.has {
					if !strings.Contains(w.Body.String(), s) {
						t.Errorf("lacks %q", s)
					}
				}
			})
		}
		cs, err := st.GetCase(ctx, ref)
		if err != nil {
			t.Fatal(err)
		}
		if cs.Title != "Header overflow" || strings.Join(cs.AffectedReleases, ",") != "1.0,1.1" || cs.FixedIn != "1.2" ||
			cs.CVSS31Score != 98 || cs.CVSS40Vector == "" || len(cs.OtherIDs) != 2 || cs.EmbargoUntil.Format("2006-01-02") != "2027-01-15" {
			t.Fatalf("stored case %+v", cs)
		}
		evs, err := st.ListAudit(ctx, store.AuditFilter{Action: ActCaseUpdate, Target: "case:" + ref})
		if err != nil || len(evs) != 1 {
			t.Fatalf("audit %v %v: want one case.update event (the refusals write none)", evs, err)
		}
		// Unchecking every release clears them, as PATCH with [] does.
		w = e.post(path+"/edit", with("affected_releases", ""), withCookie(so))
		expectStatus(t, w, http.StatusOK)
		f := with("fixed_in_release", "")
		f.Del("affected_releases")
		expectStatus(t, e.post(path+"/edit", f, withCookie(so)), http.StatusOK)
		if cs, _ := st.GetCase(ctx, ref); len(cs.AffectedReleases) != 0 || cs.FixedIn != "" {
			t.Errorf("after unchecking: %v %q", cs.AffectedReleases, cs.FixedIn)
		}
	})
}

// TestPlainStatus: a clock status the pages have no wording for is shown
// by its name.
func TestPlainStatus(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"late", "late"}, {"not_reportable", "not reportable"}, {"closed", "closed"}, {"not reportable", "not reportable"},
	} {
		if got := plainStatus(cases.Status(tc.in)); got != tc.want {
			t.Errorf("plainStatus(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestDeadlineViewsCoveredLate: an early warning covered by a notification
// that came after the early warning's deadline reads as missed, not as
// simply covered (Article 14(2)(a): the early warning is always due).
func TestDeadlineViewsCoveredLate(t *testing.T) {
	aware := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	now := aware.Add(100 * time.Hour)
	for _, tc := range []struct {
		coveredAt time.Time
		wantLeft  string
		wantClass string
	}{
		{aware.Add(20 * time.Hour), "covered by the " + cases.StageVulnNotification.Name(), "deadline"},
		{aware.Add(30 * time.Hour), "missed — covered late by the " + cases.StageVulnNotification.Name(), "deadline overdue"},
	} {
		d := cases.Deadline{Stage: cases.StageVulnEarlyWarning, Start: aware, Due: aware.Add(24 * time.Hour),
			CoveredBy: cases.StageVulnNotification, CoveredAt: tc.coveredAt}
		v := deadlineViews("CASE-2026-0001", []cases.Deadline{d}, now)[0]
		if v.Left != tc.wantLeft || v.Class != tc.wantClass {
			t.Errorf("covered at %s: %q (%s), want %q (%s)", tc.coveredAt, v.Left, v.Class, tc.wantLeft, tc.wantClass)
		}
	}
}

package server

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/craft-cra/craft/internal/auth"
	"github.com/craft-cra/craft/internal/cases"
	"github.com/craft-cra/craft/internal/csaf"
	"github.com/craft-cra/craft/internal/store"
	"github.com/craft-cra/craft/internal/vex"
)

// An advisory from a vulnerability case (issue 7): the case already holds
// what users need to know (product, affected and fixed releases, IDs,
// CVSS, exploitation), so the officer does not retype it. The draft is
// never public; its note is a neutral summary made from the facts
// (caseAdvisorySummary), not the case's description, which the advisory
// page shows beside the draft for the officer to copy from. The officer
// publishes it when the embargo allows (case_advisory_publish.go).

// caseAdvisoryInput turns a case into the products and vulnerability of
// an advisory input. vulnID is the vulnerability's main ID: the CVE, else
// the first other ID, else the advisory's tracking ID (a case without any
// public ID still needs one in the document).
func caseAdvisoryInput(cs store.Case, prof store.ProductProfile, vulnID string) csaf.AdvisoryInput {
	vendor := strings.TrimSpace(prof.Manufacturer)
	if vendor == "" {
		vendor = cs.ProductName
	}
	releases := make([]csaf.ReleaseInput, 0, len(cs.AffectedReleases)+1)
	for _, v := range cs.AffectedReleases {
		releases = append(releases, csaf.ReleaseInput{Version: v})
	}
	fixedIn := cs.FixedIn
	if slices.Contains(cs.AffectedReleases, fixedIn) {
		fixedIn = "" // a release cannot be both affected and fixed (test 6.1.6)
	}
	if fixedIn != "" {
		releases = append(releases, csaf.ReleaseInput{Version: fixedIn})
	}
	v := csaf.VulnInput{ID: vulnID, Title: cs.Title, CVSSVector: cs.CVSS31Vector}
	for _, id := range append([]string{cs.CVE}, cs.OtherIDs...) {
		if id != "" && id != vulnID && !slices.Contains(v.Aliases, id) {
			v.Aliases = append(v.Aliases, id)
		}
	}
	switch {
	case cs.CVSS31Vector == "" && cs.CVSS40Vector != "":
		v.CVSSVector = cs.CVSS40Vector // the generator writes it as a "CVSS v4.0" note
	case cs.CVSS40Vector != "":
		// CSAF 2.0 has no v4.0 score; the generator's note shape, beside
		// the v3.1 score.
		if sc, err := cases.ScoreCVSS40(cs.CVSS40Vector); err == nil {
			v.Notes = append(v.Notes, csaf.Note{Category: csaf.NoteOther, Title: "CVSS v4.0",
				Text: fmt.Sprintf("%s (score %.1f, %s)", sc.Vector, sc.Score, strings.ToLower(sc.Rating))})
		}
	}
	if cs.Exploited {
		// A fact, not the officer's exploitation note (case contents).
		v.Notes = append(v.Notes, csaf.Note{Category: csaf.NoteDetails, Title: "Exploitation",
			Text: "The manufacturer has reliable evidence that this vulnerability is actively exploited. Apply the fix without delay."})
	}
	for _, rel := range cs.AffectedReleases {
		v.Statuses = append(v.Statuses, csaf.ReleaseStatus{Product: cs.ProductName, Version: rel,
			Status: vex.StatusAffected, FixedIn: fixedIn})
	}
	in := csaf.AdvisoryInput{Category: csaf.CategorySecurityAdvisory, Title: cs.Title,
		Products:        []csaf.ProductInput{{Vendor: vendor, Name: cs.ProductName, Releases: releases}},
		Vulnerabilities: []csaf.VulnInput{v}}
	// A neutral summary from the facts, never the case description (often
	// the reporter's own words): publish accepts a draft's notes unchanged.
	in.Summary = caseAdvisorySummary(cs, fixedIn)
	return in
}

// caseVulnID is the main ID of the case's vulnerability.
func caseVulnID(cs store.Case, trackingID string) string {
	switch {
	case cs.CVE != "":
		return cs.CVE
	case len(cs.OtherIDs) > 0:
		return cs.OtherIDs[0]
	}
	return trackingID
}

// checkCaseAdvisable refuses a case an advisory cannot be made from: one
// closed as not a vulnerability or a duplicate, or one without affected
// releases (the advisory would say nothing about any release).
func checkCaseAdvisable(cs store.Case) error {
	switch cases.State(cs.State) {
	case cases.StateNotVulnerability, cases.StateDuplicate:
		return &Error{Status: http.StatusConflict, Detail: "the case is closed as " + cs.State + "; there is nothing to advise on"}
	}
	if len(cs.AffectedReleases) == 0 {
		return &Error{Status: http.StatusUnprocessableEntity,
			Detail: "the case names no affected release; set affected_releases (PATCH /api/v1/cases/" + cs.Reference + ") first"}
	}
	return nil
}

// createFromCase is POST /api/v1/cases/{ref}/advisory: a draft
// csaf_security_advisory (version 0) made from the case, linked to it.
// One advisory per case: a second request names the existing one (409);
// later changes go through its versions.
func (a *advisoryFeature) createFromCase(w http.ResponseWriter, r *http.Request) error {
	created, err := a.draftFromCase(r)
	if err != nil {
		return err
	}
	base, err := a.s.publicBaseURL(r)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/advisories/"+created.ID)
	return writeJSON(w, http.StatusCreated, advisoryFromStore(created, base, true))
}

// draftFromCase makes and stores the draft of the case {ref}: the one
// implementation behind the API and the case page's button.
func (a *advisoryFeature) draftFromCase(r *http.Request) (store.Advisory, error) {
	ctx := r.Context()
	c := &caseHandlers{s: a.s}
	cs, err := c.loadCase(r, auth.PermCaseManage)
	if err != nil {
		return store.Advisory{}, err
	}
	if err := checkCaseAdvisable(cs); err != nil {
		return store.Advisory{}, err
	}
	existing, err := a.s.store.ListCaseAdvisories(ctx, cs.Reference)
	if err != nil {
		return store.Advisory{}, err
	}
	if len(existing) > 0 {
		return store.Advisory{}, &Error{Status: http.StatusConflict, Type: "advisory-exists",
			Detail: "the case already has advisory " + existing[0].TrackingID + " (id " + existing[0].ID + "); edit it or publish a new version"}
	}
	prof, err := a.s.store.GetProductProfile(ctx, cs.ProductID)
	if err != nil {
		return store.Advisory{}, err
	}
	base, err := a.s.publicBaseURL(r)
	if err != nil {
		return store.Advisory{}, err
	}
	id, err := randomHex(16)
	if err != nil {
		return store.Advisory{}, err
	}
	now := a.s.now().UTC().Truncate(time.Second)
	trackingID := fmt.Sprintf("CRAFT-ADV-%d-%s", now.Year(), strings.ToUpper(id[:8]))
	in := caseAdvisoryInput(cs, prof, caseVulnID(cs, trackingID))
	in.TrackingID, in.TLP, in.Status = trackingID, csaf.TLPWhite, csaf.StatusDraft
	in.Publisher = csaf.Publisher{Category: "vendor", Name: in.Products[0].Vendor, Namespace: base, ContactDetails: prof.SecurityContact}
	in.Revisions = []csaf.RevisionInput{{Number: "0", Date: now, Summary: "Draft made from case " + cs.Reference + "."}}
	in.InitialReleaseDate, in.CurrentReleaseDate = now, now
	filename := csaf.Filename(trackingID)
	doc, inJSON, err := generateAdvisory(in, base+pubFilePath(now, filename))
	if err != nil {
		return store.Advisory{}, err
	}
	var created store.Advisory
	err = a.s.store.InTx(ctx, func(tx *store.Store) error {
		var err error
		created, err = tx.CreateAdvisory(ctx, store.Advisory{ID: id, TrackingID: trackingID, Filename: filename,
			ProductID: cs.ProductID, Category: in.Category, Title: in.Title, Status: in.Status,
			Version: "0", TLP: in.TLP, Input: inJSON, Document: doc})
		if err != nil {
			return err
		}
		if err := tx.LinkAdvisoryCase(ctx, id, cs.Reference); err != nil {
			return err
		}
		if err := tx.AddCaseEvent(ctx, cs.ID, store.CaseEvent{Actor: actorOf(r), Kind: "advisory",
			Summary: "advisory " + trackingID + " drafted"}); err != nil {
			return err
		}
		_, err = tx.AppendAudit(ctx, store.Event{At: a.s.now(), Actor: actorOf(r), Action: ActAdvisoryCreate,
			Target: "advisory:" + id, SourceIP: ClientIP(r), Detail: map[string]string{"product": cs.ProductID,
				"case": cs.Reference, "tracking_id": trackingID, "category": in.Category, "request_id": RequestID(ctx)}})
		return err
	})
	if errors.Is(err, store.ErrConflict) {
		return store.Advisory{}, &Error{Status: http.StatusConflict, Detail: "an advisory with this tracking ID exists; try again", Err: err}
	}
	if err != nil {
		return store.Advisory{}, err
	}
	a.s.m.audit.Inc()
	return created, nil
}

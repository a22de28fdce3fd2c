package server

import (
	"crypto/rand"
	"crypto/sha512"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/craft-cra/craft/internal/auth"
	"github.com/craft-cra/craft/internal/csaf"
	"github.com/craft-cra/craft/internal/store"
	"github.com/craft-cra/craft/internal/vex"
)

// Audit actions of the advisory routes.
const (
	ActAdvisoryCreate  = "advisory.create"
	ActAdvisoryUpdate  = "advisory.update"
	ActAdvisoryPublish = "advisory.publish"
)

// Limits of the editable advisory fields.
const (
	advisoryTitleMax = 500
	advisoryTextMax  = 20000
	advisoryNotesMax = 20
)

// advisoryVersionJSON is one published version.
type advisoryVersionJSON struct {
	Version     string    `json:"version"`
	PublishedAt time.Time `json:"published_at"`
	SHA512      string    `json:"sha512"`
}

// advisoryJSON is an advisory as the API shows it.
type advisoryJSON struct {
	ID                 string                `json:"id"`
	TrackingID         string                `json:"tracking_id"`
	Filename           string                `json:"filename"`
	ProductID          string                `json:"product_id"`
	ReleaseID          string                `json:"release_id,omitempty"`
	Category           string                `json:"category"`
	Title              string                `json:"title"`
	Status             string                `json:"status"`
	Version            string                `json:"version"`
	TLP                string                `json:"tlp"`
	CreatedAt          time.Time             `json:"created_at"`
	UpdatedAt          time.Time             `json:"updated_at"`
	PublishedAt        *time.Time            `json:"published_at,omitempty"`
	InitialReleaseDate *time.Time            `json:"initial_release_date,omitempty"`
	PublicURL          string                `json:"public_url,omitempty"`
	Versions           []advisoryVersionJSON `json:"versions,omitempty"`
	// Document is the working copy's CSAF document (the draft, or the
	// latest published version when nothing changed since).
	Document json.RawMessage `json:"document,omitempty"`
}

func advisoryFromStore(a store.Advisory, base string, withDoc bool) advisoryJSON {
	out := advisoryJSON{ID: a.ID, TrackingID: a.TrackingID, Filename: a.Filename, ProductID: a.ProductID,
		ReleaseID: a.ReleaseID, Category: a.Category, Title: a.Title, Status: a.Status, Version: a.Version,
		TLP: a.TLP, CreatedAt: a.CreatedAt, UpdatedAt: a.UpdatedAt}
	if !a.PublishedAt.IsZero() {
		p, i := a.PublishedAt, a.InitialReleaseDate
		out.PublishedAt, out.InitialReleaseDate = &p, &i
		if a.TLP == csaf.TLPWhite && base != "" {
			out.PublicURL = base + pubFilePath(a.InitialReleaseDate, a.Filename)
		}
	}
	if withDoc {
		out.Document = json.RawMessage(a.Document)
	}
	return out
}

// pubFilePath is the provider path of a document: the folder is the year
// of its initial release (CSAF 2.0 requirement 11).
func pubFilePath(initial time.Time, filename string) string {
	return fmt.Sprintf("/.well-known/csaf/white/%d/%s", initial.UTC().Year(), filename)
}

// createAdvisoryRequest is the optional body of POST …/advisories.
type createAdvisoryRequest struct {
	Category string `json:"category"`
	Title    string `json:"title"`
	Summary  string `json:"summary"`
	TLP      string `json:"tlp"`
}

// createFromRelease is POST /api/v1/products/{product}/releases/{version}/advisories:
// a draft (version 0) generated from the release's current findings. The
// fixed release of each affected vulnerability is the oldest newer
// release of the product whose matched SBOM no longer has it (or has it
// triaged fixed or not_affected).
func (a *advisoryFeature) createFromRelease(w http.ResponseWriter, r *http.Request) error {
	var req createAdvisoryRequest
	if r.ContentLength != 0 {
		if err := decodeJSON(r, &req); err != nil {
			return err
		}
	}
	if req.Category == "" {
		req.Category = csaf.CategorySecurityAdvisory
	}
	if req.Category != csaf.CategorySecurityAdvisory && req.Category != csaf.CategoryVEX {
		return badRequest("category: want %s or %s", csaf.CategorySecurityAdvisory, csaf.CategoryVEX)
	}
	if req.TLP == "" {
		req.TLP = csaf.TLPWhite
	}
	switch req.TLP {
	case csaf.TLPWhite, csaf.TLPGreen, csaf.TLPAmber, csaf.TLPRed:
	default:
		// A 400 naming the field, as for category (csaf.Generate would
		// refuse it later with a 422).
		return badRequest("tlp: want %s, %s, %s or %s", csaf.TLPWhite, csaf.TLPGreen, csaf.TLPAmber, csaf.TLPRed)
	}
	if err := checkAdvisoryText("title", req.Title, advisoryTitleMax); err != nil {
		return err
	}
	if err := checkAdvisoryText("summary", req.Summary, advisoryTextMax); err != nil {
		return err
	}
	ctx := r.Context()
	productID := r.PathValue("product")
	prod, err := a.s.store.GetProduct(ctx, productID)
	if err != nil {
		return err
	}
	prof, err := a.s.store.GetProductProfile(ctx, productID)
	if err != nil {
		return err
	}
	rel, err := a.s.store.GetRelease(ctx, productID, r.PathValue("version"))
	if err != nil {
		return err
	}
	findings, err := a.s.store.ListReleaseFindings(ctx, rel.ID)
	if err != nil {
		return err
	}
	if len(findings) == 0 {
		return &Error{Status: http.StatusUnprocessableEntity, Detail: fmt.Sprintf("release %s has no findings to advise on; upload its SBOM and let monitoring match it first", rel.Version)}
	}
	newer, err := a.newerReleasesFindings(r, rel)
	if err != nil {
		return err
	}
	base, err := a.s.publicBaseURL(r)
	if err != nil {
		return err
	}
	id, err := randomHex(16)
	if err != nil {
		return err
	}
	now := a.s.now().UTC().Truncate(time.Second)
	trackingID := fmt.Sprintf("CRAFT-ADV-%d-%s", now.Year(), strings.ToUpper(id[:8]))
	in := advisoryInputFromFindings(prod, prof, rel, findings, newer)
	in.Category, in.TrackingID, in.TLP, in.Summary = req.Category, trackingID, req.TLP, strings.TrimSpace(req.Summary)
	in.Title = strings.TrimSpace(req.Title)
	if in.Title == "" {
		in.Title = defaultAdvisoryTitle(prod.Name, rel.Version, in.Vulnerabilities)
	}
	in.Publisher = csaf.Publisher{Category: "vendor", Name: in.Products[0].Vendor, Namespace: base, ContactDetails: prof.SecurityContact}
	in.Status = csaf.StatusDraft
	in.Revisions = []csaf.RevisionInput{{Number: "0", Date: now, Summary: "Draft generated from the findings of release " + rel.Version + "."}}
	in.InitialReleaseDate, in.CurrentReleaseDate = now, now
	filename := csaf.Filename(trackingID)
	doc, inJSON, err := generateAdvisory(in, base+pubFilePath(now, filename))
	if err != nil {
		return err
	}
	var created store.Advisory
	err = a.s.store.InTx(ctx, func(tx *store.Store) error {
		var err error
		created, err = tx.CreateAdvisory(ctx, store.Advisory{ID: id, TrackingID: trackingID, Filename: filename,
			ProductID: productID, ReleaseID: rel.ID, Category: in.Category, Title: in.Title, Status: in.Status,
			Version: "0", TLP: in.TLP, Input: inJSON, Document: doc})
		if err != nil {
			return err
		}
		_, err = tx.AppendAudit(ctx, store.Event{At: a.s.now(), Actor: actorOf(r), Action: ActAdvisoryCreate,
			Target: "advisory:" + id, SourceIP: ClientIP(r), Detail: map[string]string{"product": productID,
				"release": rel.Version, "tracking_id": trackingID, "category": in.Category, "request_id": RequestID(ctx)}})
		return err
	})
	if err != nil {
		return err
	}
	a.s.m.audit.Inc()
	return writeJSON(w, http.StatusCreated, advisoryFromStore(created, base, true))
}

// newerRelease holds the findings of one newer release with a matched
// SBOM.
type newerRelease struct {
	version  string
	findings []store.Finding
}

// newerReleasesFindings returns the product's releases newer than rel
// (listed before it, newest first, by ListReleases) that have an SBOM,
// oldest first, with their findings.
func (a *advisoryFeature) newerReleasesFindings(r *http.Request, rel store.Release) ([]newerRelease, error) {
	all, err := a.s.store.ListReleases(r.Context(), rel.ProductID)
	if err != nil {
		return nil, err
	}
	i := slices.IndexFunc(all, func(x store.Release) bool { return x.ID == rel.ID })
	var out []newerRelease
	for j := i - 1; j >= 0; j-- {
		if all[j].SBOM == nil {
			continue
		}
		fs, err := a.s.store.ListReleaseFindings(r.Context(), all[j].ID)
		if err != nil {
			return nil, err
		}
		out = append(out, newerRelease{version: all[j].Version, findings: fs})
	}
	return out, nil
}

// advisoryInputFromFindings turns a release's findings into the
// products and vulnerabilities of an advisory input: one vulnerability
// per finding ID (its components listed), the release's status from the
// triage states (affected wins over under_investigation over
// not_affected over fixed), and the fixed release from newer releases.
func advisoryInputFromFindings(prod store.Product, prof store.ProductProfile, rel store.Release,
	findings []store.Finding, newer []newerRelease) csaf.AdvisoryInput {
	vendor := strings.TrimSpace(prof.Manufacturer)
	if vendor == "" {
		vendor = prod.Name
	}
	in := csaf.AdvisoryInput{Products: []csaf.ProductInput{{Vendor: vendor, Name: prod.Name,
		Releases: []csaf.ReleaseInput{{Version: rel.Version}}}}}
	byID := map[string]*csaf.VulnInput{}
	statuses := map[string][]string{}
	var order []string
	for _, f := range findings {
		v, ok := byID[f.VulnID]
		if !ok {
			v = &csaf.VulnInput{ID: f.VulnID, SeverityLevel: f.SeverityLevel, SeverityScore: float64(f.SeverityScore) / 10,
				KEVDateAdded: f.KEVDateAdded}
			byID[f.VulnID] = v
			order = append(order, f.VulnID)
		}
		for _, al := range f.Aliases {
			if al != f.VulnID && !slices.Contains(v.Aliases, al) {
				v.Aliases = append(v.Aliases, al)
			}
		}
		comp := f.ComponentName + " " + f.ComponentVersion
		if f.ComponentPURL != "" {
			comp += " (" + f.ComponentPURL + ")"
		}
		if f.MinimumFix != "" {
			comp += "; fixed in " + f.ComponentName + " " + f.MinimumFix
		}
		v.Components = append(v.Components, comp)
		statuses[f.VulnID] = append(statuses[f.VulnID], f.Status)
	}
	for _, id := range order {
		v := byID[id]
		slices.Sort(v.Aliases)
		st := csaf.ReleaseStatus{Product: prod.Name, Version: rel.Version, Status: mergeFindingStatus(statuses[id])}
		switch st.Status {
		case vex.StatusNotAffected:
			st.Impact = "The manufacturer's security team assessed this release as not affected."
		case vex.StatusAffected, vex.StatusUnderInvestigation:
			st.FixedIn = fixedRelease(v, newer)
		}
		v.Statuses = []csaf.ReleaseStatus{st}
		in.Vulnerabilities = append(in.Vulnerabilities, *v)
	}
	return in
}

func mergeFindingStatus(ss []string) vex.Status {
	rank := []vex.Status{vex.StatusAffected, vex.StatusUnderInvestigation, vex.StatusNotAffected, vex.StatusFixed}
	best := len(rank) - 1
	for _, s := range ss {
		if i := slices.Index(rank, vex.Status(s)); i >= 0 && i < best {
			best = i
		}
	}
	return rank[best]
}

// fixedRelease is the oldest newer release without the vulnerability (by
// any of its IDs), or with it triaged fixed or not_affected; "" when none.
func fixedRelease(v *csaf.VulnInput, newer []newerRelease) string {
	ids := append([]string{v.ID}, v.Aliases...)
	for _, nr := range newer {
		still := false
		for _, f := range nr.findings {
			if (slices.Contains(ids, f.VulnID) || slices.ContainsFunc(f.Aliases, func(a string) bool { return slices.Contains(ids, a) })) &&
				f.Status != string(vex.StatusFixed) && f.Status != string(vex.StatusNotAffected) {
				still = true
				break
			}
		}
		if !still {
			return nr.version
		}
	}
	return ""
}

func defaultAdvisoryTitle(product, version string, vulns []csaf.VulnInput) string {
	ids := make([]string, 0, len(vulns))
	for _, v := range vulns {
		ids = append(ids, v.ID)
	}
	if len(ids) > 3 {
		return fmt.Sprintf("%s %s: %d vulnerabilities", product, version, len(ids))
	}
	return fmt.Sprintf("%s %s: %s", product, version, strings.Join(ids, ", "))
}

// generateAdvisory generates the document of in (with its public URL as
// the self reference) and returns it with in as JSON. An input Generate
// refuses is a 422 that names the field.
func generateAdvisory(in csaf.AdvisoryInput, selfURL string) (doc, input []byte, err error) {
	d, err := csaf.Generate(in, csaf.WithEngine("craft", ""), csaf.WithDocumentURL(selfURL))
	if err != nil {
		return nil, nil, &Error{Status: http.StatusUnprocessableEntity, Detail: err.Error(), Err: err}
	}
	doc, err = csaf.Marshal(d)
	if err != nil {
		return nil, nil, err
	}
	input, err = json.Marshal(in)
	if err != nil {
		return nil, nil, fmt.Errorf("advisory input: %w", err)
	}
	return doc, input, nil
}

func randomHex(n int) (string, error) {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("random: %w", err)
	}
	return hex.EncodeToString(b), nil
}

// checkAdvisoryText refuses text that is too long, not UTF-8 or holds
// control characters other than line breaks and tabs.
func checkAdvisoryText(field, v string, max int) error {
	if !utf8.ValidString(v) {
		return badRequest("%s: not valid UTF-8", field)
	}
	if n := utf8.RuneCountInString(v); n > max {
		return badRequest("%s: %d characters, at most %d", field, n, max)
	}
	if strings.ContainsFunc(v, func(r rune) bool { return (r < 0x20 && r != '\n' && r != '\r' && r != '\t') || r == 0x7f }) {
		return badRequest("%s: control characters are not allowed", field)
	}
	return nil
}

// loadAdvisory returns the advisory {id} when the caller may read its
// product's cases (else 404, so its existence does not leak), and
// whether the caller may also manage them.
func (a *advisoryFeature) loadAdvisory(r *http.Request) (store.Advisory, bool, error) {
	adv, err := a.s.store.GetAdvisory(r.Context(), r.PathValue("id"))
	if err != nil {
		return store.Advisory{}, false, err
	}
	p := PrincipalFrom(r.Context())
	if auth.Authorize(p, auth.PermCaseRead, adv.ProductID) != nil {
		return store.Advisory{}, false, notFound()
	}
	return adv, auth.Authorize(p, auth.PermCaseManage, adv.ProductID) == nil, nil
}

// get is GET /api/v1/advisories/{id}: the working copy, its document and
// its published versions.
func (a *advisoryFeature) get(w http.ResponseWriter, r *http.Request) error {
	adv, _, err := a.loadAdvisory(r)
	if err != nil {
		return err
	}
	base, err := a.s.publicBaseURL(r)
	if err != nil {
		return err
	}
	out := advisoryFromStore(adv, base, true)
	vs, err := a.s.store.ListAdvisoryVersions(r.Context(), adv.ID)
	if err != nil {
		return err
	}
	for _, v := range vs {
		out.Versions = append(out.Versions, advisoryVersionJSON{Version: v.Version, PublishedAt: v.PublishedAt, SHA512: v.SHA512})
	}
	return writeJSON(w, http.StatusOK, out)
}

// version is GET /api/v1/advisories/{id}/versions/{version}: one
// published version byte for byte, as it was served (SHA-512 in the
// X-Content-SHA512 header), whatever TLP label it has.
func (a *advisoryFeature) version(w http.ResponseWriter, r *http.Request) error {
	adv, _, err := a.loadAdvisory(r)
	if err != nil {
		return err
	}
	v, err := a.s.store.GetAdvisoryVersion(r.Context(), adv.ID, r.PathValue("version"))
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Content-SHA512", v.SHA512)
	_, err = w.Write(v.Document)
	return err
}

// openVEX is GET /api/v1/advisories/{id}/openvex: the working copy as
// OpenVEX.
func (a *advisoryFeature) openVEX(w http.ResponseWriter, r *http.Request) error {
	adv, _, err := a.loadAdvisory(r)
	if err != nil {
		return err
	}
	return writeOpenVEX(w, adv.Input)
}

func writeOpenVEX(w http.ResponseWriter, inputJSON []byte) error {
	var in csaf.AdvisoryInput
	if err := json.Unmarshal(inputJSON, &in); err != nil {
		return fmt.Errorf("stored advisory input: %w", err)
	}
	var buf strings.Builder
	if err := csaf.WriteOpenVEX(&buf, in); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	_, err := w.Write([]byte(buf.String()))
	return err
}

// advisoryNoteJSON is a note the API accepts.
type advisoryNoteJSON struct {
	Category string `json:"category"`
	Title    string `json:"title"`
	Text     string `json:"text"`
}

// patchAdvisoryRequest is PATCH /api/v1/advisories/{id}; fields not sent
// are kept. Notes replace the extra document notes as a whole.
type patchAdvisoryRequest struct {
	Title   *string             `json:"title"`
	Summary *string             `json:"summary"`
	Notes   *[]advisoryNoteJSON `json:"notes"`
}

// patch is PATCH /api/v1/advisories/{id}: edit the working copy. Editing
// a published advisory starts the draft of its next version (status
// draft, version n+1); the published versions stay as they are.
func (a *advisoryFeature) patch(w http.ResponseWriter, r *http.Request) error {
	adv, canManage, err := a.loadAdvisory(r)
	if err != nil {
		return err
	}
	if !canManage {
		return &Error{Status: http.StatusForbidden, Detail: "editing an advisory needs case:manage on its product"}
	}
	var req patchAdvisoryRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	updated, err := a.applyPatch(r, adv, req)
	if err != nil {
		return err
	}
	base, err := a.s.publicBaseURL(r)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, advisoryFromStore(updated, base, true))
}

// applyPatch edits the working copy of adv as req says: the one
// implementation behind PATCH and the officers' edit form.
func (a *advisoryFeature) applyPatch(r *http.Request, adv store.Advisory, req patchAdvisoryRequest) (store.Advisory, error) {
	var in csaf.AdvisoryInput
	if err := json.Unmarshal(adv.Input, &in); err != nil {
		return store.Advisory{}, fmt.Errorf("stored advisory input: %w", err)
	}
	changed := []string{}
	if req.Title != nil {
		t := strings.TrimSpace(*req.Title)
		if t == "" {
			return store.Advisory{}, badRequest("title: must not be empty")
		}
		if err := checkAdvisoryText("title", t, advisoryTitleMax); err != nil {
			return store.Advisory{}, err
		}
		in.Title = t
		changed = append(changed, "title")
	}
	if req.Summary != nil {
		if err := checkAdvisoryText("summary", *req.Summary, advisoryTextMax); err != nil {
			return store.Advisory{}, err
		}
		in.Summary = strings.TrimSpace(*req.Summary)
		changed = append(changed, "summary")
	}
	if req.Notes != nil {
		if len(*req.Notes) > advisoryNotesMax {
			return store.Advisory{}, badRequest("notes: %d notes, at most %d", len(*req.Notes), advisoryNotesMax)
		}
		in.Notes = nil
		for i, n := range *req.Notes {
			switch n.Category {
			case csaf.NoteDescription, csaf.NoteDetails, csaf.NoteGeneral, csaf.NoteLegalDisc, csaf.NoteOther, "faq":
			default:
				return store.Advisory{}, badRequest("notes[%d].category: want description, details, faq, general, legal_disclaimer or other", i)
			}
			if strings.TrimSpace(n.Text) == "" {
				return store.Advisory{}, badRequest("notes[%d].text: must not be empty", i)
			}
			if err := checkAdvisoryText(fmt.Sprintf("notes[%d].text", i), n.Text, advisoryTextMax); err != nil {
				return store.Advisory{}, err
			}
			if err := checkAdvisoryText(fmt.Sprintf("notes[%d].title", i), n.Title, advisoryTitleMax); err != nil {
				return store.Advisory{}, err
			}
			in.Notes = append(in.Notes, csaf.Note{Category: n.Category, Title: strings.TrimSpace(n.Title), Text: n.Text})
		}
		changed = append(changed, "notes")
	}
	if len(changed) == 0 {
		return store.Advisory{}, badRequest("nothing to change: send title, summary or notes")
	}
	now := a.s.now().UTC().Truncate(time.Second)
	if in.Status != csaf.StatusDraft {
		// The draft of the next version.
		next := len(in.Revisions) + 1
		in.Status = csaf.StatusDraft
		in.Revisions = append(in.Revisions, csaf.RevisionInput{Number: strconv.Itoa(next), Date: now, Summary: "Draft of the next version."})
	}
	last := &in.Revisions[len(in.Revisions)-1]
	if now.After(last.Date) {
		last.Date = now
	}
	in.CurrentReleaseDate = last.Date
	base, err := a.s.publicBaseURL(r)
	if err != nil {
		return store.Advisory{}, err
	}
	initial := adv.InitialReleaseDate
	if initial.IsZero() {
		initial = now
	}
	doc, inJSON, err := generateAdvisory(in, base+pubFilePath(initial, adv.Filename))
	if err != nil {
		return store.Advisory{}, err
	}
	adv.Title, adv.Status, adv.Version, adv.Input, adv.Document = in.Title, in.Status, last.Number, inJSON, doc
	var updated store.Advisory
	err = a.s.store.InTx(r.Context(), func(tx *store.Store) error {
		var err error
		if updated, err = tx.UpdateAdvisory(r.Context(), adv); err != nil {
			return err
		}
		_, err = tx.AppendAudit(r.Context(), store.Event{At: a.s.now(), Actor: actorOf(r), Action: ActAdvisoryUpdate,
			Target: "advisory:" + adv.ID, SourceIP: ClientIP(r), Detail: map[string]string{"fields": strings.Join(changed, ","),
				"version": adv.Version, "request_id": RequestID(r.Context())}})
		return err
	})
	if err != nil {
		return store.Advisory{}, err
	}
	a.s.m.audit.Inc()
	return updated, nil
}

// publishRequest is the optional body of POST …/publish.
type publishRequest struct {
	// Summary is the revision history entry ("Initial public release."
	// or "Updated." when empty).
	Summary string `json:"summary"`
	// OverrideEmbargo publishes an advisory made from a case although
	// the case's embargo has not ended (audit-logged).
	OverrideEmbargo bool `json:"override_embargo"`
}

// publish is POST /api/v1/advisories/{id}/publish: the next version
// (1, 2, …) with status final, a revision history entry, the current
// release date now, checked against the CSAF schema before anything is
// stored, then stored with its SHA-512. A TLP:WHITE advisory appears at
// once in the public provider, pages and feed.
func (a *advisoryFeature) publish(w http.ResponseWriter, r *http.Request) error {
	adv, canManage, err := a.loadAdvisory(r)
	if err != nil {
		return err
	}
	if !canManage {
		return &Error{Status: http.StatusForbidden, Detail: "publishing an advisory needs case:manage on its product"}
	}
	var req publishRequest
	if r.ContentLength != 0 {
		if err := decodeJSON(r, &req); err != nil {
			return err
		}
	}
	published, err := a.publishVersion(r, adv, req)
	if err != nil {
		return err
	}
	base, err := a.s.publicBaseURL(r)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, advisoryFromStore(published, base, true))
}

// publishVersion publishes the next version of adv: the one
// implementation behind POST …/publish and the officers' publish button.
func (a *advisoryFeature) publishVersion(r *http.Request, adv store.Advisory, req publishRequest) (store.Advisory, error) {
	if err := checkAdvisoryText("summary", req.Summary, advisoryTitleMax); err != nil {
		return store.Advisory{}, err
	}
	// An advisory made from a case waits for the case's embargo.
	link, err := a.caseOfAdvisory(r, adv, req.OverrideEmbargo)
	if err != nil {
		return store.Advisory{}, err
	}
	var in csaf.AdvisoryInput
	if err := json.Unmarshal(adv.Input, &in); err != nil {
		return store.Advisory{}, fmt.Errorf("stored advisory input: %w", err)
	}
	// Published revisions stay; a trailing draft entry is replaced.
	revs := in.Revisions
	if in.Status == csaf.StatusDraft && len(revs) > 0 {
		revs = revs[:len(revs)-1]
	}
	next := len(revs) + 1
	now := a.s.now().UTC().Truncate(time.Second)
	if len(revs) > 0 && now.Before(revs[len(revs)-1].Date) {
		now = revs[len(revs)-1].Date
	}
	summary := strings.TrimSpace(req.Summary)
	if summary == "" {
		summary = "Initial public release."
		if next > 1 {
			summary = "Updated."
		}
	}
	in.Revisions = append(slices.Clone(revs), csaf.RevisionInput{Number: strconv.Itoa(next), Date: now, Summary: summary})
	in.Status = csaf.StatusFinal
	initial := adv.InitialReleaseDate
	if initial.IsZero() {
		initial = now
	}
	in.InitialReleaseDate, in.CurrentReleaseDate = initial, now
	base, err := a.s.publicBaseURL(r)
	if err != nil {
		return store.Advisory{}, err
	}
	doc, inJSON, err := generateAdvisory(in, base+pubFilePath(initial, adv.Filename))
	if err != nil {
		return store.Advisory{}, err
	}
	// The same check as `craft advisory validate`: the schema and the
	// offline mandatory tests of CSAF 2.0 section 6.1. Nothing that fails
	// it reaches the public provider.
	if res := csaf.Validate(doc); !res.Valid() {
		problems := make([]string, 0, len(res.Failures))
		for _, f := range res.Failures {
			problems = append(problems, f.String())
		}
		return store.Advisory{}, &Error{Status: http.StatusUnprocessableEntity, Detail: "the document is not valid CSAF 2.0 and was not published: " + strings.Join(problems, "; ")}
	}
	sum := sha512.Sum512(doc)
	adv.Title, adv.Status, adv.Version, adv.Input, adv.Document = in.Title, in.Status, strconv.Itoa(next), inJSON, doc
	ver := store.AdvisoryVersion{AdvisoryID: adv.ID, Version: adv.Version, TrackingID: adv.TrackingID, Filename: adv.Filename,
		ProductID: adv.ProductID, Category: adv.Category, Title: adv.Title, TLP: adv.TLP, Input: inJSON, Document: doc,
		SHA512: hex.EncodeToString(sum[:]), InitialReleaseDate: initial, PublishedAt: now}
	var published store.Advisory
	err = a.s.store.InTx(r.Context(), func(tx *store.Store) error {
		var err error
		if published, err = tx.PublishAdvisory(r.Context(), adv, ver); err != nil {
			return err
		}
		_, err = tx.AppendAudit(r.Context(), store.Event{At: a.s.now(), Actor: actorOf(r), Action: ActAdvisoryPublish,
			Target: "advisory:" + adv.ID, SourceIP: ClientIP(r), Detail: map[string]string{"tracking_id": adv.TrackingID,
				"version": adv.Version, "tlp": adv.TLP, "sha512": ver.SHA512, "request_id": RequestID(r.Context())}})
		if err != nil {
			return err
		}
		// Users are informed (Art. 14(8)); the case records it.
		return a.recordPublication(r, tx, published, link, base)
	})
	if err != nil {
		return store.Advisory{}, err
	}
	a.s.m.audit.Inc()
	return published, nil
}

// advisoryCursor is the sort key of the list.
type advisoryCursor struct {
	Created int64  `json:"c"`
	ID      string `json:"i"`
}

// readableAdvisories reads one page (limit+1 rows, see newPage) of the
// advisories of the products where the caller holds case:read, newest
// first, for the API list and the officers' page alike.
func (a *advisoryFeature) readableAdvisories(r *http.Request) (PageRequest, []store.Advisory, error) {
	pr, err := parsePageRequest(r)
	if err != nil {
		return pr, nil, err
	}
	p := PrincipalFrom(r.Context())
	all, ids := p.ProductFilter()
	f := store.AdvisoryFilter{All: all, Limit: pr.Limit + 1}
	if !all {
		for _, id := range ids {
			if auth.Authorize(p, auth.PermCaseRead, id) == nil {
				f.ProductIDs = append(f.ProductIDs, id)
			}
		}
	}
	var cur advisoryCursor
	ok, err := pr.Decode(&cur)
	if err != nil {
		return pr, nil, err
	}
	if ok {
		f.BeforeCreated, f.BeforeID = time.Unix(0, cur.Created), cur.ID
	}
	rows, err := a.s.store.ListAdvisories(r.Context(), f)
	return pr, rows, err
}

// list is GET /api/v1/advisories: the advisories of the products whose
// cases the caller may read, newest first, cursor-paginated.
func (a *advisoryFeature) list(w http.ResponseWriter, r *http.Request) error {
	pr, rows, err := a.readableAdvisories(r)
	if err != nil {
		return err
	}
	base, err := a.s.publicBaseURL(r)
	if err != nil {
		return err
	}
	items := make([]advisoryJSON, 0, len(rows))
	for _, adv := range rows {
		items = append(items, advisoryFromStore(adv, base, false))
	}
	return writeJSON(w, http.StatusOK, newPage(items, pr.Limit, func(x advisoryJSON) any {
		return advisoryCursor{Created: x.CreatedAt.UnixNano(), ID: x.ID}
	}))
}

// publicBaseURL is the server's public https origin: the base URL of the
// security.txt settings when set (recommended: stable behind proxies),
// else https:// and the request's Host.
func (s *Server) publicBaseURL(r *http.Request) (string, error) {
	c, err := s.loadSecurityTxt(r.Context())
	if err != nil {
		return "", err
	}
	if c.BaseURL != "" {
		return strings.TrimRight(c.BaseURL, "/"), nil
	}
	u, err := url.Parse("https://" + r.Host)
	if err != nil || u.Host == "" || u.Host != r.Host || u.User != nil {
		return "", badRequest("Host: not a host name; set the base URL in the security.txt settings")
	}
	return "https://" + u.Host, nil
}

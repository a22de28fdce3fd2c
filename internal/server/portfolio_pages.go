package server

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/craft-cra/craft/internal/auth"
	"github.com/craft-cra/craft/internal/store"
)

// The portfolio pages: the dashboard, a product, a release and the
// portfolio-wide component search. The bulk triage form of the release
// page posts to the triage feature's route; the product page's CRA form
// to productCRASubmit (portfolio_cra_form.go).

const (
	// supportWarnMonths is how far ahead the dashboard lists releases whose
	// support is about to end.
	supportWarnMonths = 6
	// trendDays is how many days the dashboard's trend chart covers.
	trendDays = 90
	// searchPageLimit is how many hits the component search page shows.
	searchPageLimit = 200
	// maxQueryParam caps a search or filter parameter.
	maxQueryParam = 512
)

// readableProducts are the products p may read, by name.
func (s *Server) readableProducts(ctx context.Context, p auth.Principal) ([]store.Product, error) {
	all, ids := p.ProductFilter()
	if all {
		return s.store.ListProducts(ctx)
	}
	var out []store.Product
	for _, id := range ids {
		if auth.Authorize(p, auth.PermProductRead, id) != nil {
			continue
		}
		pr, err := s.store.GetProduct(ctx, id)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, pr)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

func productIDs(ps []store.Product) []string {
	ids := make([]string, len(ps))
	for i, p := range ps {
		ids[i] = p.ID
	}
	return ids
}

// queryParam reads a search or filter parameter: at most maxQueryParam
// characters of valid UTF-8 without control characters (PostgreSQL refuses
// a NUL, and nothing stored holds one).
func queryParam(r *http.Request, name string) (string, error) {
	v := strings.TrimSpace(r.URL.Query().Get(name))
	if len(v) > maxQueryParam {
		return "", badRequest("%s: longer than %d bytes", name, maxQueryParam)
	}
	if !utf8.ValidString(v) {
		return "", badRequest("%s: not valid UTF-8", name)
	}
	for _, c := range v {
		if unicode.IsControl(c) {
			return "", badRequest("%s: contains a control character", name)
		}
	}
	return v, nil
}

// choiceParam reads a parameter that must be "" or one of allowed.
func choiceParam(r *http.Request, name string, allowed ...string) (string, error) {
	v := r.URL.Query().Get(name)
	if v == "" || slices.Contains(allowed, v) {
		return v, nil
	}
	return "", badRequest("%s: want one of %s, got %q", name, strings.Join(allowed, ", "), shorten(v, 40))
}

// countsView is a SeverityCounts for templates.
type countsView struct {
	store.SeverityCounts
	Total int64
}

func viewCounts(c store.SeverityCounts) countsView {
	return countsView{SeverityCounts: c, Total: c.Total()}
}

// dashboardData is the dashboard page's Data.
type dashboardData struct {
	Open       countsView
	Products   []dashboardProduct
	Trend      trendChart
	Ending     []dashboardEnding
	Widespread []store.WidespreadComponent
	WarnMonths int
	// AsOf is when the snapshot the counts come from was taken; zero when
	// they were counted now.
	AsOf time.Time
	// EOL are the end-of-life components of releases in support.
	EOL eolSummary
	// Countdowns are the Article 14 clocks of the cases the caller may read.
	Countdowns countdownSummary
}

type dashboardProduct struct {
	ID, Name      string
	SupportStatus string
	Open          countsView
}

type dashboardEnding struct {
	store.SupportEnding
	EndDisplay string
	Ended      bool
}

// dashboardPage is GET /dashboard: the open findings of the releases in
// support of the products the caller may read.
func (w *web) dashboardPage(rw http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	s := w.s
	now := s.now()
	p := PrincipalFrom(ctx)
	products, err := s.readableProducts(ctx, p)
	if err != nil {
		return fmt.Errorf("server: dashboard: %w", err)
	}
	ids := productIDs(products)
	d, err := s.store.Dashboard(ctx, store.DashboardQuery{ProductIDs: ids, Now: now, EndingWithinMonths: supportWarnMonths})
	if err != nil {
		return err
	}
	to := now.UTC()
	from := to.AddDate(0, 0, -(trendDays - 1))
	days, err := s.store.ListSnapshots(ctx, ids, from.Format(time.DateOnly), to.Format(time.DateOnly))
	if err != nil {
		return err
	}
	data := dashboardData{Open: viewCounts(d.Open), Trend: newTrendChart(days, from, to), Widespread: d.Widespread,
		WarnMonths: supportWarnMonths, AsOf: d.AsOf}
	if data.EOL, err = s.dashboardEOL(ctx, ids, now); err != nil {
		return err
	}
	if data.Countdowns, err = s.dashboardCountdowns(ctx, p, now); err != nil {
		return err
	}
	for _, p := range products {
		prof, err := s.store.GetProductProfile(ctx, p.ID)
		if err != nil {
			return err
		}
		data.Products = append(data.Products, dashboardProduct{ID: p.ID, Name: p.Name,
			SupportStatus: supportStatus(prof, now), Open: viewCounts(d.ByProduct[p.ID])})
	}
	month := now.UTC().Format("2006-01")
	for _, e := range d.Ending {
		data.Ending = append(data.Ending, dashboardEnding{SupportEnding: e, EndDisplay: monthDisplay(e.SupportEnd),
			Ended: e.SupportEnd < month})
	}
	return w.render(rw, r, http.StatusOK, "portfolio_dashboard", page{Title: "Dashboard", Section: "dashboard", Data: data})
}

// monthDisplay says "2027-03" as "March 2027".
func monthDisplay(m string) string {
	t, ok := parseMonth(m)
	if !ok {
		return m
	}
	return t.Format("January 2006")
}

// productPageData is the product page's Data.
type productPageData struct {
	Product    productDetailJSON
	ClassName  string
	Releases   []productRelease
	InSupport  bool
	MemberList string
	// CanEdit shows the CRA form (product:write on the product).
	CanEdit bool
	Form    craForm
	Classes []craClassOption
	States  []memberStateOption
}

type productRelease struct {
	Version    string
	ReleasedOn string
	HasSBOM    bool
	Components int64
	Open       countsView
}

// productPage is GET /products/{product}; ?cra=saved or ?cra=unchanged
// confirms a post of the CRA form.
func (w *web) productPage(rw http.ResponseWriter, r *http.Request) error {
	var pg page
	switch r.URL.Query().Get("cra") {
	case "saved":
		pg.Notice = "CRA information saved."
	case "unchanged":
		pg.Notice = "CRA information unchanged: no field differed."
	}
	return w.renderProduct(rw, r, http.StatusOK, pg, nil)
}

// renderProduct writes the product page with status; form, when not nil,
// is the CRA form's input to show again instead of the stored values.
func (w *web) renderProduct(rw http.ResponseWriter, r *http.Request, status int, pg page, form *craForm) error {
	ctx := r.Context()
	s := w.s
	id := r.PathValue("product")
	p, err := s.store.GetProduct(ctx, id)
	if err != nil {
		return err
	}
	prof, err := s.store.GetProductProfile(ctx, id)
	if err != nil {
		return err
	}
	rels, err := s.store.ListReleases(ctx, id)
	if err != nil {
		return err
	}
	counts, err := s.store.ReleaseFindingCounts(ctx, id)
	if err != nil {
		return err
	}
	d := productPageData{Product: productDetail(p, prof, s.now()), ClassName: className(prof.Class),
		MemberList: strings.Join(prof.MemberStates, ", ")}
	d.InSupport = inSupport(d.Product.SupportStatus)
	d.CanEdit = auth.Authorize(PrincipalFrom(ctx), auth.PermProductWrite, id) == nil
	if d.CanEdit {
		d.Form, d.Classes, d.States = craFormFrom(prof), craClassOptions(), memberStateOptions()
		if form != nil {
			d.Form = *form
		}
	}
	for _, rel := range rels {
		pr := productRelease{Version: rel.Version, ReleasedOn: rel.ReleasedOn, Open: viewCounts(counts[rel.ID])}
		if rel.SBOM != nil {
			pr.HasSBOM, pr.Components = true, rel.SBOM.Components
		}
		d.Releases = append(d.Releases, pr)
	}
	pg.Title, pg.Section, pg.Data = p.Name, "dashboard", d
	return w.render(rw, r, status, "portfolio_product", pg)
}

// className is a CRA class as people read it.
func className(c string) string {
	switch c {
	case classImportantI:
		return "Important product, class I (Annex III)"
	case classImportantII:
		return "Important product, class II (Annex III)"
	case classCritical:
		return "Critical product (Annex IV)"
	}
	return "Default category"
}

// Release page filter values.
var (
	severityLevels = []string{"critical", "high", "medium", "low", "none", "unknown"}
	triageStatuses = []string{"under_investigation", "affected", "not_affected", "fixed"}
	// triageJustifications are the VEX justifications (OpenVEX spelling).
	triageJustifications = []string{"component_not_present", "vulnerable_code_not_present",
		"vulnerable_code_not_in_execute_path", "vulnerable_code_cannot_be_controlled_by_adversary",
		"inline_mitigations_already_exist"}
)

// releaseFilters are the release page's query parameters.
type releaseFilters struct {
	Q            string // component name or purl substring
	Ecosystem    string
	Relationship string // direct, transitive or ""
	Severity     string
	Status       string
	KEV          string // yes, no or ""
}

func parseReleaseFilters(r *http.Request) (releaseFilters, error) {
	var (
		f   releaseFilters
		err error
	)
	if f.Q, err = queryParam(r, "q"); err != nil {
		return f, err
	}
	if f.Ecosystem, err = queryParam(r, "ecosystem"); err != nil {
		return f, err
	}
	if f.Relationship, err = choiceParam(r, "relationship", "direct", "transitive"); err != nil {
		return f, err
	}
	if f.Severity, err = choiceParam(r, "severity", severityLevels...); err != nil {
		return f, err
	}
	if f.Status, err = choiceParam(r, "status", triageStatuses...); err != nil {
		return f, err
	}
	if f.KEV, err = choiceParam(r, "kev", "yes", "no"); err != nil {
		return f, err
	}
	return f, nil
}

// releasePageData is the release page's Data.
type releasePageData struct {
	ProductID      string
	ProductName    string
	Version        string
	ReleasedOn     string
	SupportStatus  string
	Filters        releaseFilters
	Ecosystems     []string
	Severities     []string
	Statuses       []string
	Justifications []string
	Components     []store.ReleaseComponent
	ComponentTotal int
	Findings       []releaseFinding
	FindingTotal   int
	CanTriage      bool
	Triaged        int
	HasSBOM        bool
	SBOMURL        string
	OpenVEXURL     string
	CycloneDXURL   string
	ProductURL     string
}

type releaseFinding struct {
	store.Finding
	// Key is the finding's triage key, "VULNID|COMPONENTKEY".
	Key  string
	URL  string
	Flag string
	// DecidedBy is who made the decision in force: the user's e-mail
	// address, else the actor ("token:<id>", a deleted user's
	// "user:<id>"); "" when nobody triaged the finding.
	DecidedBy string
}

// componentKey names a finding's component in the triage form and the
// finding page's URL: its purl when it has one, else
// "ecosystem/name@version".
func componentKey(f store.Finding) string {
	if f.ComponentPURL != "" {
		return f.ComponentPURL
	}
	return f.Ecosystem + "/" + f.ComponentName + "@" + f.ComponentVersion
}

// releasePage is GET /products/{product}/releases/{version}: components
// and findings, filtered by the query parameters, and the bulk triage form.
func (w *web) releasePage(rw http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	s := w.s
	filters, err := parseReleaseFilters(r)
	if err != nil {
		return err
	}
	id, prof, err := s.productProfile(r)
	if err != nil {
		return err
	}
	p, err := s.store.GetProduct(ctx, id)
	if err != nil {
		return err
	}
	rel, err := s.store.GetRelease(ctx, id, r.PathValue("version"))
	if err != nil {
		return err
	}
	comps, err := s.store.ListReleaseComponents(ctx, rel.ID)
	if err != nil {
		return err
	}
	findings, err := s.store.ListReleaseFindings(ctx, rel.ID)
	if err != nil {
		return err
	}
	deciders, err := s.releaseDeciders(ctx, rel.ID, findings)
	if err != nil {
		return err
	}
	base := "/api/v1/products/" + url.PathEscape(id) + "/releases/" + url.PathEscape(rel.Version)
	d := releasePageData{ProductID: id, ProductName: p.Name, Version: rel.Version, ReleasedOn: rel.ReleasedOn,
		SupportStatus: supportStatus(prof, s.now()), Filters: filters, Severities: severityLevels,
		Statuses: triageStatuses, Justifications: triageJustifications, ComponentTotal: len(comps),
		FindingTotal: len(findings), HasSBOM: rel.SBOM != nil, SBOMURL: base + "/sbom",
		OpenVEXURL: base + "/vex?format=openvex", CycloneDXURL: base + "/vex?format=cyclonedx",
		ProductURL: "/products/" + url.PathEscape(id),
		CanTriage:  auth.Authorize(PrincipalFrom(ctx), auth.PermFindingTriage, id) == nil,
	}
	if n, err := strconv.Atoi(r.URL.Query().Get("triaged")); err == nil && n > 0 && n <= 1_000_000 {
		d.Triaged = n
	}
	ecos := map[string]bool{}
	q := strings.ToLower(filters.Q)
	for _, c := range comps {
		ecos[c.Ecosystem] = true
		if q != "" && !strings.Contains(strings.ToLower(c.Name), q) && !strings.Contains(strings.ToLower(c.PURL), q) {
			continue
		}
		if filters.Ecosystem != "" && c.Ecosystem != filters.Ecosystem {
			continue
		}
		if filters.Relationship != "" && c.Relationship != filters.Relationship {
			continue
		}
		d.Components = append(d.Components, c)
	}
	for e := range ecos {
		if e != "" {
			d.Ecosystems = append(d.Ecosystems, e)
		}
	}
	sort.Strings(d.Ecosystems)
	findingBase := "/products/" + url.PathEscape(id) + "/releases/" + url.PathEscape(rel.Version) + "/findings/"
	for _, f := range findings {
		if filters.Severity != "" && f.SeverityLevel != filters.Severity {
			continue
		}
		if filters.Status != "" && f.Status != filters.Status {
			continue
		}
		if kev := f.KEVDateAdded != ""; (filters.KEV == "yes" && !kev) || (filters.KEV == "no" && kev) {
			continue
		}
		key := componentKey(f)
		rf := releaseFinding{Finding: f, Key: f.VulnID + "|" + key,
			URL: findingBase + url.PathEscape(f.VulnID) + "?component=" + url.QueryEscape(key), DecidedBy: deciders[decisionKey(f)]}
		if article14Applies(f, d.SupportStatus) {
			rf.Flag = article14Flag
		}
		d.Findings = append(d.Findings, rf)
	}
	title := p.Name + " " + rel.Version
	return w.render(rw, r, http.StatusOK, "portfolio_release", page{Title: title, Section: "dashboard", Data: d})
}

// componentSearchData is the component search page's Data.
type componentSearchData struct {
	Q, Version, PURL, Match string
	Searched                bool
	Hits                    []componentHitJSON
	NextURL                 string
}

// componentSearchPage is GET /components?q=&version=&purl=&match=: which
// releases of the products the caller may read ship a component.
func (w *web) componentSearchPage(rw http.ResponseWriter, r *http.Request) error {
	d := componentSearchData{}
	var err error
	if d.Q, err = queryParam(r, "q"); err != nil {
		return err
	}
	if d.Version, err = queryParam(r, "version"); err != nil {
		return err
	}
	if d.PURL, err = queryParam(r, "purl"); err != nil {
		return err
	}
	if d.Match, err = choiceParam(r, "match", store.MatchExact, store.MatchContains); err != nil {
		return err
	}
	if d.Q != "" || d.PURL != "" {
		d.Searched = true
		pr := PageRequest{Limit: searchPageLimit, Cursor: r.URL.Query().Get("cursor")}
		if len(pr.Cursor) > maxCursorLen {
			return badRequest("cursor: longer than %d characters", maxCursorLen)
		}
		pg, err := w.s.componentPage(r.Context(), PrincipalFrom(r.Context()),
			store.ComponentQuery{Name: d.Q, Version: d.Version, PURL: d.PURL, Match: d.Match}, pr)
		if err != nil {
			return err
		}
		d.Hits = pg.Items
		if pg.NextCursor != "" {
			v := url.Values{"q": {d.Q}, "version": {d.Version}, "purl": {d.PURL}, "match": {d.Match}, "cursor": {pg.NextCursor}}
			d.NextURL = ComponentSearchPagePath + "?" + v.Encode()
		}
	}
	return w.render(rw, r, http.StatusOK, "portfolio_components", page{Title: "Component search", Section: "components", Data: d})
}

// decisionKey names a finding among a release's findings.
func decisionKey(f store.Finding) string { return f.VulnID + "|" + f.ComponentID }

// releaseDeciders is who made the decision in force on each finding of
// the release (by decisionKey), as the page shows it: one query for the
// decisions and one for the users.
func (s *Server) releaseDeciders(ctx context.Context, releaseID string, fs []store.Finding) (map[string]string, error) {
	ds, err := s.store.ListTriageDecisions(ctx, releaseID)
	if err != nil {
		return nil, fmt.Errorf("server: release deciders: %w", err)
	}
	byKey := make(map[string][]store.TriageDecision, len(ds))
	actors := make([]string, 0, len(ds))
	for _, d := range ds {
		byKey[d.ComponentKey] = append(byKey[d.ComponentKey], d)
		actors = append(actors, d.DecidedBy)
	}
	names, err := s.resolveActors(ctx, actors...)
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(fs))
	for _, f := range fs {
		if d, ok := store.DecisionFor(byKey[f.Key()], f); ok {
			out[decisionKey(f)] = names.display(d.DecidedBy)
		}
	}
	return out, nil
}

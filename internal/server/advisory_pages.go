package server

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/craft-cra/craft/internal/csaf"
	"github.com/craft-cra/craft/internal/store"
)

// Public pages and the Atom feed of published TLP:WHITE advisories: what
// users of the products read to learn about fixed vulnerabilities (CRA
// Art. 14(8), Annex I Part II (4) and (8)). Every text comes from the
// stored document and is escaped by html/template or encoding/xml.

func (a *advisoryFeature) page(f HandlerFunc) HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		if a.ui == nil {
			return &Error{Status: http.StatusInternalServerError, Err: fmt.Errorf("advisory pages disabled: templates failed to load")}
		}
		return f(w, r)
	}
}

// advisoryEntry is one published advisory in the list and the feed.
type advisoryEntry struct {
	Name        string // the file name without .json: the page's path
	TrackingID  string
	Title       string
	Version     string
	Category    string
	PublishedAt time.Time
	Initial     time.Time
	JSONPath    string
}

func entryOf(v store.AdvisoryVersion) advisoryEntry {
	return advisoryEntry{Name: strings.TrimSuffix(v.Filename, ".json"), TrackingID: v.TrackingID, Title: v.Title,
		Version: v.Version, Category: v.Category, PublishedAt: v.PublishedAt, Initial: v.InitialReleaseDate,
		JSONPath: pubFilePath(v.InitialReleaseDate, v.Filename)}
}

func (a *advisoryFeature) entries(r *http.Request) ([]advisoryEntry, error) {
	vs, err := a.s.store.ListLatestAdvisoryVersions(r.Context(), csaf.TLPWhite)
	if err != nil {
		return nil, err
	}
	out := make([]advisoryEntry, 0, len(vs))
	for _, v := range vs {
		out = append(out, entryOf(v))
	}
	return out, nil
}

// listPage is GET /advisories.
func (a *advisoryFeature) listPage(w http.ResponseWriter, r *http.Request) error {
	es, err := a.entries(r)
	if err != nil {
		return err
	}
	return a.s.render(w, r, a.ui, http.StatusOK, "advisory_list", page{Title: "Security advisories", Data: es})
}

// advisoryView is the advisory page's view of a CSAF document.
type advisoryView struct {
	advisoryEntry
	Doc       csaf.Document
	Vulns     []vulnView
	Signed    bool
	Publisher string
}

type vulnView struct {
	IDs          []string
	Title        string
	Notes        []csaf.Note
	Scores       []string
	Threats      []csaf.Threat
	Statuses     []statusView
	Remediations []remediationView
	References   []csaf.Reference
}

type statusView struct {
	Status   string
	Products []string
}

type remediationView struct {
	Category string
	Details  string
	Products []string
}

// advisoryPage is GET /advisories/{name}.
func (a *advisoryFeature) advisoryPage(w http.ResponseWriter, r *http.Request) error {
	v, err := a.published(r)
	if err != nil {
		return err
	}
	var doc csaf.Document
	if err := json.Unmarshal(v.Document, &doc); err != nil {
		return fmt.Errorf("stored advisory %s: %w", v.Filename, err)
	}
	names := map[string]string{}
	if doc.ProductTree != nil {
		var walk func([]csaf.Branch)
		walk = func(bs []csaf.Branch) {
			for _, b := range bs {
				if b.Product != nil {
					names[b.Product.ProductID] = b.Product.Name
				}
				walk(b.Branches)
			}
		}
		walk(doc.ProductTree.Branches)
	}
	nameAll := func(ids []string) []string {
		out := make([]string, 0, len(ids))
		for _, id := range ids {
			if n, ok := names[id]; ok {
				out = append(out, n)
			} else {
				out = append(out, id)
			}
		}
		return out
	}
	view := advisoryView{advisoryEntry: entryOf(v), Doc: doc, Signed: a.s.cfg.CSAFSigner != nil, Publisher: doc.Document.Publisher.Name}
	for _, vu := range doc.Vulnerabilities {
		vv := vulnView{Title: vu.Title, Notes: vu.Notes, Threats: vu.Threats, References: vu.References}
		if vu.CVE != "" {
			vv.IDs = append(vv.IDs, vu.CVE)
		}
		for _, id := range vu.IDs {
			vv.IDs = append(vv.IDs, id.Text)
		}
		for _, s := range vu.Scores {
			if s.CVSSv3 != nil {
				vv.Scores = append(vv.Scores, fmt.Sprintf("CVSS %s %.1f (%s) %s", s.CVSSv3.Version, s.CVSSv3.BaseScore,
					strings.ToLower(s.CVSSv3.BaseSeverity), s.CVSSv3.VectorString))
			}
		}
		if ps := vu.ProductStatus; ps != nil {
			for _, g := range []struct {
				label string
				ids   []string
			}{{"Affected", ps.KnownAffected}, {"Fixed", ps.Fixed}, {"Not affected", ps.KnownNotAffected}, {"Under investigation", ps.UnderInvestigation}} {
				if len(g.ids) > 0 {
					vv.Statuses = append(vv.Statuses, statusView{Status: g.label, Products: nameAll(g.ids)})
				}
			}
		}
		for _, rm := range vu.Remediations {
			vv.Remediations = append(vv.Remediations, remediationView{Category: strings.ReplaceAll(rm.Category, "_", " "),
				Details: rm.Details, Products: nameAll(rm.ProductIDs)})
		}
		view.Vulns = append(view.Vulns, vv)
	}
	return a.s.render(w, r, a.ui, http.StatusOK, "advisory_page", page{Title: v.Title, Data: view})
}

// published returns the latest published TLP:WHITE version named by
// {name} (the file name without .json), else 404.
func (a *advisoryFeature) published(r *http.Request) (store.AdvisoryVersion, error) {
	name := r.PathValue("name")
	if name == "" || strings.ContainsAny(name, "/.") {
		return store.AdvisoryVersion{}, notFound()
	}
	v, err := a.s.store.GetLatestAdvisoryVersion(r.Context(), name+".json")
	if err != nil {
		return store.AdvisoryVersion{}, err
	}
	if v.TLP != csaf.TLPWhite {
		return store.AdvisoryVersion{}, notFound()
	}
	return v, nil
}

// publicOpenVEX is GET /advisories/{name}/openvex.json: the published
// version as OpenVEX, generated from the same input as its CSAF document.
func (a *advisoryFeature) publicOpenVEX(w http.ResponseWriter, r *http.Request) error {
	v, err := a.published(r)
	if err != nil {
		return err
	}
	return writeOpenVEX(w, v.Input)
}

// Atom (RFC 4287) elements of the feed, written with encoding/xml so that
// every text is escaped.
type atomFeed struct {
	XMLName xml.Name    `xml:"http://www.w3.org/2005/Atom feed"`
	ID      string      `xml:"id"`
	Title   string      `xml:"title"`
	Updated string      `xml:"updated"`
	Links   []atomLink  `xml:"link"`
	Author  atomAuthor  `xml:"author"`
	Entries []atomEntry `xml:"entry"`
}

type atomLink struct {
	Rel  string `xml:"rel,attr,omitempty"`
	Type string `xml:"type,attr,omitempty"`
	Href string `xml:"href,attr"`
}

type atomAuthor struct {
	Name string `xml:"name"`
}

type atomEntry struct {
	ID        string     `xml:"id"`
	Title     string     `xml:"title"`
	Updated   string     `xml:"updated"`
	Published string     `xml:"published"`
	Links     []atomLink `xml:"link"`
	Summary   string     `xml:"summary"`
}

// feed is GET /advisories/feed.atom: one entry per published TLP:WHITE
// advisory (its latest version), newest first.
func (a *advisoryFeature) feed(w http.ResponseWriter, r *http.Request) error {
	es, err := a.entries(r)
	if err != nil {
		return err
	}
	base, err := a.s.publicBaseURL(r)
	if err != nil {
		return err
	}
	f := atomFeed{ID: base + "/advisories", Title: "Security advisories", Author: atomAuthor{Name: base},
		Links: []atomLink{{Rel: "self", Type: "application/atom+xml", Href: base + "/advisories/feed.atom"},
			{Rel: "alternate", Type: "text/html", Href: base + "/advisories"}}}
	f.Updated = a.s.now().UTC().Truncate(time.Second).Format(time.RFC3339)
	if len(es) > 0 {
		f.Updated = es[0].PublishedAt.UTC().Format(time.RFC3339)
	}
	for _, e := range es {
		f.Entries = append(f.Entries, atomEntry{
			ID:        base + e.JSONPath,
			Title:     e.TrackingID + ": " + e.Title,
			Updated:   e.PublishedAt.UTC().Format(time.RFC3339),
			Published: e.Initial.UTC().Format(time.RFC3339),
			Links: []atomLink{{Rel: "alternate", Type: "text/html", Href: base + "/advisories/" + e.Name},
				{Rel: "related", Type: "application/json", Href: base + e.JSONPath}},
			Summary: fmt.Sprintf("%s version %s (%s).", e.TrackingID, e.Version, strings.ReplaceAll(e.Category, "_", " ")),
		})
	}
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	enc := xml.NewEncoder(&buf)
	enc.Indent("", "  ")
	if err := enc.Encode(f); err != nil {
		return fmt.Errorf("atom feed: %w", err)
	}
	buf.WriteByte('\n')
	return pubWrite(w, "application/atom+xml; charset=utf-8", buf.Bytes())
}

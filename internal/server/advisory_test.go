package server

import (
	"bytes"
	"context"
	"crypto/sha512"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/armor"
	"github.com/ProtonMail/go-crypto/openpgp/packet"

	"github.com/craft-cra/craft/internal/auth"
	"github.com/craft-cra/craft/internal/csaf"
	"github.com/craft-cra/craft/internal/store"
	"github.com/craft-cra/craft/internal/store/storetest"
)

// advEnv is a product "router" with two matched releases (1.0.0 has two
// findings, 1.1.0 only one of them), its security officer and viewer, and
// the officer of another product.
type advEnv struct {
	*env
	p, other                  store.Product
	officer, viewer, otherOff string
	releaseOld, releaseNew    store.Release
}

const hostileTitle = `Router <script>alert(1)</script> & "friends"`

func newAdvEnv(t *testing.T, st *store.Store, cfg Config) *advEnv {
	t.Helper()
	cfg.Limits = RateLimits{Disabled: true}
	e := newEnv(t, st, cfg)
	ae := &advEnv{env: e, p: e.product("router"), other: e.product("camera")}
	ctx := context.Background()
	if err := st.SetProductProfile(ctx, ae.p.ID, store.ProductProfile{Manufacturer: "Example <b>Networks</b>", Class: "default",
		SecurityContact: "psirt@example.eu"}); err != nil {
		t.Fatal(err)
	}
	for _, m := range []struct {
		email string
		role  store.Role
		p     store.Product
		tok   *string
	}{
		{"sofia@example.eu", store.RoleSecurityOfficer, ae.p, &ae.officer},
		{"victor@example.eu", store.RoleViewer, ae.p, &ae.viewer},
		{"olga@example.eu", store.RoleSecurityOfficer, ae.other, &ae.otherOff},
	} {
		u := e.user(m.email, auth.Role(m.role))
		e.member(u, m.p, m.role)
		*m.tok = e.session(u)
	}
	put := func(version, on string, fs []store.Finding) store.Release {
		rel, _, err := st.PutReleaseSBOM(ctx, store.SBOMUpload{ProductID: ae.p.ID, Version: version, ReleasedOn: on,
			Data: []byte("{}"), Info: store.SBOMInfo{ContentType: "application/json", Format: "cyclonedx-json"},
			Components: []store.ReleaseComponent{{ComponentID: "c1", Name: "openssl", Version: "3.0.1", PURL: "pkg:generic/openssl@3.0.1"}}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.ReplaceReleaseFindings(ctx, store.FindingsUpdate{ReleaseID: rel.ID, ProductID: ae.p.ID,
			ProductName: ae.p.Name, Version: version, Findings: fs}); err != nil {
			t.Fatal(err)
		}
		return rel
	}
	tls := store.Finding{VulnID: "GHSA-aaaa-bbbb-cccc", Aliases: []string{"CVE-2026-1111", "GHSA-aaaa-bbbb-cccc"}, ComponentID: "c1",
		ComponentName: "openssl", ComponentVersion: "3.0.1", ComponentPURL: "pkg:generic/openssl@3.0.1",
		SeverityLevel: "critical", SeverityScore: 98, MinimumFix: "3.0.2", KEVDateAdded: "2026-10-30"}
	other := store.Finding{VulnID: "GO-2026-0042", ComponentID: "c1", ComponentName: "openssl", ComponentVersion: "3.0.1",
		SeverityLevel: "medium", SeverityScore: 53}
	ae.releaseOld = put("1.0.0", "2026-01-10", []store.Finding{tls, other})
	ae.releaseNew = put("1.1.0", "2026-06-01", []store.Finding{other})
	return ae
}

func TestAdvisoryScenario(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		ae := newAdvEnv(t, st, Config{})
		createPath := "/api/v1/products/" + ae.p.ID + "/releases/1.0.0/advisories"

		// Isolation: the viewer and another product's officer cannot
		// generate; an unknown release is 404.
		expectStatus(t, ae.do("POST", createPath, map[string]any{}, withCookie(ae.viewer)), http.StatusForbidden)
		if w := ae.do("POST", createPath, map[string]any{}, withCookie(ae.otherOff)); w.Code != http.StatusForbidden && w.Code != http.StatusNotFound {
			t.Errorf("other product's officer: %d", w.Code)
		}
		expectStatus(t, ae.do("POST", "/api/v1/products/"+ae.p.ID+"/releases/9.9/advisories", map[string]any{}, withCookie(ae.officer)), http.StatusNotFound)
		expectStatus(t, ae.do("POST", createPath, map[string]any{"category": "csaf_base"}, withCookie(ae.officer)), http.StatusBadRequest)
		expectStatus(t, ae.do("POST", createPath, map[string]any{"tlp": "CLEAR"}, withCookie(ae.officer)), http.StatusBadRequest)
		expectStatus(t, ae.do("POST", createPath, map[string]any{"surprise": 1}, withCookie(ae.officer)), http.StatusBadRequest)

		w := ae.do("POST", createPath, map[string]any{"title": hostileTitle}, withCookie(ae.officer))
		expectStatus(t, w, http.StatusCreated)
		adv := decode[advisoryJSON](t, w)
		if adv.Status != "draft" || adv.Version != "0" || adv.PublicURL != "" || !strings.HasPrefix(adv.TrackingID, "CRAFT-ADV-2026-") {
			t.Fatalf("draft %+v", adv)
		}
		var doc csaf.Document
		if err := json.Unmarshal(adv.Document, &doc); err != nil {
			t.Fatal(err)
		}
		if err := csaf.CheckDocumentSchema(adv.Document); err != nil {
			t.Errorf("draft document: %v", err)
		}
		// The fixed release is found from the newer release's findings.
		var fixedIn bool
		for _, v := range doc.Vulnerabilities {
			if v.CVE == "CVE-2026-1111" {
				for _, r := range v.Remediations {
					fixedIn = fixedIn || (r.Category == csaf.RemediationVendorFix && strings.Contains(r.Details, "1.1.0"))
				}
				if len(v.ProductStatus.Fixed) != 1 {
					t.Errorf("fixed products %v", v.ProductStatus.Fixed)
				}
			}
		}
		if !fixedIn {
			t.Errorf("no vendor_fix naming 1.1.0 in %s", adv.Document)
		}

		// Drafts are never public.
		for _, path := range []string{"/.well-known/csaf/white/index.txt", "/.well-known/csaf/white/changes.csv", "/advisories/feed.atom", "/advisories"} {
			if w := ae.do("GET", path, nil); w.Code != http.StatusOK || strings.Contains(w.Body.String(), adv.TrackingID) ||
				strings.Contains(w.Body.String(), strings.ToLower(adv.TrackingID)) {
				t.Errorf("draft visible at %s (%d)", path, w.Code)
			}
		}
		name := strings.TrimSuffix(adv.Filename, ".json")
		expectStatus(t, ae.do("GET", "/advisories/"+name, nil), http.StatusNotFound)
		expectStatus(t, ae.do("GET", "/.well-known/csaf/white/2026/"+adv.Filename, nil), http.StatusNotFound)

		// Reading and editing are confined to the product's officers.
		expectStatus(t, ae.do("GET", "/api/v1/advisories/"+adv.ID, nil, withCookie(ae.otherOff)), http.StatusNotFound)
		expectStatus(t, ae.do("GET", "/api/v1/advisories/"+adv.ID, nil, withCookie(ae.viewer)), http.StatusNotFound)
		expectStatus(t, ae.do("GET", "/api/v1/advisories/"+adv.ID+"/versions/0", nil, withCookie(ae.otherOff)), http.StatusNotFound)
		expectStatus(t, ae.do("GET", "/api/v1/advisories/"+adv.ID+"/openvex", nil, withCookie(ae.otherOff)), http.StatusNotFound)
		expectStatus(t, ae.do("POST", "/api/v1/advisories/"+adv.ID+"/publish", nil, withCookie(ae.otherOff)), http.StatusNotFound)
		expectStatus(t, ae.do("PATCH", "/api/v1/advisories/"+adv.ID, map[string]any{"title": "x"}, withCookie(ae.otherOff)), http.StatusNotFound)
		if l := decode[Page[advisoryJSON]](t, ae.do("GET", "/api/v1/advisories", nil, withCookie(ae.otherOff))); len(l.Items) != 0 {
			t.Errorf("other officer lists %v", l.Items)
		}
		if l := decode[Page[advisoryJSON]](t, ae.do("GET", "/api/v1/advisories", nil, withCookie(ae.officer))); len(l.Items) != 1 {
			t.Errorf("officer lists %v", l.Items)
		}
		expectStatus(t, ae.do("PATCH", "/api/v1/advisories/"+adv.ID, map[string]any{"title": "bad\x00"}, withCookie(ae.officer)), http.StatusBadRequest)
		expectStatus(t, ae.do("PATCH", "/api/v1/advisories/"+adv.ID, map[string]any{"notes": []map[string]string{{"category": "x", "text": "t"}}}, withCookie(ae.officer)), http.StatusBadRequest)
		w = ae.do("PATCH", "/api/v1/advisories/"+adv.ID, map[string]any{"summary": "Update now. <img src=x onerror=alert(1)>",
			"notes": []map[string]string{{"category": "legal_disclaimer", "title": "Terms", "text": "Provided as is."}}}, withCookie(ae.officer))
		expectStatus(t, w, http.StatusOK)

		// Publish version 1.
		ae.clock.Advance(10 * time.Minute)
		w = ae.do("POST", "/api/v1/advisories/"+adv.ID+"/publish", nil, withCookie(ae.officer))
		expectStatus(t, w, http.StatusOK)
		pub := decode[advisoryJSON](t, w)
		if pub.Status != "final" || pub.Version != "1" || pub.PublicURL != "https://127.0.0.1:8443/.well-known/csaf/white/2026/"+adv.Filename {
			t.Fatalf("published %+v", pub)
		}

		// The provider.
		w = ae.do("GET", "/.well-known/csaf/provider-metadata.json", nil)
		expectStatus(t, w, http.StatusOK)
		if err := csaf.CheckProviderMetadataSchema(w.Body.Bytes()); err != nil {
			t.Errorf("provider-metadata.json: %v\n%s", err, w.Body.String())
		}
		if md := decode[providerMetadataJSON](t, w); md.Role != "csaf_provider" || len(md.PublicOpenPGPKeys) != 0 {
			t.Errorf("role %q without a signing key", md.Role)
		}
		w = ae.do("GET", "/.well-known/csaf/white/index.txt", nil)
		if w.Body.String() != "2026/"+adv.Filename+"\n" {
			t.Errorf("index.txt = %q", w.Body.String())
		}
		w = ae.do("GET", "/.well-known/csaf/white/changes.csv", nil)
		if !regexp.MustCompile(`^"2026/[a-z0-9-]+\.json","\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"\n$`).MatchString(w.Body.String()) {
			t.Errorf("changes.csv = %q", w.Body.String())
		}
		w = ae.do("GET", "/.well-known/csaf/white/2026/"+adv.Filename, nil)
		expectStatus(t, w, http.StatusOK)
		file := w.Body.Bytes()
		if err := csaf.CheckDocumentSchema(file); err != nil {
			t.Errorf("published document: %v", err)
		}
		if !bytes.Contains(file, []byte(`"title": "`+strings.ReplaceAll(hostileTitle, `"`, `\"`)+`"`)) {
			t.Errorf("title not kept as written in the JSON")
		}
		sum := sha512.Sum512(file)
		w = ae.do("GET", "/.well-known/csaf/white/2026/"+adv.Filename+".sha512", nil)
		if w.Body.String() != hex.EncodeToString(sum[:])+"  "+adv.Filename+"\n" {
			t.Errorf(".sha512 = %q", w.Body.String())
		}
		expectStatus(t, ae.do("GET", "/.well-known/csaf/white/2026/"+adv.Filename+".asc", nil), http.StatusNotFound)
		expectStatus(t, ae.do("GET", "/.well-known/csaf/white/2025/"+adv.Filename, nil), http.StatusNotFound)
		if w := ae.do("GET", "/.well-known/csaf/white/2026/", nil); !strings.Contains(w.Body.String(), `href="`+adv.Filename+`.sha512"`) {
			t.Errorf("year listing %q", w.Body.String())
		}
		if w := ae.do("GET", "/.well-known/csaf/white/", nil); !strings.Contains(w.Body.String(), `href="2026/"`) {
			t.Errorf("folder listing %q", w.Body.String())
		}

		// Pages and feed: markup is inert.
		for _, path := range []string{"/advisories", "/advisories/" + name} {
			w := ae.do("GET", path, nil)
			expectStatus(t, w, http.StatusOK)
			body := w.Body.String()
			if strings.Contains(body, "<script>alert") || strings.Contains(body, "<img src=x") || strings.Contains(body, "<b>Networks") {
				t.Errorf("%s renders markup from the advisory", path)
			}
			if !strings.Contains(body, "&lt;script&gt;alert(1)&lt;/script&gt;") {
				t.Errorf("%s lacks the escaped title", path)
			}
		}
		if body := ae.do("GET", "/advisories/"+name, nil).Body.String(); !strings.Contains(body, "Update router to version 1.1.0") {
			t.Errorf("advisory page lacks the remediation")
		}
		w = ae.do("GET", "/advisories/feed.atom", nil)
		if strings.Contains(w.Body.String(), "<script>") {
			t.Error("feed carries raw markup")
		}
		var feed atomFeed
		if err := xml.Unmarshal(w.Body.Bytes(), &feed); err != nil {
			t.Fatalf("feed does not parse: %v", err)
		}
		if len(feed.Entries) != 1 || !strings.Contains(feed.Entries[0].Title, hostileTitle) {
			t.Errorf("feed entries %+v", feed.Entries)
		}
		w = ae.do("GET", "/advisories/"+name+"/openvex.json", nil)
		expectStatus(t, w, http.StatusOK)
		if !strings.Contains(w.Body.String(), `"https://openvex.dev/ns/v0.2.0"`) {
			t.Errorf("openvex %s", w.Body.String())
		}

		// An edit drafts version 2; the public copy stays version 1 until
		// it is published.
		ae.clock.Advance(10 * time.Minute)
		w = ae.do("PATCH", "/api/v1/advisories/"+adv.ID, map[string]any{"title": "Router: two vulnerabilities"}, withCookie(ae.officer))
		expectStatus(t, w, http.StatusOK)
		if d := decode[advisoryJSON](t, w); d.Status != "draft" || d.Version != "2" {
			t.Errorf("edit after publication: %s %s", d.Status, d.Version)
		}
		if !bytes.Equal(ae.do("GET", "/.well-known/csaf/white/2026/"+adv.Filename, nil).Body.Bytes(), file) {
			t.Error("an edit changed the published document")
		}
		ae.clock.Advance(10 * time.Minute)
		w = ae.do("POST", "/api/v1/advisories/"+adv.ID+"/publish", map[string]string{"summary": "Clearer title."}, withCookie(ae.officer))
		expectStatus(t, w, http.StatusOK)
		w = ae.do("GET", "/api/v1/advisories/"+adv.ID, nil, withCookie(ae.officer))
		got := decode[advisoryJSON](t, w)
		if got.Version != "2" || len(got.Versions) != 2 || got.Versions[0].Version != "1" {
			t.Errorf("versions %+v", got.Versions)
		}
		if v1 := ae.do("GET", "/api/v1/advisories/"+adv.ID+"/versions/1", nil, withCookie(ae.officer)); !bytes.Equal(v1.Body.Bytes(), file) {
			t.Error("version 1 is not served byte for byte")
		}
		var doc2 csaf.Document
		if err := json.Unmarshal(ae.do("GET", "/.well-known/csaf/white/2026/"+adv.Filename, nil).Body.Bytes(), &doc2); err != nil {
			t.Fatal(err)
		}
		if tr := doc2.Document.Tracking; tr.Version != "2" || len(tr.RevisionHistory) != 2 || tr.RevisionHistory[1].Summary != "Clearer title." ||
			tr.InitialReleaseDate == tr.CurrentReleaseDate {
			t.Errorf("tracking %+v", tr)
		}
		if n := strings.Count(ae.do("GET", "/.well-known/csaf/white/changes.csv", nil).Body.String(), "\n"); n != 1 {
			t.Errorf("changes.csv has %d lines for one document", n)
		}
	})
}

// testSigningKey makes an Ed25519 OpenPGP key protected by passphrase and
// returns it armored.
func testSigningKey(t *testing.T, passphrase []byte) []byte {
	t.Helper()
	e, err := openpgp.NewEntity("craft test", "", "psirt@example.eu", &packet.Config{Algorithm: packet.PubKeyAlgoEdDSA})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.EncryptPrivateKeys(passphrase, nil); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	w, err := armor.Encode(&buf, openpgp.PrivateKeyType, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.SerializePrivateWithoutSigning(w, nil); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestAdvisorySigning(t *testing.T) {
	key := testSigningKey(t, []byte("correct horse"))
	if _, err := NewAdvisorySigner(key, nil); err == nil || !strings.Contains(err.Error(), "passphrase") {
		t.Errorf("no passphrase: %v", err)
	}
	if _, err := NewAdvisorySigner(key, []byte("wrong")); err == nil {
		t.Error("a wrong passphrase was accepted")
	}
	if _, err := NewAdvisorySigner([]byte("not a key"), nil); err == nil {
		t.Error("garbage accepted as a key")
	}
	signer, err := NewAdvisorySigner(key, []byte("correct horse"))
	if err != nil {
		t.Fatal(err)
	}
	ae := newAdvEnv(t, storetest.SQLite(t), Config{CSAFSigner: signer, CSAFPublisherName: "Example Networks PSIRT"})
	w := ae.do("POST", "/api/v1/products/"+ae.p.ID+"/releases/1.0.0/advisories", map[string]any{"category": "csaf_vex"}, withCookie(ae.officer))
	expectStatus(t, w, http.StatusCreated)
	adv := decode[advisoryJSON](t, w)
	expectStatus(t, ae.do("POST", "/api/v1/advisories/"+adv.ID+"/publish", nil, withCookie(ae.officer)), http.StatusOK)

	w = ae.do("GET", "/.well-known/csaf/provider-metadata.json", nil)
	if err := csaf.CheckProviderMetadataSchema(w.Body.Bytes()); err != nil {
		t.Errorf("provider-metadata.json: %v", err)
	}
	md := decode[providerMetadataJSON](t, w)
	if md.Role != "csaf_trusted_provider" || len(md.PublicOpenPGPKeys) != 1 || md.PublicOpenPGPKeys[0].Fingerprint != signer.Fingerprint() ||
		md.Publisher.Name != "Example Networks PSIRT" {
		t.Fatalf("metadata %+v", md)
	}
	keyPath := strings.TrimPrefix(md.PublicOpenPGPKeys[0].URL, "https://127.0.0.1:8443")
	w = ae.do("GET", keyPath, nil)
	expectStatus(t, w, http.StatusOK)
	ring, err := openpgp.ReadArmoredKeyRing(bytes.NewReader(w.Body.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if ring[0].PrivateKey != nil {
		t.Fatal("the published key holds the private key")
	}
	docPath := "/.well-known/csaf/white/2026/" + adv.Filename
	doc := ae.do("GET", docPath, nil).Body.Bytes()
	sig := ae.do("GET", docPath+".asc", nil)
	expectStatus(t, sig, http.StatusOK)
	if _, err := openpgp.CheckArmoredDetachedSignature(ring, bytes.NewReader(doc), bytes.NewReader(sig.Body.Bytes()), nil); err != nil {
		t.Errorf("signature does not verify: %v", err)
	}
	if again := ae.do("GET", docPath+".asc", nil).Body.Bytes(); !bytes.Equal(again, sig.Body.Bytes()) {
		t.Error("the signature changes between requests")
	}
	tampered := append(bytes.Clone(doc), ' ')
	if _, err := openpgp.CheckArmoredDetachedSignature(ring, bytes.NewReader(tampered), bytes.NewReader(sig.Body.Bytes()), nil); err == nil {
		t.Error("a changed document verifies")
	}
	if !strings.Contains(ae.do("GET", "/.well-known/csaf/white/2026/", nil).Body.String(), adv.Filename+".asc") {
		t.Error("the listing lacks the signature")
	}
}

// TestSecurityTxtCSAFDefault: with a base URL and no CSAF field,
// security.txt points to craft's own provider-metadata.json.
func TestSecurityTxtCSAFDefault(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t), Config{Limits: RateLimits{Disabled: true}})
	admin := e.session(e.user("admin@example.eu", auth.RoleAdministrator))
	expectStatus(t, e.do("PUT", "/api/v1/settings/security-txt", map[string]any{"contact": []string{"mailto:psirt@example.eu"},
		"base_url": "https://craft.example.eu"}, withCookie(admin)), http.StatusOK)
	body := e.do("GET", "/.well-known/security.txt", nil).Body.String()
	if !strings.Contains(body, "CSAF: https://craft.example.eu/.well-known/csaf/provider-metadata.json\n") {
		t.Errorf("security.txt:\n%s", body)
	}
	md := decode[providerMetadataJSON](t, e.do("GET", "/.well-known/csaf/provider-metadata.json", nil))
	if md.CanonicalURL != "https://craft.example.eu/.well-known/csaf/provider-metadata.json" || md.Publisher.Name != "craft.example.eu" {
		t.Errorf("metadata %+v", md)
	}
}

// TestAdvisoryPublishRefusesSchemaInvalid: an input that Generate accepts
// but the CSAF schema does not (a malformed CPE) is not published, and
// the working copy and the provider stay as they were.
func TestAdvisoryPublishRefusesSchemaInvalid(t *testing.T) {
	ae := newAdvEnv(t, storetest.SQLite(t), Config{})
	w := ae.do("POST", "/api/v1/products/"+ae.p.ID+"/releases/1.0.0/advisories", nil, withCookie(ae.officer))
	expectStatus(t, w, http.StatusCreated)
	adv := decode[advisoryJSON](t, w)
	ctx := context.Background()
	a, err := ae.st.GetAdvisory(ctx, adv.ID)
	if err != nil {
		t.Fatal(err)
	}
	var in csaf.AdvisoryInput
	if err := json.Unmarshal(a.Input, &in); err != nil {
		t.Fatal(err)
	}
	in.Products[0].Releases[0].CPE = "not a cpe"
	if a.Input, err = json.Marshal(in); err != nil {
		t.Fatal(err)
	}
	if _, err := ae.st.UpdateAdvisory(ctx, a); err != nil {
		t.Fatal(err)
	}
	w = ae.do("POST", "/api/v1/advisories/"+adv.ID+"/publish", nil, withCookie(ae.officer))
	expectStatus(t, w, http.StatusUnprocessableEntity)
	if !strings.Contains(w.Body.String(), "not valid CSAF 2.0") || !strings.Contains(w.Body.String(), "cpe") {
		t.Errorf("problem %s", w.Body.String())
	}
	if got, _ := ae.st.GetAdvisory(ctx, adv.ID); got.Status != "draft" || !got.PublishedAt.IsZero() {
		t.Errorf("refused publication changed the advisory: %+v", got)
	}
	if body := ae.do("GET", "/.well-known/csaf/white/index.txt", nil).Body.String(); body != "" {
		t.Errorf("index.txt %q", body)
	}
}

// TestAdvisoryNonWhiteNeverPublic: a published TLP:AMBER advisory stays
// off every public route.
func TestAdvisoryNonWhiteNeverPublic(t *testing.T) {
	ae := newAdvEnv(t, storetest.SQLite(t), Config{})
	w := ae.do("POST", "/api/v1/products/"+ae.p.ID+"/releases/1.0.0/advisories", map[string]any{"tlp": "AMBER"}, withCookie(ae.officer))
	expectStatus(t, w, http.StatusCreated)
	adv := decode[advisoryJSON](t, w)
	w = ae.do("POST", "/api/v1/advisories/"+adv.ID+"/publish", nil, withCookie(ae.officer))
	expectStatus(t, w, http.StatusOK)
	if pub := decode[advisoryJSON](t, w); pub.Status != "final" || pub.PublicURL != "" {
		t.Fatalf("published %+v", pub)
	}
	name := strings.TrimSuffix(adv.Filename, ".json")
	for _, path := range []string{"/.well-known/csaf/white/2026/" + adv.Filename, "/.well-known/csaf/white/2026/" + adv.Filename + ".sha512",
		"/advisories/" + name, "/advisories/" + name + "/openvex.json"} {
		expectStatus(t, ae.do("GET", path, nil), http.StatusNotFound)
	}
	for _, path := range []string{"/.well-known/csaf/white/index.txt", "/.well-known/csaf/white/changes.csv", "/advisories/feed.atom", "/advisories"} {
		if body := ae.do("GET", path, nil).Body.String(); strings.Contains(body, name) {
			t.Errorf("%s lists the AMBER advisory", path)
		}
	}
}

package server

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/craft-cra/craft/internal/auth"
	"github.com/craft-cra/craft/internal/store"
)

// Audit actions and notification kinds of disclosure intake. Their
// details name the reference and the product, never report contents.
const (
	ActReportCreate  = "report.create"
	ActReportMessage = "report.message"
	ActReportReply   = "report.reply"

	NotifyReportNew     = "report.new"
	NotifyReportMessage = "report.message"
)

// settingFormKey holds the HMAC key of the report form's timestamp tokens
// (hex), created on first use.
const settingFormKey = "disclosure_form_key"

// Spam resistance without third parties or tracking: a form token proves
// the form was fetched at least reportMinFill ago (and at most
// reportMaxFill), and the honeypot field must stay empty.
const (
	reportMinFill = 3 * time.Second
	reportMaxFill = 24 * time.Hour
	honeypotField = "website"
)

// Field limits (bytes).
const (
	maxReportDescription = 48 << 10
	maxReportMessage     = 32 << 10
	maxReportShort       = 200
	maxReportContact     = 500
)

// disclosure is the handlers of disclosure intake with their templates.
type disclosure struct {
	s  *Server
	ui *webUI
}

// reportInput is a report as the reporter sent it (form or JSON).
type reportInput struct {
	ProductID   string `json:"product_id,omitempty"`
	Product     string `json:"product,omitempty"`
	Version     string `json:"version,omitempty"`
	Title       string `json:"title,omitempty"`
	Description string `json:"description"`
	Contact     string `json:"contact,omitempty"`
	FormToken   string `json:"form_token"`
	Website     string `json:"website,omitempty"` // the honeypot
}

// errSpam is the answer to a honeypot or a form token that fails; it says
// nothing about which check failed beyond "too fast".
func errSpam() *Error {
	return &Error{Status: http.StatusBadRequest, Type: "report-refused",
		Detail: "the report could not be accepted; reload the form and send it again"}
}

func errTooFast() *Error {
	return &Error{Status: http.StatusBadRequest, Type: "report-too-fast",
		Detail: "the form was sent too quickly; wait a few seconds and send it again"}
}

// formKey returns the form-token key, creating it on first use.
func (s *Server) formKey(ctx context.Context) ([]byte, error) {
	v, err := s.store.GetSetting(ctx, settingFormKey)
	if errors.Is(err, store.ErrNotFound) {
		var k [32]byte
		if _, err := rand.Read(k[:]); err != nil {
			return nil, err
		}
		v = hex.EncodeToString(k[:])
		if err := s.store.SetSetting(ctx, settingFormKey, v); err != nil {
			return nil, err
		}
	} else if err != nil {
		return nil, err
	}
	return hex.DecodeString(v)
}

// newFormToken is "<unix seconds>.<HMAC>": when the form was handed out,
// signed so that it cannot be back-dated.
func (s *Server) newFormToken(ctx context.Context) (string, error) {
	key, err := s.formKey(ctx)
	if err != nil {
		return "", err
	}
	ts := strconv.FormatInt(s.now().Unix(), 10)
	return ts + "." + formMAC(key, ts), nil
}

func formMAC(key []byte, ts string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("craft-report-form\x00" + ts))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// checkFormToken accepts a token at least reportMinFill and at most
// reportMaxFill old.
func (s *Server) checkFormToken(ctx context.Context, tok string) error {
	ts, mac, ok := strings.Cut(tok, ".")
	if !ok || len(tok) > 100 {
		return errSpam()
	}
	key, err := s.formKey(ctx)
	if err != nil {
		return err
	}
	if !hmac.Equal([]byte(mac), []byte(formMAC(key, ts))) {
		return errSpam()
	}
	n, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return errSpam()
	}
	age := s.now().Sub(time.Unix(n, 0))
	switch {
	case age < reportMinFill:
		return errTooFast()
	case age > reportMaxFill:
		return errSpam()
	}
	return nil
}

// cleanText trims v and refuses invalid UTF-8, NUL and values over max
// bytes; the error names the field, never its value.
func cleanText(field, v string, max int, required bool) (string, error) {
	v = strings.TrimSpace(v)
	switch {
	case !utf8.ValidString(v) || strings.ContainsRune(v, 0):
		return "", badRequest("%s is not valid text", field)
	case len(v) > max:
		return "", badRequest("%s is longer than %d bytes", field, max)
	case required && v == "":
		return "", badRequest("%s is required", field)
	}
	return v, nil
}

// submitReport checks and stores a report: spam checks first, then the
// fields, then the product. It returns the report and the status token
// (shown once, only its hash is stored).
func (s *Server) submitReport(r *http.Request, in reportInput) (store.Report, string, error) {
	ctx := r.Context()
	if in.Website != "" {
		return store.Report{}, "", errSpam()
	}
	if err := s.checkFormToken(ctx, in.FormToken); err != nil {
		return store.Report{}, "", err
	}
	var rep store.Report
	var err error
	fields := []struct {
		name     string
		in       string
		out      *string
		max      int
		required bool
	}{
		{"description", in.Description, &rep.Description, maxReportDescription, true},
		{"title", in.Title, &rep.Title, maxReportShort, false},
		{"version", in.Version, &rep.Version, maxReportShort, false},
		{"product", in.Product, &rep.ProductName, maxReportShort, false},
		{"product_id", in.ProductID, &rep.ProductID, maxReportShort, false},
		{"contact", in.Contact, &rep.Contact, maxReportContact, false},
	}
	for _, f := range fields {
		if *f.out, err = cleanText(f.name, f.in, f.max, f.required); err != nil {
			return store.Report{}, "", err
		}
	}
	if err := s.resolveReportProduct(ctx, &rep); err != nil {
		return store.Report{}, "", err
	}
	token, hash, err := newStatusToken()
	if err != nil {
		return store.Report{}, "", err
	}
	err = s.store.InTx(ctx, func(tx *store.Store) error {
		var err error
		if rep, err = tx.CreateReport(ctx, rep, hash); err != nil {
			return err
		}
		subject := fmt.Sprintf("new report %s on product %s", rep.Reference, productLabel(rep))
		if _, err := tx.AddNotification(ctx, store.Notification{Kind: NotifyReportNew, ProductID: rep.ProductID,
			Subject: subject, Reference: rep.Reference}); err != nil {
			return err
		}
		_, err = tx.AppendAudit(ctx, store.Event{At: s.now(), Actor: "anonymous", Action: ActReportCreate,
			Target: "report:" + rep.Reference, SourceIP: ClientIP(r),
			Detail: map[string]string{"product": rep.ProductID, "request_id": RequestID(ctx)}})
		return err
	})
	if err != nil {
		return store.Report{}, "", err
	}
	s.m.audit.Inc()
	return rep, token, nil
}

// productLabel names a report's product for a notification: the known
// product's ID, or "unknown" — never the reporter's free text.
func productLabel(rep store.Report) string {
	if rep.ProductID != "" {
		return rep.ProductID
	}
	return "(unknown)"
}

// resolveReportProduct links the report to a product: the product_id sent,
// or a product whose name matches the free text exactly (case-blind). An
// unknown product_id is refused; unknown free text is kept as it is.
func (s *Server) resolveReportProduct(ctx context.Context, rep *store.Report) error {
	products, err := s.store.ListProducts(ctx)
	if err != nil {
		return err
	}
	if rep.ProductID != "" {
		for _, p := range products {
			if p.ID == rep.ProductID {
				rep.ProductName = p.Name
				return nil
			}
		}
		return badRequest("product_id names no product; send the product's name as product instead")
	}
	for _, p := range products {
		if rep.ProductName != "" && strings.EqualFold(p.Name, rep.ProductName) {
			rep.ProductID, rep.ProductName = p.ID, p.Name
			return nil
		}
	}
	return nil
}

// newStatusToken is 32 random bytes, base64url, and its SHA-256 (hex),
// which is all the database keeps.
func newStatusToken() (token, hash string, err error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", "", err
	}
	token = base64.RawURLEncoding.EncodeToString(b[:])
	return token, hashStatusToken(token), nil
}

func hashStatusToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// reportByToken finds the report of a status token. The lookup is by the
// token's hash: the caller cannot choose the hash's bytes, so the
// timing of the index lookup says nothing about stored tokens (the
// constant-time property a byte-wise token comparison would need).
// Anything wrong is 404.
func (s *Server) reportByToken(ctx context.Context, token string) (store.Report, error) {
	if len(token) != 43 {
		return store.Report{}, notFound()
	}
	h := hashStatusToken(token)
	rep, err := s.store.GetReportByTokenHash(ctx, h)
	if errors.Is(err, store.ErrNotFound) {
		return store.Report{}, notFound()
	}
	if err != nil {
		return store.Report{}, err
	}
	return rep, nil
}

// addReporterMessage stores a message from the reporter and audits it
// (reference only).
func (s *Server) addReporterMessage(r *http.Request, rep store.Report, body string) error {
	body, err := cleanText("message", body, maxReportMessage, true)
	if err != nil {
		return err
	}
	ctx := r.Context()
	defer s.m.audit.Inc()
	return s.store.InTx(ctx, func(tx *store.Store) error {
		if _, err := tx.AddReportMessage(ctx, rep.ID, store.ReportAuthorReporter, body); err != nil {
			return err
		}
		if _, err := tx.AddNotification(ctx, store.Notification{Kind: NotifyReportMessage, ProductID: rep.ProductID,
			Subject: fmt.Sprintf("new message from the reporter of %s", rep.Reference), Reference: rep.Reference}); err != nil {
			return err
		}
		_, err := tx.AppendAudit(ctx, store.Event{At: s.now(), Actor: "anonymous", Action: ActReportMessage,
			Target: "report:" + rep.Reference, SourceIP: ClientIP(r), Detail: map[string]string{"request_id": RequestID(ctx)}})
		return err
	})
}

// reportAllowed says whether the caller may see (perm case:read) or answer
// (case:manage) a report: Authorize on its product; a report without a
// known product is for administrators with every product.
func reportAllowed(p auth.Principal, perm auth.Permission, rep store.Report) bool {
	if rep.ProductID != "" {
		return auth.Authorize(p, perm, rep.ProductID) == nil
	}
	all, _ := p.ProductFilter()
	return all && p.Role == auth.RoleAdministrator
}

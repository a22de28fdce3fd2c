package server

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/craft-cra/craft/internal/store"
)

// page turns a report page handler into a route handler that answers 500
// when the templates could not be loaded.
func (d *disclosure) page(f HandlerFunc) HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		if d.ui == nil {
			return &Error{Status: http.StatusInternalServerError, Err: fmt.Errorf("report pages disabled: templates failed to load")}
		}
		return f(w, r)
	}
}

type reportFormData struct {
	FormToken string
	Products  []store.Product
	Input     reportInput
}

// reportForm renders the form with a fresh token, keeping what was typed.
func (d *disclosure) reportForm(w http.ResponseWriter, r *http.Request, status int, in reportInput, msg string) error {
	tok, err := d.s.newFormToken(r.Context())
	if err != nil {
		return err
	}
	products, err := d.s.store.ListProducts(r.Context())
	if err != nil {
		return err
	}
	in.FormToken, in.Website = "", ""
	return d.s.render(w, r, d.ui, status, "report", page{Title: "Report a vulnerability", Narrow: true, Error: msg,
		Data: reportFormData{FormToken: tok, Products: products, Input: in}})
}

// reportPage is GET /report.
func (d *disclosure) reportPage(w http.ResponseWriter, r *http.Request) error {
	return d.reportForm(w, r, http.StatusOK, reportInput{}, "")
}

// reportSubmit is POST /report. A refused report shows the form again with
// what was typed and the reason.
func (d *disclosure) reportSubmit(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	in := reportInput{
		ProductID: r.PostFormValue("product_id"), Product: r.PostFormValue("product"),
		Version: r.PostFormValue("version"), Title: r.PostFormValue("title"),
		Description: r.PostFormValue("description"), Contact: r.PostFormValue("contact"),
		FormToken: r.PostFormValue("form_token"), Website: r.PostFormValue(honeypotField),
	}
	rep, token, err := d.s.submitReport(r, in)
	if err != nil {
		var e *Error
		if errors.As(err, &e) && e.Status == http.StatusBadRequest {
			return d.reportForm(w, r, http.StatusBadRequest, in, e.Detail)
		}
		return err
	}
	return d.s.render(w, r, d.ui, http.StatusCreated, "report_done", page{Title: "Report received", Narrow: true,
		Data: map[string]string{"Reference": rep.Reference, "StatusURL": "/report/status/" + token}})
}

type reportStatusData struct {
	Report      store.Report
	State       string // in words
	AdvisoryURL string
	Messages    []store.ReportMessage
	Action      string
}

// statusPage is GET /report/status/{token}.
func (d *disclosure) statusPage(w http.ResponseWriter, r *http.Request) error {
	return d.renderStatus(w, r, http.StatusOK, "", "")
}

func (d *disclosure) renderStatus(w http.ResponseWriter, r *http.Request, status int, notice, msg string) error {
	token := r.PathValue("token")
	rep, err := d.s.reportByToken(r.Context(), token)
	if err != nil {
		return err
	}
	msgs, err := d.s.store.ListReportMessages(r.Context(), rep.ID)
	if err != nil {
		return err
	}
	adv, err := d.s.reportAdvisoryURL(r.Context(), rep)
	if err != nil {
		return err
	}
	return d.s.render(w, r, d.ui, status, "report_status", page{Title: "Report " + rep.Reference, Notice: notice, Error: msg,
		Data: reportStatusData{Report: rep, State: reporterStateLabel(rep.State), AdvisoryURL: adv, Messages: msgs,
			Action: "/report/status/" + token}})
}

// statusMessage is POST /report/status/{token}: the reporter's message.
func (d *disclosure) statusMessage(w http.ResponseWriter, r *http.Request) error {
	rep, err := d.s.reportByToken(r.Context(), r.PathValue("token"))
	if err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	if err := d.s.addReporterMessage(r, rep, r.PostFormValue("body")); err != nil {
		var e *Error
		if errors.As(err, &e) && e.Status == http.StatusBadRequest {
			return d.renderStatus(w, r, http.StatusBadRequest, "", e.Detail)
		}
		return err
	}
	return d.renderStatus(w, r, http.StatusOK, "Your message was sent.", "")
}

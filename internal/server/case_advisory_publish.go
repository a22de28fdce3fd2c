package server

import (
	"net/http"
	"strings"
	"time"

	"github.com/craft-cra/craft/internal/cases"
	"github.com/craft-cra/craft/internal/csaf"
	"github.com/craft-cra/craft/internal/store"
)

// What publishing an advisory does beyond the provider: it waits for the
// embargo of the case it was made from, records itself in the case's
// history (disclosing a fixed case), and queues the notification that
// tells the product's users (CRA Art. 14(8), Annex I Part II (8)).

// Audit action and notification kind of publication.
const (
	// ActAdvisoryEmbargoOverride is an officer publishing before the
	// case's embargo ended.
	ActAdvisoryEmbargoOverride = "advisory.embargo_override"
	// NotifyAdvisoryPublished is the kind of the notification queued for
	// each published TLP:WHITE version.
	NotifyAdvisoryPublished = "advisory.published"
)

// advisoryCaseLink is the case an advisory was made from, as publishing
// needs it; zero when none.
type advisoryCaseLink struct {
	Case store.Case
	// Overridden says the officer published during the embargo.
	Overridden bool
}

// caseOfAdvisory loads the case adv was made from and refuses (409) to go
// on while its embargo runs, unless override is set.
func (a *advisoryFeature) caseOfAdvisory(r *http.Request, adv store.Advisory, override bool) (advisoryCaseLink, error) {
	ref, err := a.s.store.AdvisoryCase(r.Context(), adv.ID)
	if err != nil || ref == "" {
		return advisoryCaseLink{}, err
	}
	cs, err := a.s.store.GetCase(r.Context(), ref)
	if err != nil {
		return advisoryCaseLink{}, err
	}
	link := advisoryCaseLink{Case: cs}
	if cs.EmbargoUntil.After(a.s.now()) {
		if !override {
			return advisoryCaseLink{}, &Error{Status: http.StatusConflict, Type: "embargo",
				Detail: "case " + cs.Reference + " is under embargo until " + cs.EmbargoUntil.UTC().Format(time.RFC3339) +
					"; publish after it ends, or override the embargo (override_embargo: true in the API, the override box on the advisory page)"}
		}
		link.Overridden = true
	}
	return link, nil
}

// recordPublication runs in the publishing transaction: it audits an
// embargo override, adds "advisory published <tracking id> version N"
// to the case's history and moves a fixed case to disclosed (publishing
// the advisory is the disclosure), and queues the users' notification.
func (a *advisoryFeature) recordPublication(r *http.Request, tx *store.Store, adv store.Advisory, link advisoryCaseLink, base string) error {
	ctx := r.Context()
	if link.Case.ID != "" {
		if err := a.recordOnCase(r, tx, adv, link); err != nil {
			return err
		}
	}
	if adv.TLP != csaf.TLPWhite {
		return nil // the channels reach people outside a TLP:GREEN+ audience
	}
	prod, err := tx.GetProduct(ctx, adv.ProductID)
	if err != nil {
		return err
	}
	_, err = tx.AddNotification(ctx, advisoryNotification(adv, prod.Name, base))
	return err
}

// recordOnCase audits an embargo override and records the publication
// in the case's history, disclosing a fixed case.
func (a *advisoryFeature) recordOnCase(r *http.Request, tx *store.Store, adv store.Advisory, link advisoryCaseLink) error {
	ctx := r.Context()
	// Read again inside the transaction: the case may have changed
	// since the embargo check.
	cs, err := tx.GetCase(ctx, link.Case.Reference)
	if err != nil {
		return err
	}
	if link.Overridden {
		if _, err := tx.AppendAudit(ctx, store.Event{At: a.s.now(), Actor: actorOf(r), Action: ActAdvisoryEmbargoOverride,
			Target: "advisory:" + adv.ID, SourceIP: ClientIP(r), Detail: map[string]string{"case": cs.Reference,
				"embargo_until": cs.EmbargoUntil.UTC().Format(time.RFC3339), "request_id": RequestID(ctx)}}); err != nil {
			return err
		}
	}
	summary := "advisory published " + adv.TrackingID + " version " + adv.Version
	if cases.State(cs.State) == cases.StateFixed {
		cs.State = string(cases.StateDisclosed)
		summary += "; state fixed → disclosed"
		if _, err := updateCaseAndReport(ctx, tx, cs, store.CaseEvent{Actor: actorOf(r), Kind: "advisory", Summary: summary}); err != nil {
			return err
		}
		if _, err := tx.AppendAudit(ctx, store.Event{At: a.s.now(), Actor: actorOf(r), Action: ActCaseTransition,
			Target: "case:" + cs.Reference, SourceIP: ClientIP(r), Detail: map[string]string{"product": cs.ProductID,
				"from": string(cases.StateFixed), "to": cs.State, "advisory": adv.TrackingID, "request_id": RequestID(ctx)}}); err != nil {
			return err
		}
	} else if err := tx.AddCaseEvent(ctx, cs.ID, store.CaseEvent{Actor: actorOf(r), Kind: "advisory", Summary: summary}); err != nil {
		return err
	}
	return nil
}

// advisoryNotification is the notification of a published TLP:WHITE
// version: the tracking ID and the product, with the public page as
// reference; nothing from the case.
func advisoryNotification(adv store.Advisory, product, base string) store.Notification {
	return store.Notification{Kind: NotifyAdvisoryPublished, ProductID: adv.ProductID,
		Subject:   "security advisory " + adv.TrackingID + " published for product " + product,
		Reference: base + "/advisories/" + strings.TrimSuffix(adv.Filename, ".json")}
}

package server

import (
	"encoding/json"
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
					"; publish after it ends, or send {\"override_embargo\": true} to publish now"}
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
			if _, err := tx.UpdateCase(ctx, cs, store.CaseEvent{Actor: actorOf(r), Kind: "advisory", Summary: summary}); err != nil {
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
	}
	if n, ok := advisoryNotification(adv, base); ok {
		if _, err := tx.AddNotification(ctx, n); err != nil {
			return err
		}
	}
	return nil
}

// advisoryNotification is the notification of a published version: only
// TLP:WHITE advisories (the channels reach people outside the need to
// know), naming the tracking ID, version and product, with the public
// page as reference. ok is false when nothing is to be sent.
func advisoryNotification(adv store.Advisory, base string) (store.Notification, bool) {
	if adv.TLP != csaf.TLPWhite {
		return store.Notification{}, false
	}
	var in struct {
		Products []csaf.ProductInput `json:"products"`
	}
	product := adv.ProductID
	if err := json.Unmarshal(adv.Input, &in); err == nil && len(in.Products) > 0 {
		product = in.Products[0].Name
	}
	subject := "security advisory " + adv.TrackingID + " published for product " + product
	return store.Notification{Kind: NotifyAdvisoryPublished, ProductID: adv.ProductID, Subject: subject,
		Reference: base + "/advisories/" + strings.TrimSuffix(adv.Filename, ".json")}, true
}

package notify

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// Item is one notification as mails and webhooks show it: the fixed
// subject sentence, never report contents.
type Item struct {
	ID        string
	Kind      string
	ProductID string
	Subject   string
	Reference string
	CreatedAt time.Time
	// Link is the page in craft where the recipient, signed in, sees more.
	Link string
}

// Payload is the JSON body of a webhook delivery.
type Payload struct {
	ID        string    `json:"id"`
	Kind      string    `json:"kind"`
	Product   string    `json:"product,omitempty"`
	Subject   string    `json:"subject"`
	Reference string    `json:"reference,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	Link      string    `json:"link,omitempty"`
}

// PayloadOf is the webhook body of it.
func PayloadOf(it Item) Payload {
	return Payload{ID: it.ID, Kind: it.Kind, Product: it.ProductID, Subject: it.Subject, Reference: it.Reference,
		CreatedAt: it.CreatedAt.UTC(), Link: it.Link}
}

// maxSubjectLen keeps mail subjects to one readable line.
const maxSubjectLen = 180

// ImmediateMail is the e-mail for one notification: its subject and the
// link, nothing confidential.
func ImmediateMail(to string, it Item) Mail {
	subj := "[craft] " + it.Subject
	if len(subj) > maxSubjectLen {
		subj = subj[:maxSubjectLen-1] + "…"
	}
	var b strings.Builder
	b.WriteString(it.Subject)
	b.WriteString("\n\n")
	if it.Link != "" {
		fmt.Fprintf(&b, "Sign in to craft to see the details:\n%s\n\n", it.Link)
	}
	b.WriteString(footer)
	return Mail{To: to, Subject: strings.ToValidUTF8(subj, ""), Body: b.String()}
}

// DigestMail is the daily digest for day (UTC): one line per notification,
// oldest first, then the link to the notifications page.
func DigestMail(to string, day time.Time, items []Item, link string) Mail {
	its := append([]Item(nil), items...)
	sort.SliceStable(its, func(i, j int) bool { return its[i].CreatedAt.Before(its[j].CreatedAt) })
	var b strings.Builder
	fmt.Fprintf(&b, "%d notification(s) in craft during the 24 hours before %s UTC:\n\n", len(its),
		day.UTC().Format("2006-01-02 15:04"))
	for _, it := range its {
		fmt.Fprintf(&b, "- %s  %s\n", it.CreatedAt.UTC().Format("2006-01-02 15:04"), it.Subject)
	}
	if link != "" {
		fmt.Fprintf(&b, "\nSign in to craft to see the details:\n%s\n", link)
	}
	b.WriteString("\n")
	b.WriteString(footer)
	return Mail{To: to, Subject: fmt.Sprintf("[craft] daily digest: %d notification(s)", len(its)), Body: b.String()}
}

const footer = "You receive this because of your notification preferences in craft (Account → Notifications).\n"

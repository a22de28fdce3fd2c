// Package notify delivers craft serve's notifications to the outside
// world: signed webhooks (Standard Webhooks scheme), the retry schedule
// with back-off and jitter, a webhook HTTP client that refuses private and
// metadata addresses at dial time, an SMTP sender on net/smtp, and the
// composition of immediate and daily-digest e-mails.
//
// The package holds no state: the server keeps deliveries, attempts and
// preferences in the store, so a restart loses nothing.
package notify

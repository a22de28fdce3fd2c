package notify

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"mime"
	"net"
	"net/mail"
	"net/smtp"
	"strconv"
	"strings"
	"time"
)

// SMTPConfig is where e-mail goes. Password is the plain password, held in
// memory only while sending; the server stores it sealed.
type SMTPConfig struct {
	Host     string
	Port     int
	Username string
	Password string
	// From is the sender address, e.g. "craft <craft@example.eu>".
	From string
	// DisableStartTLS sends without STARTTLS (a lab relay only): by
	// default a server that does not offer STARTTLS is refused.
	DisableStartTLS bool
	// RootCAs, when set, replaces the system roots for STARTTLS (tests).
	RootCAs *x509.CertPool
	// Timeout bounds the whole conversation; 0 means 30 s.
	Timeout time.Duration
}

// ErrNoStartTLS means the SMTP server did not offer STARTTLS and the
// configuration requires it.
var ErrNoStartTLS = errors.New("smtp: the server does not offer STARTTLS, which is required (disable it only for a lab relay)")

// Validate checks the settings and names the bad one.
func (c SMTPConfig) Validate() error {
	if c.Host == "" || strings.ContainsFunc(c.Host, func(r rune) bool { return r <= 0x20 || r == 0x7f || r == '/' }) {
		return errors.New("host: want a host name or address without spaces")
	}
	if c.Port < 1 || c.Port > 65535 {
		return fmt.Errorf("port: want 1 to 65535, got %d", c.Port)
	}
	if _, err := mail.ParseAddress(c.From); err != nil || hasNewline(c.From) {
		return fmt.Errorf("from: not an e-mail address: %q", c.From)
	}
	if hasNewline(c.Username) || hasNewline(c.Password) {
		return errors.New("username, password: must not contain line breaks")
	}
	return nil
}

func hasNewline(s string) bool { return strings.ContainsAny(s, "\r\n\x00") }

// Mail is one message: plain text, one recipient.
type Mail struct {
	To      string
	Subject string
	Body    string
	// Date and MessageID are stamped by Send when empty.
	Date time.Time
}

// Send delivers m through the configured server: STARTTLS (required unless
// DisableStartTLS), AUTH PLAIN when a username is set (net/smtp sends it
// only over TLS or to localhost), then the message.
func Send(ctx context.Context, c SMTPConfig, m Mail) error {
	if err := c.Validate(); err != nil {
		return fmt.Errorf("smtp settings: %w", err)
	}
	to, err := mail.ParseAddress(m.To)
	if err != nil || hasNewline(m.To) {
		return fmt.Errorf("smtp: recipient %q is not an e-mail address", m.To)
	}
	from, _ := mail.ParseAddress(c.From)
	msg, err := compose(from, to, m)
	if err != nil {
		return err
	}
	timeout := c.Timeout
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	addr := net.JoinHostPort(c.Host, strconv.Itoa(c.Port))
	d := net.Dialer{Timeout: timeout}
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return fmt.Errorf("smtp: connect %s: %w", addr, err)
	}
	defer conn.Close()
	deadline := time.Now().Add(timeout)
	if dl, ok := ctx.Deadline(); ok && dl.Before(deadline) {
		deadline = dl
	}
	if err := conn.SetDeadline(deadline); err != nil {
		return fmt.Errorf("smtp: %w", err)
	}
	cl, err := smtp.NewClient(conn, c.Host)
	if err != nil {
		return fmt.Errorf("smtp: greeting from %s: %w", addr, err)
	}
	defer cl.Close()
	if err := cl.Hello("localhost"); err != nil {
		return fmt.Errorf("smtp: EHLO: %w", err)
	}
	if !c.DisableStartTLS {
		if ok, _ := cl.Extension("STARTTLS"); !ok {
			return ErrNoStartTLS
		}
		if err := cl.StartTLS(&tls.Config{ServerName: c.Host, RootCAs: c.RootCAs, MinVersion: tls.VersionTLS12}); err != nil {
			return fmt.Errorf("smtp: STARTTLS: %w", err)
		}
	}
	if c.Username != "" {
		if err := cl.Auth(smtp.PlainAuth("", c.Username, c.Password, c.Host)); err != nil {
			return fmt.Errorf("smtp: AUTH: %w", err)
		}
	}
	if err := cl.Mail(from.Address); err != nil {
		return fmt.Errorf("smtp: MAIL FROM: %w", err)
	}
	if err := cl.Rcpt(to.Address); err != nil {
		return fmt.Errorf("smtp: RCPT TO: %w", err)
	}
	w, err := cl.Data()
	if err != nil {
		return fmt.Errorf("smtp: DATA: %w", err)
	}
	if _, err := w.Write(msg); err != nil {
		return fmt.Errorf("smtp: DATA: %w", err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("smtp: DATA: %w", err)
	}
	if err := cl.Quit(); err != nil {
		return fmt.Errorf("smtp: QUIT: %w", err)
	}
	return nil
}

// compose writes the message with CRLF line ends. Header values never
// carry line breaks (a subject with one could add headers).
func compose(from, to *mail.Address, m Mail) ([]byte, error) {
	if hasNewline(m.Subject) {
		return nil, errors.New("smtp: subject contains a line break")
	}
	date := m.Date
	if date.IsZero() {
		date = time.Now()
	}
	var b strings.Builder
	fmt.Fprintf(&b, "From: %s\r\n", from.String())
	fmt.Fprintf(&b, "To: %s\r\n", to.String())
	fmt.Fprintf(&b, "Subject: %s\r\n", encodeHeader(m.Subject))
	fmt.Fprintf(&b, "Date: %s\r\n", date.UTC().Format(time.RFC1123Z))
	b.WriteString("MIME-Version: 1.0\r\n")
	b.WriteString("Content-Type: text/plain; charset=utf-8\r\n")
	b.WriteString("Content-Transfer-Encoding: 8bit\r\n")
	b.WriteString("Auto-Submitted: auto-generated\r\n\r\n")
	// net/smtp's DATA writer does the dot-stuffing.
	for _, line := range strings.Split(strings.ReplaceAll(m.Body, "\r\n", "\n"), "\n") {
		b.WriteString(line)
		b.WriteString("\r\n")
	}
	return []byte(b.String()), nil
}

// encodeHeader Q-encodes a subject that is not plain ASCII (RFC 2047).
func encodeHeader(s string) string { return mime.QEncoding.Encode("utf-8", s) }

package notify

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
)

// fakeSMTP is a tiny SMTP server for one conversation: it offers STARTTLS
// when cert is set, accepts any AUTH, and hands the DATA it got to mails.
type fakeSMTP struct {
	addr     string
	mails    chan string
	commands chan string
}

func startFakeSMTP(t *testing.T, cert *tls.Certificate) *fakeSMTP {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	f := &fakeSMTP{addr: ln.Addr().String(), mails: make(chan string, 1), commands: make(chan string, 64)}
	go func() {
		conn, err := ln.Accept()
		if err != nil {
			return
		}
		defer conn.Close()
		var c net.Conn = conn
		r := bufio.NewReader(c)
		say := func(s string) { c.Write([]byte(s + "\r\n")) }
		say("220 fake ESMTP")
		tlsOn := false
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				return
			}
			line = strings.TrimRight(line, "\r\n")
			verb := strings.ToUpper(strings.SplitN(line, " ", 2)[0])
			f.commands <- verb
			switch verb {
			case "EHLO":
				if cert != nil && !tlsOn {
					say("250-fake")
					say("250-STARTTLS")
				} else {
					say("250-fake")
				}
				say("250 AUTH PLAIN")
			case "STARTTLS":
				say("220 go ahead")
				tc := tls.Server(conn, &tls.Config{Certificates: []tls.Certificate{*cert}})
				if err := tc.Handshake(); err != nil {
					return
				}
				c, r, tlsOn = tc, bufio.NewReader(tc), true
			case "AUTH":
				say("235 ok")
			case "MAIL", "RCPT":
				say("250 ok")
			case "DATA":
				say("354 go")
				var b strings.Builder
				for {
					l, err := r.ReadString('\n')
					if err != nil {
						return
					}
					if l == ".\r\n" {
						break
					}
					b.WriteString(l)
				}
				f.mails <- b.String()
				say("250 queued")
			case "QUIT":
				say("221 bye")
				return
			default:
				say("502 no")
			}
		}
	}()
	return f
}

func (f *fakeSMTP) config(t *testing.T) SMTPConfig {
	host, port, _ := net.SplitHostPort(f.addr)
	p, _ := strconv.Atoi(port)
	return SMTPConfig{Host: host, Port: p, From: "craft <craft@example.eu>"}
}

func TestSMTPRefusesWithoutStartTLS(t *testing.T) {
	f := startFakeSMTP(t, nil)
	cfg := f.config(t)
	cfg.Username, cfg.Password = "u", "p"
	err := Send(context.Background(), cfg, Mail{To: "ann@example.eu", Subject: "s", Body: "b"})
	if !errors.Is(err, ErrNoStartTLS) {
		t.Fatalf("Send = %v, want ErrNoStartTLS", err)
	}
	close(f.commands)
	for c := range f.commands {
		if c == "AUTH" || c == "MAIL" {
			t.Fatalf("sent %s without TLS", c)
		}
	}
}

func TestSMTPStartTLSAndContent(t *testing.T) {
	ts := httptest.NewTLSServer(nil) // borrow its certificate for 127.0.0.1
	defer ts.Close()
	pool := x509.NewCertPool()
	pool.AddCert(ts.Certificate())
	f := startFakeSMTP(t, &ts.TLS.Certificates[0])
	cfg := f.config(t)
	cfg.RootCAs, cfg.Username, cfg.Password = pool, "craft", "s3cret"
	it := Item{Subject: "finding CVE-2024-0001 in product Router release 1.0 is now KEV-listed (actively exploited)",
		Link: "https://craft.example.eu/notifications"}
	m := ImmediateMail("Ann <ann@example.eu>", it)
	m.Body += ".leading dot\n"
	if err := Send(context.Background(), cfg, m); err != nil {
		t.Fatal(err)
	}
	got := <-f.mails
	for _, want := range []string{"From: \"craft\" <craft@example.eu>\r\n", "To: \"Ann\" <ann@example.eu>\r\n",
		"Subject: [craft] finding CVE-2024-0001 in product Router release 1.0 is now KEV-listed (actively exploited)\r\n",
		"\r\n\r\nfinding CVE-2024-0001", "https://craft.example.eu/notifications\r\n", "\r\n..leading dot\r\n"} {
		if !strings.Contains(got, want) {
			t.Errorf("mail lacks %q:\n%s", want, got)
		}
	}
}

func TestSMTPLabWithoutTLS(t *testing.T) {
	f := startFakeSMTP(t, nil)
	cfg := f.config(t)
	cfg.DisableStartTLS = true
	if err := Send(context.Background(), cfg, Mail{To: "ann@example.eu", Subject: "ünïcode", Body: "b"}); err != nil {
		t.Fatal(err)
	}
	if got := <-f.mails; !strings.Contains(got, "Subject: =?utf-8?q?") {
		t.Fatalf("subject not encoded:\n%s", got)
	}
}

func TestSMTPRefusesHostileInput(t *testing.T) {
	ok := SMTPConfig{Host: "smtp.example.eu", Port: 587, From: "craft@example.eu"}
	for _, tc := range []struct {
		name string
		cfg  SMTPConfig
		mail Mail
		want string
	}{
		{"no_host", SMTPConfig{Port: 25, From: "a@b.c"}, Mail{To: "x@y.z"}, "host"},
		{"bad_port", SMTPConfig{Host: "h", Port: 70000, From: "a@b.c"}, Mail{To: "x@y.z"}, "port"},
		{"bad_from", SMTPConfig{Host: "h", Port: 25, From: "not an address"}, Mail{To: "x@y.z"}, "from"},
		{"header_injection_to", ok, Mail{To: "x@y.z\r\nBcc: evil@example.com"}, "recipient"},
		{"header_injection_subject", ok, Mail{To: "x@y.z", Subject: "a\r\nBcc: evil@example.com"}, "line break"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := Send(context.Background(), tc.cfg, tc.mail)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Send = %v, want %q", err, tc.want)
			}
		})
	}
}

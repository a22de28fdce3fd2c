package notify

import (
	"context"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

var testNow = time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)

func TestSignVerify(t *testing.T) {
	secret, err := GenerateSecret()
	if err != nil {
		t.Fatal(err)
	}
	key, err := ParseSecret(secret)
	if err != nil {
		t.Fatal(err)
	}
	body := []byte(`{"id":"n1"}`)
	sig := Sign(key, "d1", testNow, body)
	ts := "1796378400" // testNow in Unix seconds
	tests := []struct {
		name                string
		id, ts, sig, bodyIs string
		now                 time.Time
		ok                  bool
	}{
		{"valid", "d1", ts, sig, string(body), testNow, true},
		{"valid_among_several", "d1", ts, "v1,AAAA " + sig, string(body), testNow, true},
		{"other_body", "d1", ts, sig, `{"id":"n2"}`, testNow, false},
		{"other_id", "d2", ts, sig, string(body), testNow, false},
		{"replayed_later", "d1", ts, sig, string(body), testNow.Add(6 * time.Minute), false},
		{"from_future", "d1", ts, sig, string(body), testNow.Add(-6 * time.Minute), false},
		{"bad_timestamp", "d1", "yesterday", sig, string(body), testNow, false},
		{"no_version", "d1", ts, strings.TrimPrefix(sig, "v1,"), string(body), testNow, false},
		{"empty", "d1", ts, "", string(body), testNow, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := Verify(key, tc.id, tc.ts, []byte(tc.bodyIs), tc.sig, tc.now, DefaultTolerance)
			if (err == nil) != tc.ok {
				t.Fatalf("Verify = %v, want ok=%v", err, tc.ok)
			}
			if err != nil && !errors.Is(err, ErrSignature) {
				t.Fatalf("error %v is not ErrSignature", err)
			}
		})
	}
}

func TestSignKnownVector(t *testing.T) {
	// The example of the Standard Webhooks specification
	// (github.com/standard-webhooks/standard-webhooks, spec/standard-webhooks.md).
	key, err := ParseSecret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
	if err != nil {
		t.Fatal(err)
	}
	got := Sign(key, "msg_p5jXN8AQM9LWM0D4loKWxJek", time.Unix(1614265330, 0), []byte(`{"test": 2432232314}`))
	if want := "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="; got != want {
		t.Fatalf("Sign = %s, want %s", got, want)
	}
}

func TestParseSecret(t *testing.T) {
	for _, tc := range []struct{ in, wantErr string }{
		{"whsec_" + base64.StdEncoding.EncodeToString(make([]byte, 32)), ""},
		{"secret", "must start with"},
		{"whsec_!!!", "not standard base64"},
		{"whsec_" + base64.StdEncoding.EncodeToString(make([]byte, 8)), "key has 8 bytes"},
		{"whsec_" + base64.StdEncoding.EncodeToString(make([]byte, 65)), "key has 65 bytes"},
	} {
		_, err := ParseSecret(tc.in)
		if tc.wantErr == "" && err != nil || tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)) {
			t.Errorf("ParseSecret(%.20q) = %v, want %q", tc.in, err, tc.wantErr)
		}
	}
}

func TestNextAttempt(t *testing.T) {
	mid := func() float64 { return 0.5 } // no jitter
	low := func() float64 { return 0 }   // -20 %
	for _, tc := range []struct {
		failed int
		rnd    func() float64
		want   time.Duration
		ok     bool
	}{
		{1, mid, time.Minute, true},
		{2, mid, 5 * time.Minute, true},
		{3, mid, 30 * time.Minute, true},
		{4, mid, 2 * time.Hour, true},
		{5, mid, 12 * time.Hour, true},
		{5, low, 12 * time.Hour * 8 / 10, true},
		{6, mid, 0, false},
		{0, mid, 0, false},
	} {
		got, ok := NextAttempt(tc.failed, testNow, tc.rnd)
		if ok != tc.ok || ok && got.Sub(testNow) != tc.want {
			t.Errorf("NextAttempt(%d) = %v, %v; want +%v, %v", tc.failed, got.Sub(testNow), ok, tc.want, tc.ok)
		}
	}
	if MaxAttempts != 6 {
		t.Fatalf("MaxAttempts = %d", MaxAttempts)
	}
}

// tlsClient trusts srv and may call loopback (the test receiver).
func tlsClient(srv *httptest.Server, o ClientOptions) *Client {
	pool := x509.NewCertPool()
	pool.AddCert(srv.Certificate())
	o.RootCAs = pool
	return NewClient(o)
}

func TestSendSignedDelivery(t *testing.T) {
	secret, _ := GenerateSecret()
	key, _ := ParseSecret(secret)
	got := make(chan error, 1)
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		err := Verify(key, r.Header.Get(HeaderID), r.Header.Get(HeaderTimestamp), body, r.Header.Get(HeaderSignature),
			testNow, DefaultTolerance)
		if err == nil && (r.Header.Get(HeaderEvent) != "finding.kev" || r.Header.Get(HeaderDelivery) != "del-1" ||
			string(body) != `{"id":"n1"}`) {
			err = errors.New("headers or body wrong: " + r.Header.Get(HeaderEvent) + string(body))
		}
		got <- err
		w.WriteHeader(http.StatusNoContent)
	}))
	defer srv.Close()
	c := tlsClient(srv, ClientOptions{AllowPrivate: true})
	res := c.Send(context.Background(), Delivery{URL: srv.URL + "/hook", Key: key, ID: "del-1", Kind: "finding.kev",
		Body: []byte(`{"id":"n1"}`)}, testNow)
	if !res.OK() || res.Status != 204 {
		t.Fatalf("Send = %+v", res)
	}
	if err := <-got; err != nil {
		t.Fatalf("receiver: %v", err)
	}
}

func TestSendRefusesPrivateAddresses(t *testing.T) {
	// The receiver runs on loopback; without AllowPrivate a name that
	// resolves to it ("localhost") and every forbidden literal is refused
	// before any connection.
	hit := make(chan struct{}, 10)
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hit <- struct{}{} }))
	defer srv.Close()
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	c := tlsClient(srv, ClientOptions{Timeout: 2 * time.Second})
	for _, tc := range []struct{ name, url, want string }{
		{"loopback_v4", "https://127.0.0.1:" + port + "/", "loopback"},
		{"loopback_v6", "https://[::1]:" + port + "/", "loopback"},
		{"private", "https://10.0.0.1/", "private"},
		{"metadata", "https://169.254.169.254/latest/meta-data/", "metadata"},
		{"metadata_v6", "https://[fd00:ec2::254]/", "metadata"},
		{"unspecified", "https://0.0.0.0/", "unspecified"},
		{"name_to_loopback", "https://localhost:" + port + "/", "loopback"},
		{"plain_http", "http://example.com/", "must be https"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := c.Send(context.Background(), Delivery{URL: tc.url, Key: []byte("k"), ID: "d", Kind: "k", Body: []byte("{}")}, testNow)
			if res.OK() || !strings.Contains(res.Err, tc.want) {
				t.Fatalf("Send(%s) = %+v, want an error with %q", tc.url, res, tc.want)
			}
		})
	}
	select {
	case <-hit:
		t.Fatal("a refused delivery reached the receiver")
	default:
	}
	// The allow flag lets the same loopback receiver be called.
	ok := tlsClient(srv, ClientOptions{AllowPrivate: true})
	if res := ok.Send(context.Background(), Delivery{URL: "https://127.0.0.1:" + port + "/", Key: []byte("k"), ID: "d",
		Kind: "k", Body: []byte("{}")}, testNow); !res.OK() {
		t.Fatalf("with AllowPrivate: %+v", res)
	}
}

func TestCheckURL(t *testing.T) {
	strict := NewClient(ClientOptions{})
	lax := NewClient(ClientOptions{AllowHTTP: true, AllowPrivate: true})
	for _, tc := range []struct {
		url             string
		strictOK, laxOK bool
	}{
		{"https://hooks.example.com/craft?t=1", true, true},
		{"http://hooks.example.com/", false, true},
		{"https://10.1.2.3/", false, true},
		{"https://[::1]/", false, true},
		{"ftp://example.com/", false, false},
		{"https://user:pw@example.com/", false, false},
		{"https:///nohost", false, false},
		{"https://example.com/a b", false, false},
		{"https://example.com/#x", false, false},
		{"https://example.com/" + strings.Repeat("a", 3000), false, false},
		{"", false, false},
	} {
		if err := strict.CheckURL(tc.url); (err == nil) != tc.strictOK {
			t.Errorf("strict CheckURL(%.40q) = %v", tc.url, err)
		}
		if err := lax.CheckURL(tc.url); (err == nil) != tc.laxOK {
			t.Errorf("lax CheckURL(%.40q) = %v", tc.url, err)
		}
	}
}

func TestSendDoesNotFollowRedirects(t *testing.T) {
	followed := make(chan struct{}, 1)
	mux := http.NewServeMux()
	mux.HandleFunc("/hook", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/elsewhere", http.StatusTemporaryRedirect)
	})
	mux.HandleFunc("/elsewhere", func(w http.ResponseWriter, r *http.Request) { followed <- struct{}{} })
	srv := httptest.NewTLSServer(mux)
	defer srv.Close()
	res := tlsClient(srv, ClientOptions{AllowPrivate: true}).Send(context.Background(),
		Delivery{URL: srv.URL + "/hook", Key: []byte("k"), ID: "d", Kind: "k", Body: []byte("{}")}, testNow)
	if res.OK() || res.Status != http.StatusTemporaryRedirect || !strings.Contains(res.Err, "not followed") {
		t.Fatalf("Send = %+v", res)
	}
	select {
	case <-followed:
		t.Fatal("redirect followed")
	default:
	}
}

func TestSendTimesOutOnSlowReceiver(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(release)
	start := time.Now()
	res := tlsClient(srv, ClientOptions{AllowPrivate: true, Timeout: 300 * time.Millisecond}).Send(context.Background(),
		Delivery{URL: srv.URL, Key: []byte("k"), ID: "d", Kind: "k", Body: []byte("{}")}, testNow)
	if res.OK() || !strings.Contains(res.Err, "timed out") || time.Since(start) > 5*time.Second {
		t.Fatalf("Send = %+v after %v", res, time.Since(start))
	}
}

func TestSendCapsAndRecordsErrorAnswer(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusInternalServerError)
		w.Write([]byte("boom\x00" + strings.Repeat("x", 1<<20)))
	}))
	defer srv.Close()
	res := tlsClient(srv, ClientOptions{AllowPrivate: true}).Send(context.Background(),
		Delivery{URL: srv.URL, Key: []byte("k"), ID: "d", Kind: "k", Body: []byte("{}")}, testNow)
	if res.OK() || res.Status != 500 || !strings.HasPrefix(res.Err, "receiver answered 500 Internal Server Error: boom") || len(res.Err) > 300 {
		t.Fatalf("Send = %d %.80q (len %d)", res.Status, res.Err, len(res.Err))
	}
}

func TestMailsHoldOnlySubjectAndLink(t *testing.T) {
	it := Item{ID: "n1", Kind: "report.new", Subject: "new report CRAFT-2026-0001 on product p1",
		CreatedAt: testNow, Link: "https://craft.example.eu/notifications"}
	m := ImmediateMail("a@example.eu", it)
	if m.Subject != "[craft] new report CRAFT-2026-0001 on product p1" ||
		m.Body != "new report CRAFT-2026-0001 on product p1\n\nSign in to craft to see the details:\nhttps://craft.example.eu/notifications\n\n"+footer {
		t.Fatalf("immediate = %+v", m)
	}
	d := DigestMail("a@example.eu", testNow, []Item{{Subject: "b", CreatedAt: testNow.Add(-time.Hour)},
		{Subject: "a", CreatedAt: testNow.Add(-2 * time.Hour)}}, "https://x/n")
	if d.Subject != "[craft] daily digest: 2 notification(s)" || strings.Index(d.Body, "  a\n") > strings.Index(d.Body, "  b\n") {
		t.Fatalf("digest = %+v", d)
	}
}

func FuzzParseSecret(f *testing.F) {
	f.Add("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
	f.Add("whsec_")
	f.Add("")
	f.Fuzz(func(t *testing.T, s string) {
		key, err := ParseSecret(s)
		if err == nil && (len(key) < minSecretKeyBytes || len(key) > maxSecretKeyBytes) {
			t.Fatalf("accepted %d-byte key", len(key))
		}
	})
}

func FuzzCheckURL(f *testing.F) {
	for _, s := range []string{"https://hooks.example.com/x", "http://10.0.0.1", "https://[::ffff:127.0.0.1]/", "https://%zz"} {
		f.Add(s)
	}
	c := NewClient(ClientOptions{})
	f.Fuzz(func(t *testing.T, s string) {
		_ = c.CheckURL(s) // must not panic
	})
}

func FuzzVerify(f *testing.F) {
	f.Add("d1", "1796378400", []byte("{}"), "v1,AAAA")
	f.Fuzz(func(t *testing.T, id, ts string, body []byte, sig string) {
		if Verify([]byte("0123456789abcdef01234567"), id, ts, body, sig, testNow, DefaultTolerance) == nil &&
			!strings.Contains(sig, Sign([]byte("0123456789abcdef01234567"), id, testNow, body)[:3]) {
			t.Fatal("verified a signature without v1")
		}
	})
}

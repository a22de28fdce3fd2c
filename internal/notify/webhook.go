package notify

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"syscall"
	"time"
)

// Limits of one webhook request.
const (
	// DefaultTimeout bounds a whole delivery: dial, TLS, request and
	// response.
	DefaultTimeout = 10 * time.Second
	// maxResponseRead is how much of a receiver's answer is read (and
	// kept, trimmed, in the delivery log's error for non-2xx answers).
	maxResponseRead = 4 << 10
	// maxURLLen refuses absurd URLs at configuration.
	maxURLLen = 2048
)

// ErrForbiddenAddress means the webhook's host resolved to an address
// craft refuses to call (loopback, private, link-local, metadata …).
var ErrForbiddenAddress = errors.New("address not allowed for webhooks")

// ClientOptions configure a webhook Client.
type ClientOptions struct {
	// AllowHTTP permits http:// URLs (craft serve --webhook-allow-http).
	AllowHTTP bool
	// AllowPrivate permits loopback, private, link-local and metadata
	// addresses (craft serve --webhook-allow-private).
	AllowPrivate bool
	// Timeout bounds one request; 0 means DefaultTimeout.
	Timeout time.Duration
	// Resolver resolves host names; nil means net.DefaultResolver. The
	// check runs on the address actually dialled, whatever resolved it.
	Resolver *net.Resolver
	// RootCAs, when set, replaces the system roots (a private CA; tests).
	RootCAs *x509.CertPool
}

// Client sends webhook deliveries. It never follows redirects, uses no
// proxy from the environment (a proxy would dial for it and defeat the
// address check) and reads at most 4 KiB of an answer.
type Client struct {
	opts ClientOptions
	http *http.Client
}

// NewClient builds a Client.
func NewClient(o ClientOptions) *Client {
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	d := &net.Dialer{Timeout: o.Timeout, Resolver: o.Resolver}
	if !o.AllowPrivate {
		d.Control = refusePrivate
	}
	tr := &http.Transport{
		Proxy:                 nil,
		DialContext:           d.DialContext,
		TLSHandshakeTimeout:   o.Timeout,
		ResponseHeaderTimeout: o.Timeout,
		MaxIdleConns:          10,
		IdleConnTimeout:       30 * time.Second,
		DisableCompression:    true,
	}
	tr.TLSClientConfig = &tls.Config{RootCAs: o.RootCAs, MinVersion: tls.VersionTLS12}
	return &Client{opts: o, http: &http.Client{
		Transport: tr,
		Timeout:   o.Timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}}
}

// refusePrivate is the dialer's Control hook: it sees the IP address about
// to be connected, after any DNS resolution, so a name that resolves to
// loopback (or a rebinding DNS answer) is refused as well.
func refusePrivate(network, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("%w: %q", ErrForbiddenAddress, address)
	}
	if reason := forbidden(ap.Addr()); reason != "" {
		return fmt.Errorf("%w: %s is %s", ErrForbiddenAddress, ap.Addr(), reason)
	}
	return nil
}

// metadataAddrs are cloud instance-metadata endpoints outside the ranges
// below (AWS's IPv6 one) or worth naming.
var metadataAddrs = map[netip.Addr]string{
	netip.MustParseAddr("169.254.169.254"): "a cloud metadata address",
	netip.MustParseAddr("fd00:ec2::254"):   "a cloud metadata address",
	netip.MustParseAddr("100.100.100.200"): "a cloud metadata address",
}

// sharedAddrSpace is RFC 6598 carrier-grade NAT space, not Internet.
var sharedAddrSpace = netip.MustParsePrefix("100.64.0.0/10")

// forbidden says why a is refused, "" when it may be called.
func forbidden(a netip.Addr) string {
	a = a.Unmap()
	if r, ok := metadataAddrs[a]; ok {
		return r
	}
	switch {
	case a.IsLoopback():
		return "a loopback address"
	case a.IsPrivate(), sharedAddrSpace.Contains(a):
		return "a private address"
	case a.IsLinkLocalUnicast(), a.IsLinkLocalMulticast():
		return "a link-local address"
	case a.IsUnspecified():
		return "an unspecified address"
	case a.IsMulticast(), a.IsInterfaceLocalMulticast():
		return "a multicast address"
	case a == netip.AddrFrom4([4]byte{255, 255, 255, 255}):
		return "the broadcast address"
	}
	return ""
}

// CheckURL validates a webhook URL at configuration: absolute http(s)
// without user info or fragment, https unless AllowHTTP, and, when the host
// is an IP literal, not a forbidden address (names are checked at dial
// time, where it counts).
func (c *Client) CheckURL(raw string) error {
	if len(raw) > maxURLLen {
		return fmt.Errorf("url: longer than %d characters", maxURLLen)
	}
	if strings.ContainsFunc(raw, func(r rune) bool { return r <= 0x20 || r == 0x7f }) {
		return errors.New("url: contains spaces or control characters")
	}
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("url: not a URL: %w", err)
	}
	switch u.Scheme {
	case "https":
	case "http":
		if !c.opts.AllowHTTP {
			return errors.New("url: must be https (craft serve --webhook-allow-http permits http)")
		}
	default:
		return fmt.Errorf("url: scheme %q; want https", u.Scheme)
	}
	if u.Host == "" || u.Hostname() == "" {
		return errors.New("url: has no host")
	}
	if u.User != nil {
		return errors.New("url: must not hold a user name or password; the signature authenticates craft")
	}
	if u.Fragment != "" {
		return errors.New("url: must not have a #fragment")
	}
	if a, err := netip.ParseAddr(strings.Trim(u.Hostname(), "[]")); err == nil && !c.opts.AllowPrivate {
		if reason := forbidden(a); reason != "" {
			return fmt.Errorf("url: %s is %s (craft serve --webhook-allow-private permits it)", a, reason)
		}
	}
	return nil
}

// Delivery is one webhook request to send.
type Delivery struct {
	URL string
	// Key is the parsed secret (ParseSecret).
	Key []byte
	// ID is the delivery ID (webhook-id, X-Craft-Delivery): the same on
	// every retry, so receivers can drop duplicates.
	ID   string
	Kind string
	Body []byte
}

// Result is the outcome of one attempt, as the delivery log keeps it.
type Result struct {
	Status   int // HTTP status; 0 when no answer came
	Err      string
	Duration time.Duration
}

// OK reports whether the receiver accepted the delivery (any 2xx).
func (r Result) OK() bool { return r.Err == "" && r.Status >= 200 && r.Status < 300 }

// Send makes one attempt, signed at now. Every failure is in the Result,
// worded for the delivery log (no secret, no body).
func (c *Client) Send(ctx context.Context, d Delivery, now time.Time) Result {
	start := time.Now()
	res := c.send(ctx, d, now)
	res.Duration = time.Since(start)
	return res
}

func (c *Client) send(ctx context.Context, d Delivery, now time.Time) Result {
	if err := c.CheckURL(d.URL); err != nil {
		return Result{Err: err.Error()}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, d.URL, bytes.NewReader(d.Body))
	if err != nil {
		return Result{Err: "build request: " + err.Error()}
	}
	h := req.Header
	h.Set("Content-Type", "application/json")
	h.Set("User-Agent", "craft-webhook/1")
	h.Set(HeaderEvent, d.Kind)
	h.Set(HeaderDelivery, d.ID)
	h.Set(HeaderID, d.ID)
	h.Set(HeaderTimestamp, fmt.Sprint(now.Unix()))
	h.Set(HeaderSignature, Sign(d.Key, d.ID, now, d.Body))
	resp, err := c.http.Do(req)
	if err != nil {
		return Result{Err: describeSendError(err)}
	}
	defer resp.Body.Close()
	snippet, _ := io.ReadAll(io.LimitReader(resp.Body, maxResponseRead))
	res := Result{Status: resp.StatusCode}
	switch {
	case resp.StatusCode >= 300 && resp.StatusCode < 400:
		res.Err = fmt.Sprintf("redirect to %q not followed", resp.Header.Get("Location"))
	case resp.StatusCode < 200 || resp.StatusCode >= 300:
		res.Err = fmt.Sprintf("receiver answered %s", resp.Status)
		if s := printable(snippet, 200); s != "" {
			res.Err += ": " + s
		}
	}
	return res
}

// describeSendError words a transport error without the URL's query (which
// could hold a receiver's token).
func describeSendError(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	if errors.Is(err, ErrForbiddenAddress) {
		var oe *net.OpError
		if errors.As(err, &oe) && oe.Err != nil {
			return oe.Err.Error()
		}
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return "timed out: " + err.Error()
	}
	return err.Error()
}

// printable keeps the first n printable runes of b.
func printable(b []byte, n int) string {
	var sb strings.Builder
	for _, r := range string(b) {
		if sb.Len() >= n {
			break
		}
		if r >= 0x20 && r != 0x7f && r != 0xfffd {
			sb.WriteRune(r)
		}
	}
	return strings.TrimSpace(sb.String())
}

package cli

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"
)

// EnvToken names the variable holding the API token of craft push. The
// token is never a flag: flags end up in shell histories and process
// listings.
const EnvToken = "CRAFT_TOKEN"

// pushMaxSize is the largest SBOM craft serve accepts (its upload limit).
const pushMaxSize = 256 << 20

type pushOptions struct {
	server     string
	product    string
	version    string
	releasedOn string
	caCert     string
	timeout    time.Duration
}

func newPushCmd(app *App) *cobra.Command {
	var o pushOptions
	cmd := &cobra.Command{
		Use:   "push --server URL --product P --version V FILE",
		Short: "Upload a release's SBOM to a craft server",
		Long: `push uploads an SBOM (CycloneDX 1.4–1.6 JSON or XML, SPDX 2.3 JSON, optionally
gzipped; "-" reads standard input) to craft serve as the SBOM of one release of
a product, creating the release when it is new and replacing its SBOM when not.

The API token comes from the environment variable CRAFT_TOKEN (create one with
a contributor role on the product). The server's certificate is verified;
give --ca-cert for a server whose certificate a private CA signed.
--product takes the product's ID or its exact name.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runPush(cmd.Context(), app, o, args[0])
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.server, "server", "", "the craft server's URL, e.g. https://craft.example.eu:8443 (required)")
	f.StringVar(&o.product, "product", "", "the product's ID or exact name (required)")
	f.StringVar(&o.version, "version", "", "the release's version (required)")
	f.StringVar(&o.releasedOn, "released-on", "", "the release date, YYYY-MM-DD, when the release is new (default: today)")
	f.StringVar(&o.caCert, "ca-cert", "", "a PEM file of CA certificates to trust in addition to the system's")
	f.DurationVar(&o.timeout, "timeout", 10*time.Minute, "give up after this long")
	return cmd
}

func runPush(ctx context.Context, app *App, o pushOptions, file string) error {
	base, err := checkPushOptions(o)
	if err != nil {
		return err
	}
	token := strings.TrimSpace(app.Getenv(EnvToken))
	if token == "" {
		return usageError("push: set %s to an API token of the server (it is never taken as a flag)", EnvToken)
	}
	body, size, err := openSBOM(app, file)
	if err != nil {
		return err
	}
	defer body.Close()
	return uploadSBOM(ctx, app, o, base, token, file, body, size)
}

// uploadSBOM sends one SBOM document to the server as the SBOM of release
// o.version of product o.product; name only labels it in messages. craft
// push and craft scan --push share it.
func uploadSBOM(ctx context.Context, app *App, o pushOptions, base *url.URL, token, name string, body io.Reader, size int64) error {
	client, err := pushClient(o.caCert, o.timeout)
	if err != nil {
		return err
	}
	if ctx == nil {
		ctx = context.Background()
	}
	ctx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()
	productID, err := resolveProduct(ctx, client, base, token, o.product)
	if err != nil {
		return err
	}
	br := bufio.NewReaderSize(body, 64<<10)
	head, _ := br.Peek(64 << 10)
	ct := sbomMediaType(head)
	u := base.JoinPath("api", "v1", "products", productID, "releases", o.version, "sbom")
	if o.releasedOn != "" {
		u.RawQuery = url.Values{"released_on": {o.releasedOn}}.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), br)
	if err != nil {
		return usageError("push: %v", err)
	}
	req.ContentLength = size
	req.Header.Set("Content-Type", ct)
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Accept", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return transportError(base, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusCreated {
		return serverError(resp, "upload the SBOM")
	}
	var rel struct {
		Version       string `json:"version"`
		SupportStatus string `json:"support_status"`
		SBOM          *struct {
			Format      string `json:"format"`
			SpecVersion string `json:"spec_version"`
			SHA256      string `json:"sha256"`
			Components  int64  `json:"components"`
		} `json:"sbom"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&rel); err != nil || rel.SBOM == nil {
		return &ExitError{Code: ExitFindings, Err: fmt.Errorf("push: the server accepted the SBOM but its answer cannot be read (%v)", err)}
	}
	verb := "replaced the SBOM of"
	if resp.StatusCode == http.StatusCreated {
		verb = "created"
	}
	_, err = fmt.Fprintf(app.Stdout, "pushed %s: %s release %s of product %s (%s %s, %d components, sha256 %s, support: %s)\n",
		name, verb, rel.Version, o.product, rel.SBOM.Format, rel.SBOM.SpecVersion, rel.SBOM.Components, rel.SBOM.SHA256, rel.SupportStatus)
	return err
}

// checkPushOptions validates the flags and returns the server's base URL.
func checkPushOptions(o pushOptions) (*url.URL, error) {
	switch {
	case o.server == "":
		return nil, usageError("push: --server is required")
	case o.product == "":
		return nil, usageError("push: --product is required")
	case o.version == "":
		return nil, usageError("push: --version is required")
	case strings.ContainsAny(o.version, "/\\?#% \t\r\n"):
		return nil, usageError("push: --version must not contain spaces or any of / \\ ? # %%")
	case o.timeout <= 0:
		return nil, usageError("push: --timeout must be positive")
	}
	if o.releasedOn != "" {
		if _, err := time.Parse(time.DateOnly, o.releasedOn); err != nil {
			return nil, usageError("push: --released-on must be a date, YYYY-MM-DD")
		}
	}
	u, err := url.Parse(o.server)
	if err != nil || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return nil, usageError("push: --server must be a URL such as https://craft.example.eu:8443")
	}
	switch u.Scheme {
	case "https":
	case "http":
		// A token in clear text is only tolerable on this machine.
		host := u.Hostname()
		if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
			return nil, usageError("push: --server must use https:// (http:// only for localhost): the token would travel in clear text")
		}
	default:
		return nil, usageError("push: --server must be an https:// URL")
	}
	u.Path = strings.TrimSuffix(u.Path, "/")
	return u, nil
}

// openSBOM opens the file (or standard input for "-") and returns its size
// (-1 when unknown), refusing documents larger than the server takes.
func openSBOM(app *App, file string) (io.ReadCloser, int64, error) {
	if file == "-" {
		data, err := io.ReadAll(io.LimitReader(app.Stdin, pushMaxSize+1))
		if err != nil {
			return nil, 0, usageError("push: read standard input: %v", err)
		}
		if len(data) == 0 {
			return nil, 0, usageError("push: standard input is empty")
		}
		if len(data) > pushMaxSize {
			return nil, 0, usageError("push: the SBOM on standard input is larger than %d bytes, the server's limit", pushMaxSize)
		}
		return io.NopCloser(bytes.NewReader(data)), int64(len(data)), nil
	}
	f, err := os.Open(file)
	if err != nil {
		return nil, 0, usageError("push: %v", err)
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, 0, usageError("push: %v", err)
	}
	switch {
	case !fi.Mode().IsRegular():
		f.Close()
		return nil, 0, usageError("push: %s is not a regular file", file)
	case fi.Size() == 0:
		f.Close()
		return nil, 0, usageError("push: %s is empty", file)
	case fi.Size() > pushMaxSize:
		f.Close()
		return nil, 0, usageError("push: %s is %d bytes, more than the server's limit of %d", file, fi.Size(), pushMaxSize)
	}
	return f, fi.Size(), nil
}

// sbomMediaType names the document's media type from its first bytes, so
// that the server keeps and serves it under the right one.
func sbomMediaType(head []byte) string {
	if len(head) >= 2 && head[0] == 0x1f && head[1] == 0x8b {
		return "application/gzip"
	}
	trimmed := bytes.TrimLeft(bytes.TrimPrefix(head, []byte("\xef\xbb\xbf")), " \t\r\n")
	switch {
	case bytes.HasPrefix(trimmed, []byte("<")):
		return "application/vnd.cyclonedx+xml"
	case bytes.Contains(head, []byte(`"spdxVersion"`)):
		return "application/spdx+json"
	case bytes.HasPrefix(trimmed, []byte("{")):
		return "application/vnd.cyclonedx+json"
	}
	// Let the server say what it is not.
	return "application/octet-stream"
}

// pushClient verifies the server's certificate against the system's roots
// plus the --ca-cert file, and never follows redirects (the token and the
// body go to the URL given, nowhere else).
func pushClient(caCert string, timeout time.Duration) (*http.Client, error) {
	cfg := &tls.Config{MinVersion: tls.VersionTLS12}
	if caCert != "" {
		pem, err := os.ReadFile(caCert)
		if err != nil {
			return nil, usageError("push: --ca-cert: %v", err)
		}
		pool, err := x509.SystemCertPool()
		if err != nil || pool == nil {
			pool = x509.NewCertPool()
		}
		if !pool.AppendCertsFromPEM(pem) {
			return nil, usageError("push: --ca-cert %s holds no PEM certificate", caCert)
		}
		cfg.RootCAs = pool
	}
	tr := &http.Transport{
		Proxy:               http.ProxyFromEnvironment,
		TLSClientConfig:     cfg,
		TLSHandshakeTimeout: 30 * time.Second,
		ForceAttemptHTTP2:   true,
	}
	return &http.Client{
		Transport: tr,
		Timeout:   timeout,
		CheckRedirect: func(req *http.Request, _ []*http.Request) error {
			return fmt.Errorf("the server redirected to %s; give that address as --server", req.URL.Redacted())
		},
	}, nil
}

// resolveProduct turns a product name into its ID through the product
// list, read page by page; a value the list does not name is used as the
// ID itself.
func resolveProduct(ctx context.Context, client *http.Client, base *url.URL, token, product string) (string, error) {
	var byName []string
	cursor := ""
	for range maxProductPages {
		page, err := productPage(ctx, client, base, token, cursor)
		if err != nil || page == nil {
			return product, err
		}
		for _, p := range page.Items {
			if p.ID == product {
				return p.ID, nil
			}
			if p.Name == product {
				byName = append(byName, p.ID)
			}
		}
		if page.NextCursor == "" {
			break
		}
		cursor = page.NextCursor
	}
	if len(byName) == 1 {
		return byName[0], nil
	}
	return product, nil
}

// maxProductPages bounds the pages resolveProduct reads (1,000 products
// each).
const maxProductPages = 100

// productList is a page of GET /api/v1/products.
type productList struct {
	Items []struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	} `json:"items"`
	NextCursor string `json:"next_cursor"`
}

// productPage reads one page of the product list. It returns nil without
// an error when the list cannot be read (the caller then uses the value as
// an ID), and an error only when the token is refused.
func productPage(ctx context.Context, client *http.Client, base *url.URL, token, cursor string) (*productList, error) {
	u := base.JoinPath("api", "v1", "products")
	q := url.Values{"limit": {"1000"}}
	if cursor != "" {
		q.Set("cursor", cursor)
	}
	u.RawQuery = q.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, usageError("push: %v", err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Accept", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return nil, transportError(base, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusUnauthorized {
		return nil, serverError(resp, "sign in")
	}
	if resp.StatusCode != http.StatusOK {
		return nil, nil
	}
	var page productList
	if err := json.NewDecoder(io.LimitReader(resp.Body, 16<<20)).Decode(&page); err != nil {
		return nil, nil
	}
	return &page, nil
}

// transportError explains a failure to reach the server, with the fix for
// an unknown certificate authority.
func transportError(base *url.URL, err error) error {
	var ua x509.UnknownAuthorityError
	var hn x509.HostnameError
	var ci x509.CertificateInvalidError
	switch {
	case errors.As(err, &ua):
		return &ExitError{Code: ExitFindings, Err: fmt.Errorf("push: %s: the server's certificate is signed by an unknown authority; if it is your own CA, give its certificate with --ca-cert FILE", base.Host)}
	case errors.As(err, &hn):
		return &ExitError{Code: ExitFindings, Err: fmt.Errorf("push: %s: the server's certificate is not valid for this name: %v", base.Host, hn)}
	case errors.As(err, &ci):
		return &ExitError{Code: ExitFindings, Err: fmt.Errorf("push: %s: the server's certificate is invalid: %v", base.Host, ci)}
	}
	return &ExitError{Code: ExitFindings, Err: fmt.Errorf("push: cannot reach %s: %w", base.Host, err)}
}

// serverError turns a failed answer into an error naming the status and
// the server's problem detail. Client errors exit 2, server errors 1.
func serverError(resp *http.Response, what string) error {
	return serverErrorAs(resp, "push", what, "a contributor role on the product")
}

// serverErrorAs is serverError for command op, whose token needs needs.
func serverErrorAs(resp *http.Response, op, what, needs string) error {
	msg := resp.Status
	mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	if mt == "application/problem+json" || mt == "application/json" {
		var p struct {
			Title     string `json:"title"`
			Detail    string `json:"detail"`
			RequestID string `json:"request_id"`
		}
		if json.NewDecoder(io.LimitReader(resp.Body, 64<<10)).Decode(&p) == nil {
			if p.Detail != "" {
				msg += ": " + p.Detail
			}
			if p.RequestID != "" {
				msg += " (request " + p.RequestID + ")"
			}
		}
	}
	hint := ""
	if (mt == "" || mt == "text/plain") && resp.StatusCode == http.StatusBadRequest {
		// Go's HTTPS server answers a plain-HTTP request with this text.
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<10))
		if strings.Contains(string(b), "HTTP request to an HTTPS server") {
			hint = "; the server speaks HTTPS: use an https:// URL in --server"
		}
	}
	switch resp.StatusCode {
	case http.StatusUnauthorized:
		hint = "; check " + EnvToken
	case http.StatusForbidden:
		hint = "; the token needs " + needs + " (or the product does not exist)"
	}
	code := ExitUsage
	if resp.StatusCode >= 500 {
		code = ExitFindings
	}
	return &ExitError{Code: code, Err: fmt.Errorf("%s: the server refused to %s: %s%s", op, what, sanitize(msg), hint)}
}

// sanitize drops control characters from text a server sent, so that it
// cannot rewrite the terminal.
func sanitize(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			return -1
		}
		return r
	}, s)
}

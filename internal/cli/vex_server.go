package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"
)

// vexUploadMaxSize is the largest VEX document craft serve takes.
const vexUploadMaxSize = 8 << 20

// vexServerOptions are the flags of craft vex pull and craft vex push; they
// share craft push's client (pushClient: TLS verified, --ca-cert, no
// redirects; token from CRAFT_TOKEN).
type vexServerOptions struct {
	push pushOptions
}

func (o *vexServerOptions) register(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringVar(&o.push.server, "server", "", "the craft server's URL, e.g. https://craft.example.eu:8443 (required)")
	f.StringVar(&o.push.product, "product", "", "the product's ID or exact name (required)")
	f.StringVar(&o.push.version, "version", "", "the release's version (required)")
	f.StringVar(&o.push.caCert, "ca-cert", "", "a PEM file of CA certificates to trust in addition to the system's")
	f.DurationVar(&o.push.timeout, "timeout", 5*time.Minute, "give up after this long")
}

// vexSession is a checked connection to the server for one release.
type vexSession struct {
	client    *http.Client
	base      *url.URL
	token     string
	productID string
}

func (o *vexServerOptions) open(ctx context.Context, app *App, what string) (*vexSession, error) {
	base, err := checkPushOptions(o.push)
	if err != nil {
		return nil, err
	}
	token := strings.TrimSpace(app.Getenv(EnvToken))
	if token == "" {
		return nil, usageError("vex %s: set %s to an API token of the server (it is never taken as a flag)", what, EnvToken)
	}
	client, err := pushClient(o.push.caCert, o.push.timeout)
	if err != nil {
		return nil, err
	}
	productID, err := resolveProduct(ctx, client, base, token, o.push.product)
	if err != nil {
		return nil, err
	}
	return &vexSession{client: client, base: base, token: token, productID: productID}, nil
}

// vexURL is .../api/v1/products/{id}/releases/{version}/vex.
func (s *vexSession) vexURL(version string) *url.URL {
	return s.base.JoinPath("api", "v1", "products", s.productID, "releases", version, "vex")
}

func newVEXPullCmd(app *App) *cobra.Command {
	var (
		o       vexServerOptions
		outputs []string
	)
	cmd := &cobra.Command{
		Use:   "pull --server URL --product P --version V [-o FORMAT[=FILE]]",
		Short: "Download a release's triage state from a craft server as a VEX document",
		Long: `pull downloads the VEX document of one release from craft serve: one statement
per finding with its triage status, justification or action statement. Formats:
openvex (default) and cyclonedx-vex; without =FILE the document goes to
standard output. The API token comes from CRAFT_TOKEN (read access to the
product is enough).`,
		Example: `  craft vex pull --server https://craft.example.eu:8443 --product router --version 2.4.1 -o openvex=router-2.4.1.openvex.json`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			specs, err := parseOutputs(outputs, vexFormats, "openvex")
			if err != nil {
				return err
			}
			ctx, cancel := context.WithTimeout(cmd.Context(), o.push.timeout)
			defer cancel()
			sess, err := o.open(ctx, app, "pull")
			if err != nil {
				return err
			}
			return writeOutputs(app, specs, func(format string, w io.Writer) error {
				return sess.pull(ctx, o.push.version, format, w)
			})
		},
	}
	o.register(cmd)
	cmd.Flags().StringArrayVarP(&outputs, "output", "o", nil, "format and optional file, FORMAT[=FILE], repeatable; formats: "+strings.Join(vexFormats, ", "))
	return cmd
}

// pull writes the release's VEX document in format to w.
func (s *vexSession) pull(ctx context.Context, version, format string, w io.Writer) error {
	u := s.vexURL(version)
	serverFormat := "openvex"
	if format == "cyclonedx-vex" {
		serverFormat = "cyclonedx"
	}
	u.RawQuery = url.Values{"format": {serverFormat}}.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return usageError("vex pull: %v", err)
	}
	req.Header.Set("Authorization", "Bearer "+s.token)
	resp, err := s.client.Do(req)
	if err != nil {
		return transportError(s.base, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return serverErrorAs(resp, "vex pull", "give the VEX document", "read access to the product")
	}
	// The document is checked to be JSON before anything is written, so a
	// file is never replaced by half an answer.
	data, err := io.ReadAll(io.LimitReader(resp.Body, 256<<20))
	if err != nil {
		return &ExitError{Code: ExitFindings, Err: fmt.Errorf("vex pull: reading the answer: %w", err)}
	}
	if !json.Valid(data) {
		return &ExitError{Code: ExitFindings, Err: errors.New("vex pull: the server's answer is not a JSON document")}
	}
	_, err = w.Write(data)
	return err
}

func newVEXPushCmd(app *App) *cobra.Command {
	var o vexServerOptions
	cmd := &cobra.Command{
		Use:   "push --server URL --product P --version V FILE",
		Short: "Merge a VEX document into a release's triage state on a craft server",
		Long: `push uploads an OpenVEX or CycloneDX VEX document ("-" reads standard input)
to craft serve. Each statement that names a vulnerability (or alias) in a
component of the release sets that finding's status, with the comment
"imported from VEX <document id> by <author>"; statements that match no
finding, or that craft cannot store, are listed. The merge is one
transaction: an invalid document changes nothing. The API token comes from
CRAFT_TOKEN and needs the security officer role on the product.`,
		Example: `  craft vex push --server https://craft.example.eu:8443 --product router --version 2.4.2 router-2.4.1.openvex.json`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			data, err := readVEXUpload(app, args[0])
			if err != nil {
				return err
			}
			ctx, cancel := context.WithTimeout(cmd.Context(), o.push.timeout)
			defer cancel()
			sess, err := o.open(ctx, app, "push")
			if err != nil {
				return err
			}
			return sess.push(ctx, app, o.push, args[0], data)
		},
	}
	o.register(cmd)
	return cmd
}

// readVEXUpload reads the document (or standard input for "-") up to the
// server's limit.
func readVEXUpload(app *App, file string) ([]byte, error) {
	var r io.Reader = app.Stdin
	if file != "-" {
		f, err := os.Open(file)
		if err != nil {
			return nil, usageError("vex push: %v", err)
		}
		defer f.Close()
		r = f
	}
	data, err := io.ReadAll(io.LimitReader(r, vexUploadMaxSize+1))
	if err != nil {
		return nil, usageError("vex push: reading %s: %v", file, err)
	}
	switch {
	case len(bytes.TrimSpace(data)) == 0:
		return nil, usageError("vex push: %s is empty", file)
	case len(data) > vexUploadMaxSize:
		return nil, usageError("vex push: %s is larger than %d bytes, the server's limit", file, vexUploadMaxSize)
	}
	return data, nil
}

// push uploads data and reports what the server did with each statement.
func (s *vexSession) push(ctx context.Context, app *App, o pushOptions, name string, data []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.vexURL(o.version).String(), bytes.NewReader(data))
	if err != nil {
		return usageError("vex push: %v", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Authorization", "Bearer "+s.token)
	resp, err := s.client.Do(req)
	if err != nil {
		return transportError(s.base, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return serverErrorAs(resp, "vex push", "import the VEX document", "the finding:triage permission on the product (a security officer role)")
	}
	type statement struct {
		Vulnerability string `json:"vulnerability"`
		Location      string `json:"location"`
		Reason        string `json:"reason"`
	}
	var res struct {
		Document   string            `json:"document"`
		Statements int               `json:"statements"`
		Applied    []json.RawMessage `json:"applied"`
		Unchanged  int               `json:"unchanged"`
		Unmatched  []statement       `json:"unmatched"`
		Skipped    []statement       `json:"skipped"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 64<<20)).Decode(&res); err != nil {
		return &ExitError{Code: ExitFindings, Err: fmt.Errorf("vex push: the server imported the document but its answer cannot be read (%v)", err)}
	}
	if _, err := fmt.Fprintf(app.Stdout, "pushed %s (%s) to release %s of product %s: %d statements, %d findings changed, %d unchanged, %d unmatched, %d skipped\n",
		name, sanitize(res.Document), o.version, o.product, res.Statements, len(res.Applied), res.Unchanged, len(res.Unmatched), len(res.Skipped)); err != nil {
		return err
	}
	for _, st := range res.Unmatched {
		fmt.Fprintf(app.Stderr, "craft vex push: %s %s: %s\n", sanitize(st.Location), sanitize(st.Vulnerability), sanitize(st.Reason))
	}
	for _, st := range res.Skipped {
		fmt.Fprintf(app.Stderr, "craft vex push: %s %s: not stored: %s\n", sanitize(st.Location), sanitize(st.Vulnerability), sanitize(st.Reason))
	}
	return nil
}

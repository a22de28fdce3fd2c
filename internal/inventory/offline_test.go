package inventory

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/google/osv-scalibr/plugin"
)

// TestExtractorsDeclareOffline checks what scalibr says about each listed
// extractor: none asks for the network, none needs to scan the running
// system or direct file system access (a scan hands it the tree through
// os.Root only), and no two share a name.
func TestExtractorsDeclareOffline(t *testing.T) {
	exs, err := Extractors()
	if err != nil {
		t.Fatal(err)
	}
	if len(exs) < 35 {
		t.Errorf("only %d extractors; the offline set has at least 35", len(exs))
	}
	names := map[string]bool{}
	for _, ex := range exs {
		req := ex.Requirements()
		if req.Network == plugin.NetworkOnline {
			t.Errorf("%s requires the network", ex.Name())
		}
		if req.RunningSystem || req.DirectFS || req.ExtractFromDirs {
			t.Errorf("%s has requirements a source scan does not meet: %+v", ex.Name(), req)
		}
		if names[ex.Name()] {
			t.Errorf("%s listed twice", ex.Name())
		}
		names[ex.Name()] = true
	}
}

// netTrapEnv selects the child mode of TestScanOpensNoConnection.
const netTrapEnv = "CRAFT_INVENTORY_NETTRAP"

// TestScanOpensNoConnection runs a real scan of every fixture tree in a
// child process and proves that it opens no network connection.
//
// The proof is strace: it records every socket(2) and connect(2) system call
// of the child and all its threads, whatever library would make them (HTTP,
// gRPC to deps.dev, a raw dial, a DNS lookup). The scan must make none. A
// control run, in which the child dials a local listener on purpose, shows
// that the trace does see connections, so the check can fail.
//
// Without strace (it is not on every CI image) the child still runs, with
// traps instead: net.DefaultResolver and http.DefaultTransport replaced by
// ones that record any use, and HTTP_PROXY/HTTPS_PROXY/ALL_PROXY pointing at
// a listener of the parent that counts connections. They catch every
// connection by host name and every proxied client, but not a dial to a
// literal IP address, which is why strace is preferred. A second control
// run shows that the traps see a lookup and an HTTP request.
func TestScanOpensNoConnection(t *testing.T) {
	if mode := os.Getenv(netTrapEnv); mode != "" {
		netTrapChild(t, mode)
		return
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	trap, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer trap.Close()
	var trapped atomic.Int64
	go func() {
		for {
			c, err := trap.Accept()
			if err != nil {
				return
			}
			trapped.Add(1)
			c.Close()
		}
	}()
	proxy := "http://" + trap.Addr().String()

	strace, _ := exec.LookPath("strace")
	if strace != "" {
		// A container may forbid ptrace; then strace cannot help.
		if out, err := exec.Command(strace, "-f", "-qq", "-e", "trace=none", "-o", os.DevNull, "--", self, "-test.run=^$").CombinedOutput(); err != nil {
			t.Logf("strace cannot trace here (%v: %s)", err, strings.TrimSpace(string(out)))
			strace = ""
		}
	}
	run := func(mode string) (traced []string) {
		t.Helper()
		args := []string{"-test.run=^TestScanOpensNoConnection$", "-test.v"}
		var cmd *exec.Cmd
		var log string
		if strace != "" {
			log = filepath.Join(t.TempDir(), "strace.log")
			cmd = exec.Command(strace, append([]string{"-f", "-qq", "-e", "trace=socket,connect", "-o", log, "--", self}, args...)...)
		} else {
			cmd = exec.Command(self, args...)
		}
		cmd.Env = append(os.Environ(), netTrapEnv+"="+mode, "TRAP_ADDR="+trap.Addr().String(),
			"HTTP_PROXY="+proxy, "HTTPS_PROXY="+proxy, "ALL_PROXY="+proxy,
			"http_proxy="+proxy, "https_proxy="+proxy, "NO_PROXY=", "no_proxy=")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("child (%s): %v\n%s", mode, err, out)
		}
		if !strings.Contains(string(out), "--- PASS: TestScanOpensNoConnection") {
			t.Fatalf("child (%s) did not run:\n%s", mode, out)
		}
		if log == "" {
			return nil
		}
		f, err := os.Open(log)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if line := sc.Text(); strings.Contains(line, "socket(") || strings.Contains(line, "connect(") {
				traced = append(traced, line)
			}
		}
		return traced
	}

	if strace == "" {
		t.Log("no usable strace: relying on resolver, HTTP transport and proxy traps")
	} else {
		// Control: the trace must see a connection the child makes.
		if traced := run("control"); len(traced) == 0 {
			t.Fatal("control run: strace saw no socket calls although the child dialed; the check would prove nothing")
		}
		trapped.Store(0)
	}
	// Control for the traps: the child uses the resolver and the HTTP
	// client on purpose and must see both uses.
	run("trapcontrol")
	if traced := run("scan"); len(traced) > 0 {
		t.Errorf("the scan made %d socket system calls:\n%s", len(traced), strings.Join(traced, "\n"))
	}
	if n := trapped.Load(); n > 0 {
		t.Errorf("%d connections reached the proxy trap during the scan", n)
	}
}

// netTrapChild is the child side: in "control" mode it dials the parent's
// trap; in "scan" mode it scans every fixture tree with traps set.
func netTrapChild(t *testing.T, mode string) {
	if mode == "control" {
		c, err := net.Dial("tcp", os.Getenv("TRAP_ADDR"))
		if err != nil {
			t.Fatalf("control dial: %v", err)
		}
		c.Close()
		return
	}
	var uses, httpUses atomic.Int64
	// This child process exists only for this check, so replacing the
	// process-wide defaults here touches nothing else.
	net.DefaultResolver = &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, network, address string) (net.Conn, error) {
		uses.Add(1)
		return nil, errors.New("network use during an offline scan")
	}}
	http.DefaultTransport = roundTripFunc(func(r *http.Request) (*http.Response, error) {
		uses.Add(1)
		httpUses.Add(1)
		return nil, fmt.Errorf("HTTP request to %s during an offline scan", r.URL)
	})
	if mode == "trapcontrol" {
		_, _ = net.DefaultResolver.LookupHost(context.Background(), "example.com")
		if resp, err := http.Get("http://example.com/"); err == nil {
			resp.Body.Close()
		}
		if h, all := httpUses.Load(), uses.Load(); h == 0 || all-h == 0 {
			t.Fatalf("traps saw %d HTTP and %d resolver uses, want both: they would not notice a connection", h, all-h)
		}
		return
	}
	total := 0
	for _, tree := range []string{"polyglot", "broken", "osv-scanner"} {
		inv, err := Scan(context.Background(), filepath.Join("testdata", "trees", tree), Options{})
		if err != nil {
			t.Fatal(err)
		}
		total += len(inv.Components)
	}
	if total < 200 {
		t.Fatalf("the scans found %d components; the check needs a scan that really runs the extractors", total)
	}
	if n := uses.Load(); n > 0 {
		t.Fatalf("the scan used the resolver or the HTTP transport %d times", n)
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

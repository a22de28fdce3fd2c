// Command serverload measures craft serve: authenticated read throughput
// and latency with N concurrent clients, a sign-in brute force from
// several addresses during which a legitimate user still signs in, and
// (-scenario upload) the ingestion of a large SBOM.
//
// It starts craft serve's handler in-process on 127.0.0.1 (TLS with a
// self-signed certificate, SQLite in a temporary folder, or PostgreSQL with
// -database) and talks to it over real TCP connections. It only ever
// targets loopback addresses.
//
//	go run ./bench/serverload -clients 32 -duration 10s
//	go run ./bench/serverload -scenario bruteforce -attackers 8 -duration 20s
//	go run ./bench/serverload -scenario upload -uploads 20 -upload-components 10000 [-advisories FILE]
//
// Figures and the machine they came from are in docs/performance.md.
package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/craft-cra/craft/internal/auth"
	"github.com/craft-cra/craft/internal/server"
	"github.com/craft-cra/craft/internal/store"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "serverload:", err)
		os.Exit(1)
	}
}

type options struct {
	scenario  string
	clients   int
	attackers int
	duration  time.Duration
	path      string
	database  string
	authKind  string

	uploads          int
	uploadComponents int
	advisoryDB       string
}

func run() error {
	var o options
	flag.StringVar(&o.scenario, "scenario", "both", "read, bruteforce, both, or upload")
	flag.IntVar(&o.clients, "clients", 32, "concurrent clients of the read scenario")
	flag.IntVar(&o.attackers, "attackers", 8, "attacking addresses (127.0.0.10 …) in the brute-force scenario")
	flag.DurationVar(&o.duration, "duration", 10*time.Second, "how long each scenario runs")
	flag.StringVar(&o.path, "path", "/api/v1/me", "the authenticated GET of the read scenario")
	flag.StringVar(&o.database, "database", "", "PostgreSQL URL (default SQLite in a temporary folder)")
	flag.StringVar(&o.authKind, "auth", "session", "read scenario credential: session or token")
	flag.IntVar(&o.uploads, "uploads", 20, "upload scenario: SBOM uploads (one at a time, a new release each)")
	flag.IntVar(&o.uploadComponents, "upload-components", 10000, "upload scenario: components in the SBOM")
	flag.StringVar(&o.advisoryDB, "advisories", "", "upload scenario: advisory database the server matches each upload against (default none)")
	flag.Parse()
	if o.duration > 5*time.Minute || o.clients < 1 || o.clients > 1000 {
		return errors.New("keep -duration ≤ 5m and 1 ≤ -clients ≤ 1000")
	}
	fmt.Printf("machine: %s/%s, %d CPUs (GOMAXPROCS %d), %s\n", runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), runtime.GOMAXPROCS(0), runtime.Version())
	if o.scenario == "read" || o.scenario == "both" {
		if err := readScenario(o); err != nil {
			return err
		}
	}
	if o.scenario == "upload" {
		if o.uploads < 1 || o.uploads > 1000 || o.uploadComponents < 1 {
			return errors.New("keep 1 ≤ -uploads ≤ 1000 and -upload-components positive")
		}
		return uploadScenario(o)
	}
	if o.scenario == "bruteforce" || o.scenario == "both" {
		if err := bruteScenario(o); err != nil {
			return err
		}
	}
	return nil
}

// instance is an in-process craft serve on a loopback port.
type instance struct {
	url    string
	pool   *x509.CertPool
	st     *store.Store
	stop   func()
	server *server.Server
}

// start runs craft serve's handler on 127.0.0.1:0 with limits.
func start(o options, limits server.RateLimits) (*instance, error) {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "serverload-")
	if err != nil {
		return nil, err
	}
	st, err := store.Open(ctx, store.ConfigFor(dir, o.database))
	if err != nil {
		return nil, err
	}
	key, err := auth.LoadOrCreateKey(filepath.Join(dir, auth.SealerKeyFile))
	if err != nil {
		return nil, err
	}
	svc, err := server.NewAuth(st, server.AuthOptions{Key: key})
	if err != nil {
		return nil, err
	}
	srv, err := server.New(server.Deps{Store: st, Auth: svc, Logger: slog.New(slog.DiscardHandler),
		Config: server.Config{Listen: "127.0.0.1:0", DataDir: dir, Limits: limits, AdvisoryDB: o.advisoryDB}})
	if err != nil {
		return nil, err
	}
	cert, err := server.LoadOrCreateSelfSigned(dir, nil, time.Now())
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert.TLS.Leaf)
	if cert.TLS.Leaf == nil {
		leaf, err := x509.ParseCertificate(cert.TLS.Certificate[0])
		if err != nil {
			return nil, err
		}
		pool.AddCert(leaf)
	}
	rctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := srv.Run(rctx, server.Listeners{Main: ln, TLS: server.TLSConfig(cert.TLS)}); err != nil {
			fmt.Fprintln(os.Stderr, "server:", err)
		}
	}()
	return &instance{url: "https://" + ln.Addr().String(), pool: pool, st: st, server: srv, stop: func() {
		cancel()
		<-done
		st.Close()
		os.RemoveAll(dir)
	}}, nil
}

// user creates an account directly in the store.
func (in *instance) user(email, pw string, role auth.Role) error {
	u, err := auth.NewAccount(auth.NewPasswordHasher(), auth.NewUser{Email: email, Password: pw, Role: role}, time.Now())
	if err != nil {
		return err
	}
	_, err = in.st.CreateUser(context.Background(), store.User{Email: u.Email, PasswordHash: u.PasswordHash, Role: store.Role(u.Role)})
	return err
}

// client is an HTTPS client of the instance whose connections come from
// local address src ("" for any).
func (in *instance) client(src string, conns int) *http.Client {
	d := &net.Dialer{Timeout: 5 * time.Second}
	if src != "" {
		d.LocalAddr = &net.TCPAddr{IP: net.ParseIP(src)}
	}
	return &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{
		DialContext:         d.DialContext,
		TLSClientConfig:     &tls.Config{RootCAs: in.pool, MinVersion: tls.VersionTLS12},
		MaxIdleConns:        conns,
		MaxIdleConnsPerHost: conns,
		ForceAttemptHTTP2:   false,
	}}
}

// login signs in and returns the session cookie value.
func login(c *http.Client, base, email, pw string) (int, string, error) {
	body, _ := json.Marshal(map[string]string{"email": email, "password": pw})
	resp, err := c.Post(base+"/api/v1/auth/login", "application/json", bytes.NewReader(body))
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	for _, ck := range resp.Cookies() {
		if ck.Name == auth.SessionCookieName {
			return resp.StatusCode, ck.Value, nil
		}
	}
	return resp.StatusCode, "", nil
}

const benchPassword = "bench mark orbit lantern 2026"

// runID keeps the accounts of one run apart from earlier runs' on a shared
// PostgreSQL database.
var runID = strconv.FormatInt(time.Now().UnixNano(), 36)

// email is a per-run address.
func email(local string) string { return local + "-" + runID + "@example.eu" }

func readScenario(o options) error {
	// The limiter runs (its cost is measured) but with room for the
	// load: the default 20 requests/s per address and per principal would
	// answer most of this load with 429, which is what they are for.
	in, err := start(o, server.RateLimits{
		PerIP:        server.Bucket{Rate: 1e6, Burst: 1e6},
		PerPrincipal: server.Bucket{Rate: 1e6, Burst: 1e6},
		Auth:         server.Bucket{Rate: 100, Burst: 100},
	})
	if err != nil {
		return err
	}
	defer in.stop()
	if err := in.user(email("reader"), benchPassword, auth.RoleViewer); err != nil {
		return err
	}
	c := in.client("", o.clients)
	code, cookie, err := login(c, in.url, email("reader"), benchPassword)
	if err != nil || cookie == "" {
		return fmt.Errorf("login: %d %v", code, err)
	}
	header := func(r *http.Request) { r.AddCookie(&http.Cookie{Name: auth.SessionCookieName, Value: cookie}) }
	if o.authKind == "token" {
		tok, err := createToken(c, in.url, cookie)
		if err != nil {
			return err
		}
		header = func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+tok) }
	}
	// Warm up connections.
	deadline := time.Now().Add(o.duration)
	var wg sync.WaitGroup
	lat := make([][]time.Duration, o.clients)
	var errs, non200 atomic.Int64
	start := time.Now()
	for i := 0; i < o.clients; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			for time.Now().Before(deadline) {
				req, _ := http.NewRequest("GET", in.url+o.path, nil)
				header(req)
				t0 := time.Now()
				resp, err := c.Do(req)
				if err != nil {
					errs.Add(1)
					continue
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				lat[i] = append(lat[i], time.Since(t0))
				if resp.StatusCode != http.StatusOK {
					non200.Add(1)
				}
			}
		}(i)
	}
	wg.Wait()
	elapsed := time.Since(start)
	var all []time.Duration
	for _, l := range lat {
		all = append(all, l...)
	}
	sort.Slice(all, func(i, j int) bool { return all[i] < all[j] })
	if len(all) == 0 {
		return errors.New("no responses")
	}
	pct := func(p float64) time.Duration { return all[min(len(all)-1, int(p*float64(len(all))))] }
	db := "sqlite"
	if o.database != "" {
		db = "postgres"
	}
	fmt.Printf("read: GET %s (%s, %s), %d clients, %s: %d requests, %.0f req/s, p50 %s, p99 %s, max %s, non-200 %d, errors %d\n",
		o.path, o.authKind, db, o.clients, elapsed.Round(time.Millisecond), len(all), float64(len(all))/elapsed.Seconds(),
		pct(0.50).Round(10*time.Microsecond), pct(0.99).Round(10*time.Microsecond), all[len(all)-1].Round(10*time.Microsecond), non200.Load(), errs.Load())
	return nil
}

func createToken(c *http.Client, base, cookie string) (string, error) {
	req, _ := http.NewRequest("POST", base+"/api/v1/me/tokens", strings.NewReader(`{"name":"bench"}`))
	req.Header.Set("Content-Type", "application/json")
	req.AddCookie(&http.Cookie{Name: auth.SessionCookieName, Value: cookie})
	resp, err := c.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	var v struct {
		Token string `json:"token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&v); err != nil || v.Token == "" {
		return "", fmt.Errorf("create token: %d %v", resp.StatusCode, err)
	}
	return v.Token, nil
}

func bruteScenario(o options) error {
	in, err := start(o, server.DefaultRateLimits()) // the limits craft ships with
	if err != nil {
		return err
	}
	defer in.stop()
	if err := in.user(email("victim"), benchPassword+" v", auth.RoleViewer); err != nil {
		return err
	}
	if err := in.user(email("alice"), benchPassword, auth.RoleViewer); err != nil {
		return err
	}
	deadline := time.Now().Add(o.duration)
	var wg sync.WaitGroup
	var mu sync.Mutex
	counts := map[int]int{}
	for i := 0; i < o.attackers; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			src := fmt.Sprintf("127.0.0.%d", 10+i)
			// Four connections per address: a busy attacker.
			c := in.client(src, 4)
			var inner sync.WaitGroup
			for k := 0; k < 4; k++ {
				inner.Add(1)
				go func(k int) {
					defer inner.Done()
					n := 0
					for time.Now().Before(deadline) {
						n++
						addr := email("victim")
						if n%2 == 0 {
							addr = fmt.Sprintf("guess%d-%d-%d@example.eu", i, k, n)
						}
						code, _, err := login(c, in.url, addr, fmt.Sprintf("wrong password %d-%d-%d", i, k, n))
						if err != nil {
							code = -1
						}
						mu.Lock()
						counts[code]++
						mu.Unlock()
					}
				}(k)
			}
			inner.Wait()
		}(i)
	}
	// The legitimate user signs in every three seconds from their own
	// address (more often than any person does; within the sign-in limit
	// of 10 at once, then one per 6 s).
	legit := in.client("127.0.0.2", 1)
	var ok, refused int
	var worst time.Duration
	for time.Now().Before(deadline) {
		t0 := time.Now()
		code, cookie, err := login(legit, in.url, email("alice"), benchPassword)
		d := time.Since(t0)
		worst = max(worst, d)
		if err == nil && code == http.StatusOK && cookie != "" {
			ok++
		} else {
			refused++
		}
		time.Sleep(3 * time.Second)
	}
	wg.Wait()
	total := 0
	for _, n := range counts {
		total += n
	}
	fmt.Printf("bruteforce: %d attacking addresses × 4 connections, %s: %d attempts; 401 (checked, wrong) %d, 429 (refused by the limiter or throttle) %d, other %v\n",
		o.attackers, o.duration, total, counts[401], counts[429], others(counts))
	fmt.Printf("bruteforce: legitimate user from its own address: %d sign-ins succeeded, %d refused, slowest %s\n", ok, refused, worst.Round(time.Millisecond))
	if refused > 0 || counts[429] == 0 {
		return errors.New("the limiter did not engage, or the legitimate user was refused")
	}
	return nil
}

func others(m map[int]int) map[int]int {
	out := map[int]int{}
	for k, v := range m {
		if k != 401 && k != 429 {
			out[k] = v
		}
	}
	return out
}

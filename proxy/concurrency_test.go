package proxy

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// The headline: a real RIE in its default mode dies on a second concurrent invoke
// (DESIGN.md). These tests drive real RIEs running the example function through the whole
// Server with many concurrent clients, check every answer's content, and check the RIEs are
// still alive afterwards.

// load is the outcome of hammering a gateway.
type load struct {
	ok       int
	failures []string
	elapsed  time.Duration
	latency  []time.Duration
}

func (l *load) report(t *testing.T, what string) {
	t.Helper()
	slices.Sort(l.latency)
	pct := func(p float64) time.Duration {
		if len(l.latency) == 0 {
			return 0
		}
		return l.latency[int(p*float64(len(l.latency)-1))]
	}
	t.Logf("%s: %d requests in %s = %.0f requests/s, latency p50 %s p99 %s, %d failures",
		what, l.ok+len(l.failures), l.elapsed.Round(time.Millisecond), float64(l.ok+len(l.failures))/l.elapsed.Seconds(),
		pct(0.50).Round(time.Microsecond), pct(0.99).Round(time.Microsecond), len(l.failures))
	if len(l.failures) > 0 {
		t.Fatalf("%d of %d requests failed; first: %q", len(l.failures), l.ok+len(l.failures), l.failures[:min(5, len(l.failures))])
	}
}

// hammer runs clients concurrent clients against base until the duration passes or each has
// sent perClient requests (0: no count limit). Each request carries a unique marker in its
// path and query; the example function's /json path echoes the event, so each answer proves it
// is the event of that very request.
func hammer(base string, api API, clients, perClient int, duration time.Duration) *load {
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients, DisableCompression: true}}
	defer client.CloseIdleConnections()
	var mu sync.Mutex
	res := &load{}
	start := time.Now()
	deadline := start.Add(duration)
	var wg sync.WaitGroup
	for c := range clients {
		wg.Go(func() {
			for n := 0; (perClient == 0 || n < perClient) && time.Now().Before(deadline); n++ {
				path := fmt.Sprintf("/c%d/r%d/json", c, n)
				marker := fmt.Sprintf("c%d-r%d", c, n)
				t0 := time.Now()
				err := checkEcho(client, base, path, marker, api)
				d := time.Since(t0)
				mu.Lock()
				res.latency = append(res.latency, d)
				if err != nil {
					res.failures = append(res.failures, err.Error())
				} else {
					res.ok++
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	res.elapsed = time.Since(start)
	return res
}

// checkEcho sends one request and checks the echoed event is that request's.
func checkEcho(client *http.Client, base, path, marker string, api API) error {
	resp, err := client.Get(base + path + "?marker=" + marker)
	if err != nil {
		return fmt.Errorf("GET %s: %w", path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return fmt.Errorf("reading %s: %w", path, err)
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %d %.200s", path, resp.StatusCode, body)
	}
	var ev struct {
		Path    string            `json:"path"`    // payload 1.0
		RawPath string            `json:"rawPath"` // payload 2.0
		Query   map[string]string `json:"queryStringParameters"`
	}
	if err := json.Unmarshal(body, &ev); err != nil {
		return fmt.Errorf("GET %s: answer is not the echoed event: %v: %.200s", path, err, body)
	}
	got := ev.Path
	if api == HTTP {
		got = ev.RawPath
	}
	if got != path || ev.Query["marker"] != marker {
		return fmt.Errorf("GET %s?marker=%s got the event of %s?marker=%s", path, marker, got, ev.Query["marker"])
	}
	return nil
}

func serve(t *testing.T, g *Gateway, invokers map[string]Invoker) *served {
	t.Helper()
	return serveURL(t, &Server{Gateway: g, Invokers: invokers, Timeout: 29 * time.Second, AccessLog: io.Discard})
}

func loadDuration(t *testing.T) time.Duration {
	if testing.Short() {
		return 2 * time.Second
	}
	return 10 * time.Second
}

// TestConcurrency64ClientsOnOneRIE is the test: 64 concurrent clients for 10 s through
// the gateway to one plain RIE; every request is answered with its own event and the RIE is
// still alive. Without the invokers' limit the RIE dies within the first burst.
func TestConcurrency64ClientsOnOneRIE(t *testing.T) {
	rie := startRIE(t, "")
	g := DefaultGateway(REST, rie.URL)
	invokers, err := NewInvokers(g)
	if err != nil {
		t.Fatal(err)
	}
	res := hammer(serve(t, g, invokers).URL, REST, 64, 0, loadDuration(t))
	res.report(t, "64 clients, one RIE (REST)")
	if res.ok == 0 {
		t.Fatal("no request was answered")
	}
	if !rie.Alive() {
		t.Fatalf("the RIE died:\n%s", rie.Logs())
	}
}

// TestConcurrencySpreadsOverTwoRealRIEs: one function on two RIEs; both serve, neither dies,
// and every invoke is accounted for.
func TestConcurrencySpreadsOverTwoRealRIEs(t *testing.T) {
	a, b := startRIE(t, ""), startRIE(t, "")
	g := DefaultGateway(HTTP, a.URL)
	g.Functions[DefaultFunctionName] = Function{Name: DefaultFunctionName, URLs: []string{a.URL, b.URL}}
	invokers, err := NewInvokers(g)
	if err != nil {
		t.Fatal(err)
	}
	const clients, each = 16, 40
	res := hammer(serve(t, g, invokers).URL, HTTP, clients, each, time.Minute)
	res.report(t, "16 clients, two RIEs (HTTP API)")
	starts := func(r interface{ Logs() string }) int { return strings.Count(r.Logs(), "START RequestId") }
	na, nb := starts(a), starts(b)
	t.Logf("invokes: %d on the first RIE, %d on the second", na, nb)
	if na+nb != clients*each {
		t.Fatalf("the RIEs started %d+%d invokes, want %d", na, nb, clients*each)
	}
	if na < clients*each/4 || nb < clients*each/4 {
		t.Fatalf("load not spread: %d and %d", na, nb)
	}
	if !a.Alive() || !b.Alive() {
		t.Fatal("an RIE died")
	}
}

// TestConcurrencyRIEInConcurrencyMode drives an RIE started with AWS_LAMBDA_MAX_CONCURRENCY=4
// with concurrency=4: up to four invokes run at once, never a fifth (which the RIE would
// reject with 400 Runtime.Unavailable).
//
// That mode runs the bootstrap only from /var/runtime, /var/task or /opt and needs /var/task
// to exist, and starts it as uid 993. Rather than touch the host's /var, the test runs the RIE
// in a private mount namespace (unshare --mount) with a tmpfs on /var; that needs root. When it
// cannot, the test skips saying so: this is the one case allowed to.
func TestConcurrencyRIEInConcurrencyMode(t *testing.T) {
	const n = 4
	url := startConcurrentRIE(t, n)
	var peak gauge
	g := DefaultGateway(HTTP, url)
	g.Functions[DefaultFunctionName] = Function{Name: DefaultFunctionName, URLs: []string{url}, Concurrency: n}
	invokers, err := NewInvokers(g, WithEndpointInvoker(func(u string) Invoker {
		c := &RIEClient{URL: u}
		return InvokerFunc(func(ctx context.Context, event []byte) ([]byte, error) {
			peak.enter()
			defer peak.leave()
			return c.Invoke(ctx, event)
		})
	}))
	if err != nil {
		t.Fatal(err)
	}
	res := hammer(serve(t, g, invokers).URL, HTTP, 32, 0, loadDuration(t)/2)
	res.report(t, "32 clients, one RIE with AWS_LAMBDA_MAX_CONCURRENCY=4")
	_, most, runs := peak.read()
	t.Logf("at most %d invokes ran at once (limit %d), %d in all", most, n, runs)
	if most > n || most < 2 {
		t.Fatalf("%d invokes ran at once; want between 2 and %d", most, n)
	}
}

// startConcurrentRIE starts the RIE with AWS_LAMBDA_MAX_CONCURRENCY=n and the example function
// at /var/runtime/bootstrap inside a private mount namespace, and returns its base URL.
func startConcurrentRIE(t *testing.T, n int) string {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("skipping: the RIE's concurrency mode needs its bootstrap under /var/runtime and starts it as uid 993; the test builds that in a private mount namespace, which needs root")
	}
	unshare, err := exec.LookPath("unshare")
	if err != nil {
		t.Skip("skipping: the RIE's concurrency mode needs /var/runtime; the test makes it in a private mount namespace with unshare (util-linux), which is not installed")
	}
	bins := binaries(t)
	addrs := make([]string, 2)
	for i := range addrs {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addrs[i] = l.Addr().String()
		l.Close()
	}
	const script = `mount -t tmpfs tmpfs /var && mkdir -p /var/task /var/runtime && cp "$1" /var/runtime/bootstrap && cd /var/task && exec "$2" --runtime-interface-emulator-address "$3" --runtime-api-address "$4" --log-level error /var/runtime/bootstrap`
	cmd := exec.Command(unshare, "--mount", "--propagation", "private", "sh", "-c", script, "sh", bins.Bootstrap, bins.RIE, addrs[0], addrs[1])
	cmd.Env = []string{"PATH=/usr/sbin:/usr/bin:/sbin:/bin", fmt.Sprintf("AWS_LAMBDA_MAX_CONCURRENCY=%d", n), "AWS_LAMBDA_FUNCTION_TIMEOUT=30", "AWS_REGION=us-east-1", "TZ=UTC"}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	var logs strings.Builder
	var logMu sync.Mutex
	cmd.Stdout = writerFunc(func(p []byte) (int, error) { logMu.Lock(); defer logMu.Unlock(); return logs.Write(p) })
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting the RIE in a mount namespace: %v", err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	t.Cleanup(func() {
		select {
		case <-done:
			logMu.Lock()
			t.Errorf("the RIE in concurrency mode died during the test:\n%s", logs.String())
			logMu.Unlock()
			return
		default:
		}
		syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
		select {
		case <-done:
		case <-time.After(3 * time.Second):
			syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-done
		}
	})
	url := "http://" + addrs[0]
	deadline := time.Now().Add(10 * time.Second)
	for {
		resp, err := http.Get(url + "/")
		if err == nil {
			resp.Body.Close()
			return url
		}
		select {
		case <-done:
			logMu.Lock()
			defer logMu.Unlock()
			t.Fatalf("the RIE in concurrency mode exited at start:\n%s", logs.String())
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("the RIE in concurrency mode did not answer: %v", err)
		}
	}
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

// slowBootstrap writes a custom runtime in shell, the shape of AWS's own custom-runtime
// tutorial, that answers every event after delay: a real Runtime API client that is slow.
func slowBootstrap(t *testing.T, delay time.Duration) string {
	t.Helper()
	for _, tool := range []string{"/bin/sh", "/usr/bin/curl", "/bin/grep", "/bin/mktemp", "/bin/sleep", "/usr/bin/tr", "/usr/bin/cut"} {
		if _, err := os.Stat(tool); err != nil {
			t.Fatalf("the slow runtime needs %s: %v", tool, err)
		}
	}
	script := fmt.Sprintf(`#!/bin/sh
set -eu
API="http://${AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime/invocation"
HEADERS="$(/bin/mktemp)"
while true; do
  /usr/bin/curl -sS -D "$HEADERS" -o /dev/null "$API/next"
  ID="$(/bin/grep -i '^Lambda-Runtime-Aws-Request-Id:' "$HEADERS" | /usr/bin/tr -d '\r' | /usr/bin/cut -d' ' -f2)"
  /bin/sleep %.3f
  /usr/bin/curl -sS -o /dev/null -X POST "$API/$ID/response" -d '{"statusCode":200,"body":"slow"}'
done
`, delay.Seconds())
	path := t.TempDir() + "/bootstrap"
	if err := os.WriteFile(path, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestConcurrencyAbandonedInvokeKeepsTheRIEReserved: when the gateway gives up on an invoke
// (its timeout), the RIE still runs it, and a second invoke then would crash the RIE
// (checked by hand: an RIE given an invoke while a client-abandoned one still ran panicked).
// The invokers keep the endpoint reserved until the abandoned invoke ends, so the next request
// waits and succeeds, and the RIE lives.
func TestConcurrencyAbandonedInvokeKeepsTheRIEReserved(t *testing.T) {
	const delay = 400 * time.Millisecond
	rie := startRIE(t, slowBootstrap(t, delay))
	g := DefaultGateway(REST, rie.URL)
	invokers, err := NewInvokers(g)
	if err != nil {
		t.Fatal(err)
	}
	// Warm up: the first invoke also starts the runtime.
	if _, err := invokers[DefaultFunctionName].Invoke(context.Background(), []byte(`{}`)); err != nil {
		t.Fatal(err)
	}
	impatient := serveURL(t, &Server{Gateway: g, Invokers: invokers, Timeout: 50 * time.Millisecond, AccessLog: io.Discard})
	patient := serveURL(t, &Server{Gateway: g, Invokers: invokers, Timeout: 10 * time.Second, AccessLog: io.Discard})

	start := time.Now()
	resp, body := get(t, impatient.URL+"/abandoned")
	if resp.StatusCode != http.StatusGatewayTimeout {
		t.Fatalf("impatient gateway: %d %s, want 504", resp.StatusCode, body)
	}
	resp, body = get(t, patient.URL+"/next")
	waited := time.Since(start)
	if resp.StatusCode != http.StatusOK || string(body) != "slow" {
		t.Fatalf("the request after an abandoned invoke: %d %s", resp.StatusCode, body)
	}
	if waited < 2*delay-50*time.Millisecond {
		t.Fatalf("both invokes took %s; the second cannot have waited for the first (%s each)", waited, delay)
	}
	if !rie.Alive() {
		t.Fatalf("the RIE died:\n%s", rie.Logs())
	}
}

package localdev

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/lambdalocal/lambdalocal/localdev/function"

	"github.com/lambdalocal/lambdalocal/internal/testenv"
)

// devHandlerSource is an API Gateway handler that answers its version, for rebuild tests.
const devHandlerSource = `package main

import (
	"context"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
)

func main() {
	lambda.Start(func(context.Context, events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {
		return events.APIGatewayProxyResponse{StatusCode: 200, Body: "version VERSION"}, nil
	})
}
`

// devModule writes a handler module answering "version 1" into a temp folder.
func devModule(t testing.TB) string {
	t.Helper()
	dir := t.TempDir()
	sum, err := os.ReadFile("../go.sum")
	if err != nil {
		t.Fatal(err)
	}
	devWrite(t, filepath.Join(dir, "go.mod"), "module example.com/devhandler\n\ngo 1.26\n\nrequire github.com/aws/aws-lambda-go v1.55.1\n")
	devWrite(t, filepath.Join(dir, "go.sum"), string(sum))
	devWrite(t, filepath.Join(dir, "main.go"), devVersion("1"))
	return dir
}

func devVersion(v string) string { return strings.Replace(devHandlerSource, "VERSION", v, 1) }

func devWrite(t testing.TB, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// runningDev is a Dev started by a test.
type runningDev struct {
	DevEndpoints
	out    *testenv.SyncBuffer
	cancel context.CancelFunc
	done   chan error
}

// startDev runs Dev on loopback port 0 and waits until it serves. Cleanup stops it.
func startDev(t testing.TB, cfg Config, opts ...DevOption) *runningDev {
	t.Helper()
	if cfg.ProxyAddr == "" {
		cfg.ProxyAddr = "127.0.0.1:0"
	}
	if cfg.FunctionURL == "" {
		cfg.FunctionURL = "http://127.0.0.1:0"
	}
	ctx, cancel := context.WithCancel(context.Background())
	d := &runningDev{out: &testenv.SyncBuffer{}, cancel: cancel, done: make(chan error, 1)}
	ready := make(chan DevEndpoints, 1)
	opts = append([]DevOption{WithDevOutput(d.out), WithReady(func(e DevEndpoints) { ready <- e })}, opts...)
	go func() { d.done <- Dev(ctx, cfg, opts...) }()
	t.Cleanup(func() {
		cancel()
		<-d.done
		if t.Failed() {
			t.Logf("dev output:\n%s", d.out)
		}
	})
	select {
	case d.DevEndpoints = <-ready:
		return d
	case err := <-d.done:
		d.done <- err
		t.Fatalf("Dev ended before serving: %v\n%s", err, d.out)
	case <-time.After(2 * time.Minute):
		t.Fatalf("Dev did not serve within 2 minutes:\n%s", d.out)
	}
	return nil
}

// stop cancels Dev and returns its error.
func (d *runningDev) stop(t testing.TB) error {
	t.Helper()
	d.cancel()
	select {
	case err := <-d.done:
		d.done <- err
		return err
	case <-time.After(30 * time.Second):
		t.Fatal("Dev did not return within 30 s of cancel")
		return nil
	}
}

// get fetches url and returns status and body.
func devGet(url string) (int, string, error) {
	resp, err := http.Get(url)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), err
}

func TestDevServesThroughTheGatewayAndTheInvokeEndpoint(t *testing.T) {
	t.Parallel()
	d := startDev(t, Config{Dir: "..", Handler: "./lambda"})
	status, body, err := devGet(d.URL + "/hello")
	if err != nil || status != 200 || body == "" {
		t.Fatalf("GET /hello = %d %q %v, want 200 and a greeting", status, body, err)
	}
	resp, err := http.Post(d.FunctionURL+function.InvokePath, "application/json", strings.NewReader(`{"path":"/x/json","httpMethod":"GET"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("invoke endpoint answered %d, want 200", resp.StatusCode)
	}
	if !strings.Contains(d.out.String(), "lambdalocal dev: serving ./lambda at "+d.URL) {
		t.Errorf("dev did not print its URL:\n%s", d.out)
	}
}

func TestDevExitsOnCancelLeavingNoChildProcess(t *testing.T) {
	t.Parallel()
	d := startDev(t, Config{Dir: "..", Handler: "./localdev/function/testdata/handlers/pid", Timeout: time.Minute},
		WithFunctionOptions(function.WithMaxEnvironments(3)))
	var pids sync.Map
	var wg sync.WaitGroup
	for range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, err := http.Post(d.FunctionURL+function.InvokePath, "application/json", strings.NewReader(`{"ms":100}`))
			if err == nil {
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if i := strings.Index(string(b), `"pid":`); i >= 0 {
					n, _ := strconv.Atoi(strings.Trim(strings.SplitN(string(b)[i+6:], ",", 2)[0], "}"))
					pids.Store(n, true)
				}
			}
			// A long invoke still in flight when Dev is cancelled.
			_, _ = http.Post(d.FunctionURL+function.InvokePath, "application/json", strings.NewReader(`{"ms":20000}`))
		}()
	}
	var running []int
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		running = running[:0]
		pids.Range(func(k, _ any) bool { running = append(running, k.(int)); return true })
		if len(running) == 3 {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if len(running) != 3 {
		t.Fatalf("want 3 function processes, saw %v", running)
	}
	time.Sleep(200 * time.Millisecond) // let the long invokes start
	start := time.Now()
	if err := d.stop(t); err != nil {
		t.Errorf("Dev returned %v after cancel, want nil", err)
	}
	if took := time.Since(start); took > 10*time.Second {
		t.Errorf("Dev took %s to stop", took)
	}
	for _, pid := range running {
		if devProcessAlive(pid) {
			t.Errorf("function process %d is still running after Dev returned", pid)
		}
	}
	wg.Wait()
}

// devProcessAlive reports whether pid runs (a zombie, exited but not reaped, does not count).
func devProcessAlive(pid int) bool {
	p, err := os.FindProcess(pid)
	if err != nil {
		return false
	}
	if p.Signal(syscall.Signal(0)) != nil { // signal 0: does it exist?
		return false
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return true // not Linux: the signal says it exists
	}
	f := strings.Fields(string(b))
	return len(f) < 3 || f[2] != "Z"
}

func TestDevPortInUseNamesTheAddressAndTheVariable(t *testing.T) {
	t.Parallel()
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { taken.Close() })
	addr := taken.Addr().String()
	tests := []struct {
		name     string
		cfg      Config
		variable string
	}{
		{"the gateway's port", Config{ProxyAddr: addr, FunctionURL: "http://127.0.0.1:0"}, "LAMBDALOCAL_PROXY_ADDR"},
		{"the invoke endpoint's port", Config{ProxyAddr: "127.0.0.1:0", FunctionURL: "http://" + addr}, "LAMBDALOCAL_FUNCTION_URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.cfg.Dir, tt.cfg.Handler = "..", "./lambda"
			err := Dev(context.Background(), tt.cfg, WithDevOutput(io.Discard))
			var inUse *AddrInUseError
			if !errors.As(err, &inUse) {
				t.Fatalf("Dev = %v, want *AddrInUseError", err)
			}
			for _, want := range []string{addr, tt.variable, "in use"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not say %q", err, want)
				}
			}
		})
	}
}

func TestDevWithAHandlerThatDoesNotCompileSaysWhy(t *testing.T) {
	t.Parallel()
	dir := devModule(t)
	devWrite(t, filepath.Join(dir, "main.go"), "package main\n\nfunc main() { notDefined() }\n")
	err := Dev(context.Background(), Config{Dir: dir, ProxyAddr: "127.0.0.1:0", FunctionURL: "http://127.0.0.1:0"}, WithDevOutput(io.Discard))
	var ce *CompileError
	if !errors.As(err, &ce) || !strings.Contains(err.Error(), "undefined: notDefined") {
		t.Errorf("Dev = %v, want a *CompileError with the compiler's message", err)
	}
}

func TestDevRejectsAFunctionURLItCannotServe(t *testing.T) {
	t.Parallel()
	err := Dev(context.Background(), Config{Dir: "..", Handler: "./lambda", FunctionURL: "https://example.com"}, WithDevOutput(io.Discard))
	if err == nil || !strings.Contains(err.Error(), "LAMBDALOCAL_FUNCTION_URL") {
		t.Errorf("Dev = %v, want an error naming LAMBDALOCAL_FUNCTION_URL", err)
	}
}

func TestDevRebuildsOnSaveWithoutDroppingARequest(t *testing.T) {
	t.Parallel()
	dir := devModule(t)
	d := startDev(t, Config{Dir: dir}, WithPollInterval(50*time.Millisecond))

	// A loop of concurrent clients runs across the swap.
	var failures, served atomic.Int64
	var sawV2 atomic.Bool
	var wrongOrder atomic.Int64
	ctx, stopLoop := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				status, body, err := devGet(d.URL + "/")
				switch {
				case err != nil || status != 200:
					failures.Add(1)
					t.Logf("request failed: %d %q %v", status, body, err)
				case body == "version 2":
					sawV2.Store(true)
				case body == "version 1" && sawV2.Load():
					wrongOrder.Add(1)
				}
				served.Add(1)
			}
		}()
	}
	time.Sleep(300 * time.Millisecond)
	devWrite(t, filepath.Join(dir, "main.go"), devVersion("2"))
	deadline := time.Now().Add(60 * time.Second)
	for !sawV2.Load() && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	time.Sleep(300 * time.Millisecond)
	stopLoop()
	wg.Wait()
	if !sawV2.Load() {
		t.Fatal("the new build was never served")
	}
	if failures.Load() != 0 {
		t.Errorf("%d of %d requests failed across the swap", failures.Load(), served.Load())
	}
	if wrongOrder.Load() > 1*4 { // a request already in flight on the old build may still finish
		t.Errorf("%d requests got the old build after the new one served", wrongOrder.Load())
	}

	// A broken edit is printed and the last good build keeps serving.
	devWrite(t, filepath.Join(dir, "main.go"), "package main\n\nfunc main() { broken( }\n")
	deadline = time.Now().Add(60 * time.Second)
	for !strings.Contains(d.out.String(), "the build failed; still serving the previous build") && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if !strings.Contains(d.out.String(), "the build failed; still serving the previous build") {
		t.Fatalf("the failed build was not reported:\n%s", d.out)
	}
	if status, body, err := devGet(d.URL + "/"); err != nil || status != 200 || body != "version 2" {
		t.Errorf("after a failed build: %d %q %v, want 200 \"version 2\"", status, body, err)
	}
}

func TestDevFunctionThatCannotStartAnswersFunctionErrorsAndSaysWhy(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		handler string
		says    []string
	}{
		{"a bootstrap that exits at once", "exitatonce",
			[]string{"exitatonce: DATABASE_URL is not set", "exited before asking for an invoke", "exit status 2"}},
		{"a handler that never calls the runtime", "noinit",
			[]string{"INIT_REPORT Init Duration: 300.00 ms\tPhase: init\tStatus: timeout", "must call lambda.Start"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d := startDev(t, Config{Dir: "..", Handler: "./localdev/function/testdata/handlers/" + tt.handler},
				WithFunctionOptions(function.WithInitTimeout(300*time.Millisecond)))
			status, body, err := devGet(d.URL + "/")
			if err != nil || status != 502 || body != `{"message":"Internal server error"}` {
				t.Errorf("GET / = %d %q %v, want REST's 502 {\"message\":\"Internal server error\"}", status, body, err)
			}
			for _, want := range tt.says {
				if !strings.Contains(d.out.String(), want) {
					t.Errorf("dev output lacks %q:\n%s", want, d.out)
				}
			}
		})
	}
}

func TestDevServesSixtyFourConcurrentClientsThroughTheGateway(t *testing.T) {
	t.Parallel()
	d := startDev(t, Config{Dir: "..", Handler: "./lambda"})
	var wg sync.WaitGroup
	var failed atomic.Int64
	for range 64 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if status, body, err := devGet(d.URL + "/hello"); err != nil || status != 200 {
				failed.Add(1)
				t.Logf("GET /hello = %d %q %v", status, body, err)
			}
		}()
	}
	wg.Wait()
	if n := failed.Load(); n != 0 {
		t.Errorf("%d of 64 concurrent clients were not served", n)
	}
}

func TestDevWithAHandlerPackageThatIsNotMainSaysSo(t *testing.T) {
	t.Parallel()
	err := Dev(context.Background(), Config{Dir: "..", Handler: "./localdev/function", ProxyAddr: "127.0.0.1:0", FunctionURL: "http://127.0.0.1:0"},
		WithDevOutput(io.Discard))
	if err == nil || !strings.Contains(err.Error(), "must name the handler's package main") {
		t.Errorf("Dev = %v, want an error saying the handler must be package main", err)
	}
}

func TestReadFunctionEnvReadsComposesEnvFileFormat(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		content string
		want    []string
		wantErr string
	}{
		{"pairs, comments and blank lines", "# header\n\nTABLE=orders\nURL=http://x?a=b\n", []string{"TABLE=orders", "URL=http://x?a=b"}, ""},
		{"one pair of matching quotes is removed", "A=\"quoted value\"\nB='single'\nC=\"unmatched'\n", []string{"A=quoted value", "B=single", "C=\"unmatched'"}, ""},
		{"a bare KEY takes nothing from dev's environment", "HOME\nX=1\n", []string{"X=1"}, ""},
		{"a key with spaces is an error naming the line", "X=1\nBAD KEY=2\n", nil, "function.env:2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), "function.env")
			devWrite(t, path, tt.content)
			got, err := readFunctionEnv(path)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Errorf("error = %v, want one naming %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || strings.Join(got, "|") != strings.Join(tt.want, "|") {
				t.Errorf("readFunctionEnv = %q, %v; want %q", got, err, tt.want)
			}
		})
	}
	if env, err := readFunctionEnv(filepath.Join(t.TempDir(), "missing.env")); env != nil || err != nil {
		t.Errorf("a missing file gave %q, %v; want none", env, err)
	}
}

func TestDevPassesLocaldevFunctionEnvToTheFunction(t *testing.T) {
	t.Parallel()
	dir := devModule(t)
	devWrite(t, filepath.Join(dir, "main.go"), strings.Replace(strings.Replace(devHandlerSource, `"version VERSION"`, `os.Getenv("GREETING")`, 1),
		`"context"`, "\"context\"\n\t\"os\"", 1))
	devWrite(t, filepath.Join(dir, "localdev", "function.env"), "# mine\nGREETING=hello from function.env\n")
	d := startDev(t, Config{Dir: dir})
	if status, body, err := devGet(d.URL + "/"); err != nil || status != 200 || body != "hello from function.env" {
		t.Errorf("GET / = %d %q %v, want the variable from localdev/function.env", status, body, err)
	}
}

func TestDevKeepsWarmEnvironmentsWhenAChangeDoesNotReachTheBuild(t *testing.T) {
	t.Parallel()
	dir := devModule(t)
	d := startDev(t, Config{Dir: dir}, WithPollInterval(50*time.Millisecond))
	if status, body, err := devGet(d.URL + "/"); err != nil || status != 200 || body != "version 1" {
		t.Fatalf("first request: %d %q %v", status, body, err)
	}

	// A package the handler does not import, and the file mage writes while it compiles a
	// magefile: neither can change the bootstrap.
	devWrite(t, filepath.Join(dir, "tools", "tools.go"), "package tools\n\nconst Unused = 1\n")
	devWrite(t, filepath.Join(dir, "magefiles", mageOutputFile), "//go:build ignore\n\npackage main\n")
	waitOutput(t, d.out, "lambdalocal dev: the build did not change; still serving it", 30*time.Second)

	if status, body, err := devGet(d.URL + "/"); err != nil || status != 200 || body != "version 1" {
		t.Fatalf("after the change: %d %q %v", status, body, err)
	}
	// A new environment would print Init Duration on its first REPORT line: the warm one does not.
	if n := strings.Count(d.out.String(), "Init Duration"); n != 1 {
		t.Errorf("%d cold starts, want the first one only:\n%s", n, d.out)
	}
	if strings.Contains(d.out.String(), "magefiles") {
		t.Errorf("mage's generated file was reported as a change:\n%s", d.out)
	}
}

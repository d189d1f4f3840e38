package localdev

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lambdalocal/lambdalocal/proxy"

	"github.com/lambdalocal/lambdalocal/internal/testenv"
)

// twoFunctions are the handlers functionsModule(t, "fa", "fb") writes.
var twoFunctions = []Function{{"fa", "./fa"}, {"fb", "./fb"}}

// twoRoutes routes /a/… to fa and /b/… to fb, naming the functions the configuration declares.
const twoRoutes = "# two functions, declared by the configuration\nGET /a/{x} fa\nGET /b/{x} fb\n"

// freePorts returns the first of n consecutive TCP ports on 127.0.0.1 that were free a moment
// ago.
func freePorts(t testing.TB, n int) int {
	t.Helper()
	for range 50 {
		first, _ := strconv.Atoi(freePort(t))
		ok := first+n-1 <= 65535
		for p := first + 1; ok && p < first+n; p++ {
			l, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(p))
			if err != nil {
				ok = false
				break
			}
			l.Close()
		}
		if ok {
			return first
		}
	}
	t.Fatalf("no %d consecutive free ports", n)
	return 0
}

// twoFunctionProject makes a module with functions fa and fb on two consecutive free ports,
// its base pinned to base, and a Compose project for it (testProject removes its images).
func twoFunctionProject(t testing.TB, base string, v ComposeVersion) (Config, string) {
	t.Helper()
	dir := functionsModule(t, "fa", "fb")
	cfg := Config{Dir: dir, BaseImage: base, FunctionURL: fmt.Sprintf("http://127.0.0.1:%d", freePorts(t, 2)), Functions: twoFunctions}.WithDefaults()
	if _, err := Pin(context.Background(), cfg, WithPinOutput(io.Discard)); err != nil {
		t.Fatal(err)
	}
	project := testProject(t, cfg, v)
	return cfg, project
}

// Two functions behind one gateway on Docker: build builds each into its own folder, up runs
// one service each on consecutive ports and waits for both, the API Gateway emulator reaches
// each function by the name the routes file gives, and down leaves nothing.
func TestTwoFunctionsOnDocker(t *testing.T) {
	testenv.RequireDocker(t)
	base := pushTestBase(t)
	for _, v := range []ComposeVersion{ComposeV2, ComposeV1} {
		t.Run(v.String(), func(t *testing.T) {
			requireCompose(t, v)
			ctx := context.Background()
			cfg, project := twoFunctionProject(t, base.Ref, v)
			log := &testWriter{t: t}
			if err := Build(ctx, cfg, WithOutput(log)); err != nil {
				t.Fatalf("build: %v", err)
			}
			for _, f := range twoFunctions {
				if _, err := os.Stat(filepath.Join(cfg.Dir, "localdev", "var-runtime", f.Name, "bootstrap")); err != nil {
					t.Fatalf("build did not write %s's bootstrap: %v", f.Name, err)
				}
			}
			if err := Up(ctx, cfg, WithCompose(v), WithProject(project), WithOutput(log)); err != nil {
				t.Fatalf("up: %v", err)
			}
			ins, err := Instances(cfg)
			if err != nil {
				t.Fatal(err)
			}
			for _, in := range ins {
				if got, err := askFunction(ctx, in.URL, "/direct"); err != nil || got != in.Name+" 1 /direct" {
					t.Errorf("function %s at %s answers %q, %v", in.Name, in.URL, got, err)
				}
			}

			// The gateway as `go tool mage proxy` runs it: the routes name the configured functions.
			routes := filepath.Join(cfg.Dir, "routes.txt")
			devWrite(t, routes, twoRoutes)
			gwURL := "http://127.0.0.1:" + freePort(t)
			gwCtx, stopGateway := context.WithCancel(ctx)
			gwDone := make(chan error, 1)
			go func() {
				gwDone <- proxy.Run(gwCtx, proxy.Config{Addr: strings.TrimPrefix(gwURL, "http://"), RoutesFile: routes, Functions: GatewayFunctions(ins), AccessLog: io.Discard})
			}()
			for path, want := range map[string]string{"/a/1": "fa 1 /a/1", "/b/2": "fb 1 /b/2"} {
				var status int
				var body string
				var err error
				for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
					if status, body, err = devGet(gwURL + path); err == nil {
						break
					}
				}
				if err != nil || status != 200 || body != want {
					t.Errorf("GET %s = %d %q %v, want 200 %q", path, status, body, err, want)
				}
			}
			stopGateway()
			if err := <-gwDone; err != nil {
				t.Errorf("the gateway ended with %v", err)
			}

			var logs strings.Builder
			if err := Logs(ctx, cfg, WithCompose(v), WithProject(project), WithOutput(&logs)); err != nil {
				t.Fatalf("logs: %v", err)
			}
			for _, f := range twoFunctions {
				if !strings.Contains(logs.String(), f.Name+"-1") && !strings.Contains(logs.String(), f.Name+"_1") {
					t.Errorf("logs lack the lines of %s:\n%s", f.Name, logs.String())
				}
			}
			if err := Down(ctx, cfg, WithCompose(v), WithProject(project), WithOutput(log)); err != nil {
				t.Fatalf("down: %v", err)
			}
			assertNothingLeft(t, project)
		})
	}
}

// Watch with two functions: an edit to one handler is served by the same stack, and only that
// function's container restarts: the other's StartedAt does not move.
func TestWatchOnDockerRestartsOnlyTheChangedFunction(t *testing.T) {
	testenv.RequireDocker(t)
	base := pushTestBase(t)
	ctx := context.Background()
	cfg, project := twoFunctionProject(t, base.Ref, ComposeAuto)
	w := startWatch(t, cfg, WithProject(project))
	ins, err := Instances(cfg)
	if err != nil {
		t.Fatal(err)
	}
	fa, fb := ins[0], ins[1]
	awaitAnswer(t, fa.URL, "/x", "fa 1 /x", 10*time.Second)
	awaitAnswer(t, fb.URL, "/x", "fb 1 /x", 10*time.Second)
	faStarted, fbStarted := startedAt(t, project, "fa"), startedAt(t, project, "fb")

	devWrite(t, filepath.Join(cfg.Dir, "fb", "main.go"), functionSource("fb", "2"))
	took := awaitAnswer(t, fb.URL, "/x", "fb 2 /x", time.Minute)
	t.Logf("edit to serving: %s", took)
	waitOutput(t, w.out, "watch: fb serving the new build", time.Minute)
	if got := startedAt(t, project, "fb"); got == fbStarted {
		t.Errorf("fb's container was not restarted (started %s)", got)
	}
	if got := startedAt(t, project, "fa"); got != faStarted {
		t.Errorf("fa's container was restarted (started %s, then %s): only the changed function should be", faStarted, got)
	}
	if got, err := askFunction(ctx, fa.URL, "/x"); err != nil || got != "fa 1 /x" {
		t.Errorf("fa answers %q, %v after fb's change", got, err)
	}
	w.stop(t)
	if err := Down(ctx, cfg, WithProject(project)); err != nil {
		t.Fatal(err)
	}
	assertNothingLeft(t, project)
}

// Two functions in dev: one pool and one invoke endpoint each, and one gateway whose routes file
// names them without URLs; each route reaches its own function, and an edit to one rebuilds it.
func TestDevRoutesEachFunctionToItsOwnPool(t *testing.T) {
	t.Parallel()
	dir := functionsModule(t, "fa", "fb")
	routes := filepath.Join(dir, "routes.txt")
	devWrite(t, routes, twoRoutes)
	d := startDev(t, Config{Dir: dir, Routes: routes, Functions: twoFunctions}, WithPollInterval(50*time.Millisecond))
	for path, want := range map[string]string{"/a/1": "fa 1 /a/1", "/b/2": "fb 1 /b/2"} {
		if status, body, err := devGet(d.URL + path); err != nil || status != 200 || body != want {
			t.Errorf("GET %s = %d %q %v, want 200 %q", path, status, body, err, want)
		}
	}
	if len(d.Functions) != 2 || d.Functions["fa"] == d.Functions["fb"] {
		t.Fatalf("invoke endpoints = %v, want one for each function", d.Functions)
	}
	for name, url := range d.Functions {
		if got, err := askFunction(context.Background(), url, "/direct"); err != nil || got != name+" 1 /direct" {
			t.Errorf("invoke endpoint of %s answers %q, %v", name, got, err)
		}
	}
	devWrite(t, filepath.Join(dir, "fb", "main.go"), functionSource("fb", "2"))
	deadline := time.Now().Add(time.Minute)
	for {
		if _, body, _ := devGet(d.URL + "/b/2"); body == "fb 2 /b/2" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the edit of fb is not served after a minute:\n%s", d.out)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if _, body, _ := devGet(d.URL + "/a/1"); body != "fa 1 /a/1" {
		t.Errorf("GET /a/1 = %q after fb's edit, want fa unchanged", body)
	}
	// fa's bytes did not change: its build, and its warm environment, stay.
	waitOutput(t, d.out, "lambdalocal dev: fa did not change; still serving its build", 10*time.Second)
	if !strings.Contains(d.out.String(), "lambdalocal dev: rebuilt fb in") {
		t.Errorf("dev did not say it rebuilt fb:\n%s", d.out)
	}
}

// dev's refusals for several functions, each saying what to do.
func TestDevSeveralFunctionsRefusals(t *testing.T) {
	t.Parallel()
	dir := functionsModule(t, "fa", "fb")
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		devWrite(t, p, content)
		return p
	}
	tests := []struct {
		name   string
		routes string
		is     error
		wantIn []string
	}{
		{"no routes file", "", ErrNoRoutes, []string{"LAMBDALOCAL_ROUTES", "fa and fb"}},
		{"a route naming an unknown function", write("unknown.txt", "GET /a/{x} fa\nGET /c/{x} fc\n"), nil, []string{"unknown.txt:2", `"fc"`}},
		{"a function line for a configured function", write("dup.txt", "function fa http://127.0.0.1:9999\nGET /a/{x} fa\n"), nil, []string{"dup.txt:1", "function fa is declared by the configuration"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg := Config{Dir: dir, Routes: tt.routes, Functions: twoFunctions, ProxyAddr: "127.0.0.1:0", FunctionURL: "http://127.0.0.1:0"}
			err := Dev(context.Background(), cfg, WithDevOutput(io.Discard))
			if err == nil || (tt.is != nil && !errors.Is(err, tt.is)) {
				t.Fatalf("Dev = %v, want a refusal", err)
			}
			for _, w := range tt.wantIn {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
		})
	}
}

// invoke with several functions sends a generated request to the function its route names,
// at that function's own port, as the gateway would.
func TestInvokeReachesTheFunctionTheRouteNames(t *testing.T) {
	t.Parallel()
	dir := functionsModule(t, "fa", "fb")
	routes := filepath.Join(dir, "routes.txt")
	devWrite(t, routes, twoRoutes)
	cfg := Config{Dir: dir, Routes: routes, Functions: twoFunctions, FunctionURL: fmt.Sprintf("http://127.0.0.1:%d", freePorts(t, 2))}
	d := startDev(t, cfg)
	if want := cfg.FunctionURL; d.Functions["fa"] != want {
		t.Fatalf("fa serves at %s, want %s", d.Functions["fa"], want)
	}
	for request, want := range map[string]string{"GET /a/1": "fa 1 /a/1", "GET /b/2": "fb 1 /b/2"} {
		out, progress, err := invRun(t, cfg, request)
		if err != nil || !strings.Contains(out, want) {
			t.Errorf("invoke %q = %v\n%s\n%s\nwant the answer %q", request, err, out, progress, want)
		}
	}
}

// Debugging runs one function: build, up and dev refuse several at once before doing anything,
// naming the setting that picks one.
func TestDebugSeveralFunctionsIsRefused(t *testing.T) {
	t.Parallel()
	cfg := Config{Dir: t.TempDir(), Functions: twoFunctions, Debug: true, ProxyAddr: "127.0.0.1:0", FunctionURL: "http://127.0.0.1:0"}
	for name, run := range map[string]func() error{
		"build": func() error { return Build(context.Background(), cfg) },
		"up":    func() error { return Up(context.Background(), cfg, WithProject("lltest-never-started")) },
		"dev":   func() error { return Dev(context.Background(), cfg, WithDevOutput(io.Discard)) },
	} {
		if err := run(); !errors.Is(err, ErrDebugSeveral) || !strings.Contains(err.Error(), "LAMBDALOCAL_FUNCTIONS=fa=./fa") {
			t.Errorf("%s = %v, want ErrDebugSeveral naming LAMBDALOCAL_FUNCTIONS", name, err)
		}
	}
}

// A taken port of the second function is named with the function and the variable that moves
// the ports.
func TestCheckPortsNamesTheFunction(t *testing.T) {
	t.Parallel()
	first := freePorts(t, 2)
	taken, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", first+1))
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	ins, err := Instances(Config{Functions: twoFunctions, FunctionURL: fmt.Sprintf("http://127.0.0.1:%d", first)})
	if err != nil {
		t.Fatal(err)
	}
	err = checkPorts(ins)
	if !errors.Is(err, ErrPortInUse) || !strings.Contains(err.Error(), "function fb") || !strings.Contains(err.Error(), "LAMBDALOCAL_FUNCTION_URL") {
		t.Fatalf("checkPorts = %v, want ErrPortInUse naming fb and LAMBDALOCAL_FUNCTION_URL", err)
	}
}

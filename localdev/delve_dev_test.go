package localdev

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/lambdalocal/lambdalocal/internal/dlvtest"
)

func TestDebugCommandRunsTheBootstrapUnderDelve(t *testing.T) {
	t.Parallel()
	addr := "127.0.0.1:" + freePort(t)
	got := debugCommand("/cache/dlv", addr)("/b/bootstrap")
	want := append([]string{"/cache/dlv"}, delveArgs(addr, "/b/bootstrap")...)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("debugCommand = %q, want %q", got, want)
	}
}

// While the port is held (by the Delve of a retired build), the command waits for it.
func TestDebugCommandWaitsForThePort(t *testing.T) {
	t.Parallel()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	time.AfterFunc(300*time.Millisecond, func() { l.Close() })
	start := time.Now()
	debugCommand("/cache/dlv", l.Addr().String())("/b/bootstrap")
	if d := time.Since(start); d < 250*time.Millisecond {
		t.Errorf("the command returned after %s, while the port was held for 300ms", d)
	}
}

// handleLine returns the line of lambda/handler.go where handle decodes the event's version:
// found by its content, so that edits to the example move the breakpoint with it.
func handleLine(t testing.TB) int {
	t.Helper()
	src, err := os.ReadFile(filepath.Join("..", "lambda", "handler.go"))
	if err != nil {
		t.Fatal(err)
	}
	inHandle := false
	for i, l := range strings.Split(string(src), "\n") {
		if strings.HasPrefix(l, "func handle(") {
			inHandle = true
		}
		if inHandle && strings.Contains(l, "json.Unmarshal(raw, &probe)") {
			return i + 1
		}
	}
	t.Fatal("lambda/handler.go: no json.Unmarshal(raw, &probe) line in func handle")
	return 0
}

// debugSession attaches to Delve at addr, stops the example function at handleLine, sends a
// request through the gateway at gatewayURL, checks that it stops there and that the request
// waits, holds it past the configured 1 s timeout, continues, and checks the answer. It returns
// the debugged process's pid.
//
// The breakpoint is set as an IDE does, by the file's path on this machine, under the module
// folder dir, with the path rule docs/debugging.md gives, in the JSON-RPC API's direction:
// the module path (in the binary) -> dir.
func debugSession(t *testing.T, addr, gatewayURL, dir string) int {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, err := dlvtest.Dial(ctx, addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Halt(); err != nil { // a --continue program runs; breakpoints need it stopped
		t.Fatal(err)
	}
	line := handleLine(t)
	local := filepath.Join(dir, "lambda", "handler.go")
	bp, err := c.CreateBreakpoint(local+":"+strconv.Itoa(line), [2]string{"github.com/lambdalocal/lambdalocal", dir})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("breakpoint %d at %s:%d (%s)", bp.ID, bp.File, bp.Line, bp.FunctionName)
	if bp.File != exampleHandlerFile || bp.Line != line || bp.FunctionName != "main.handle" {
		t.Fatalf("breakpoint at %s:%d in %q, want %s:%d in main.handle", bp.File, bp.Line, bp.FunctionName, exampleHandlerFile, line)
	}
	stopped := make(chan dlvtest.State, 1)
	go func() {
		st, err := c.Continue()
		if err != nil {
			t.Errorf("continue: %v", err)
		}
		stopped <- st
	}()

	type answer struct {
		status int
		body   string
		err    error
	}
	answered := make(chan answer, 1)
	go func() {
		status, body, err := devGet(gatewayURL + "/hello/json")
		answered <- answer{status, body, err}
	}()
	var st dlvtest.State
	select {
	case st = <-stopped:
	case a := <-answered:
		t.Fatalf("the request was answered (%d %q %v) without stopping at the breakpoint", a.status, a.body, a.err)
	case <-time.After(time.Minute):
		t.Fatal("the breakpoint was not hit within a minute")
	}
	file, l, ok := st.StoppedAt()
	if !ok || l != line || file != exampleHandlerFile {
		t.Fatalf("stopped at %s:%d (at a breakpoint: %v), want %s:%d", file, l, ok, exampleHandlerFile, line)
	}
	if f := st.CurrentThread.Function; f == nil || f.Name != "main.handle" {
		t.Errorf("stopped in %+v, want main.handle", f)
	}
	// The request waits while the function is stopped, longer than the 1 s timeout configured.
	select {
	case a := <-answered:
		t.Fatalf("the request was answered (%d %q %v) while the function was stopped", a.status, a.body, a.err)
	case <-time.After(2 * time.Second):
	}
	c.Resume()
	select {
	case a := <-answered:
		if a.err != nil || a.status != http.StatusOK || !strings.Contains(a.body, `"path":"/hello/json"`) {
			t.Errorf("after continue: %d %q %v, want 200 and the event echoed", a.status, a.body, a.err)
		}
	case <-time.After(time.Minute):
		t.Fatal("no answer within a minute of continuing")
	}
	return st.Pid
}

// Dev with Debug: Delve listens before the first request; a debugger stops the example function
// at a breakpoint in handle, the request through the gateway waits past the function timeout
// and gets its answer after continue; stopping dev ends the debugged process too.
func TestDevDebugStopsAtABreakpointInTheHandler(t *testing.T) {
	t.Parallel()
	port := freePort(t)
	n, _ := strconv.Atoi(port)
	cfg := Config{Dir: exampleModule(t), Handler: "./lambda", Debug: true, DebugPort: n, Timeout: time.Second}
	d := startDev(t, cfg)
	for _, want := range []string{"debug: Delve " + DelveVersion + " (headless, API v2) listens on 127.0.0.1:" + port, "timeouts are 15m0s"} {
		if !strings.Contains(d.out.String(), want) {
			t.Errorf("dev output lacks %q:\n%s", want, d.out)
		}
	}
	pid := debugSession(t, "127.0.0.1:"+port, d.URL, cfg.Dir)
	if err := d.stop(t); err != nil {
		t.Fatalf("dev ended with %v", err)
	}
	if pid == 0 {
		t.Fatal("Delve reported no pid")
	}
	deadline := time.Now().Add(10 * time.Second)
	for syscall.Kill(pid, 0) == nil && !zombie(pid) {
		if time.Now().After(deadline) {
			_ = syscall.Kill(pid, syscall.SIGKILL)
			t.Fatalf("the debugged process %d still runs after dev stopped", pid)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// zombie reports whether pid has exited and waits to be reaped (Linux; elsewhere false).
func zombie(pid int) bool {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	f := strings.Fields(string(b))
	return len(f) > 2 && f[2] == "Z"
}

// exampleHandlerFile is lambda/handler.go as a -trimpath build names it, and so as Delve knows
// it: by module path. "lambda/handler.go" alone would also match aws-lambda-go's own
// lambda/handler.go.
const exampleHandlerFile = "github.com/lambdalocal/lambdalocal/lambda/handler.go"

// After a rebuild on save, the new build runs under a new Delve on the same port at once: the
// old Delve (and its program) ended, a client attaches again, and requests get the new build.
func TestDevDebugRestartsDelveOnRebuild(t *testing.T) {
	t.Parallel()
	dir := devModule(t)
	port := freePort(t)
	n, _ := strconv.Atoi(port)
	d := startDev(t, Config{Dir: dir, Debug: true, DebugPort: n}, WithPollInterval(50*time.Millisecond))
	addr := "127.0.0.1:" + port
	pidOf := func() int {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		c, err := dlvtest.Dial(ctx, addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		st, err := c.Halt() // Delve answers most calls only about a stopped program
		if err != nil {
			t.Fatal(err)
		}
		c.Resume() // runs on after the client leaves
		return st.Pid
	}
	first := pidOf()
	devWrite(t, filepath.Join(dir, "main.go"), devVersion("2"))
	deadline := time.Now().Add(time.Minute)
	for strings.Count(d.out.String(), "(headless, API v2) listens on "+addr) < 2 {
		if time.Now().After(deadline) {
			t.Fatalf("no second Delve within a minute of the edit:\n%s", d.out)
		}
		time.Sleep(20 * time.Millisecond)
	}
	second := pidOf()
	if second == 0 || second == first {
		t.Errorf("after the rebuild Delve debugs pid %d, want a new process (was %d)", second, first)
	}
	if syscall.Kill(first, 0) == nil && !zombie(first) {
		t.Errorf("the old build's process %d still runs", first)
	}
	if status, body, err := devGet(d.URL + "/"); err != nil || status != 200 || body != "version 2" {
		t.Errorf("after the rebuild: %d %q %v, want 200 \"version 2\"", status, body, err)
	}
}

// A taken debug port stops dev before it builds anything, naming the variable that moves it.
func TestDevDebugWithATakenPortSaysWhichVariableMovesIt(t *testing.T) {
	t.Parallel()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	cfg := Config{Dir: devModule(t), Debug: true, DebugPort: l.Addr().(*net.TCPAddr).Port,
		ProxyAddr: "127.0.0.1:0", FunctionURL: "http://127.0.0.1:0"}
	err = Dev(context.Background(), cfg, WithDevOutput(io.Discard))
	if !errors.Is(err, ErrPortInUse) || !strings.Contains(err.Error(), "LAMBDALOCAL_DEBUG_PORT") {
		t.Fatalf("Dev = %v, want ErrPortInUse naming LAMBDALOCAL_DEBUG_PORT", err)
	}
}

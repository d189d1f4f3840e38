//go:build unix

package dlvtest_test

import (
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/lambdalocal/lambdalocal/internal/dlvtest"
	"github.com/lambdalocal/lambdalocal/localdev"
)

// A real headless Delve runs a real program: the client stops it at a breakpoint found by the
// line's content, sees where it stopped, lets it go on and stops it again, then ends the session.
func TestClientStopsAtABreakpointAndContinues(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	dir := t.TempDir()
	if _, err := localdev.BuildDelve(ctx, dir, runtime.GOARCH); err != nil {
		t.Fatal(err)
	}
	prog := filepath.Join(dir, "ticker")
	build := exec.CommandContext(ctx, "go", "build", "-trimpath", "-gcflags", localdev.DebugGCFlags, "-o", prog, "./testdata/ticker")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building the test program: %v\n%s", err, out)
	}
	addr := freeAddr(t)
	dlv := exec.CommandContext(ctx, localdev.DelvePath(dir, runtime.GOARCH), "exec", prog, "--headless", "--listen="+addr,
		"--api-version=2", "--accept-multiclient", "--continue")
	dlv.Stdout, dlv.Stderr = os.Stderr, os.Stderr
	if err := dlv.Start(); err != nil {
		t.Fatal(err)
	}
	// Asked with SIGTERM, Delve ends the program it started (in a process group of its own).
	defer func() { _ = dlv.Process.Signal(syscall.SIGTERM); _ = dlv.Wait() }()

	c, err := dlvtest.Dial(ctx, addr)
	if err != nil {
		t.Fatal(err)
	}
	// Delve continues the program (--continue) through a client of its own, a moment after it
	// starts listening.
	for deadline := time.Now().Add(10 * time.Second); ; {
		st, err := c.State()
		if err != nil {
			t.Fatal(err)
		}
		if st.Running {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("State of a --continue session = %+v; want running", st)
		}
		time.Sleep(10 * time.Millisecond)
	}
	// A breakpoint is set on a stopped program: halt first, as IDEs do.
	st, err := c.Halt()
	if err != nil {
		t.Fatal(err)
	}
	if st.Pid == 0 || st.Pid == dlv.Process.Pid {
		t.Errorf("halted state's pid = %d, want the program's, not Delve's %d", st.Pid, dlv.Process.Pid)
	}
	line := lineOf(t, "testdata/ticker/main.go", "dlvtest: breakpoint here")
	bp, err := c.CreateBreakpoint("ticker/main.go:" + itoa(line))
	if err != nil {
		t.Fatal(err)
	}
	if bp.Line != line || !strings.HasSuffix(bp.File, "ticker/main.go") {
		t.Errorf("breakpoint at %s:%d, want ticker/main.go:%d", bp.File, bp.Line, line)
	}
	for i := 0; i < 2; i++ {
		st, err := c.Continue()
		if err != nil {
			t.Fatal(err)
		}
		file, l, ok := st.StoppedAt()
		if !ok || l != line || !strings.HasSuffix(file, "ticker/main.go") {
			t.Fatalf("continue %d stopped at %s:%d (at a breakpoint: %v), want ticker/main.go:%d", i+1, file, l, ok, line)
		}
		if f := st.CurrentThread.Function; f == nil || f.Name != "main.tick" {
			t.Errorf("stopped in %+v, want main.tick", f)
		}
	}
	if err := c.Detach(true); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- dlv.Wait() }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Error("Delve did not exit after Detach")
	}
}

func TestDialGivesUpWhenItsContextEnds(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	addr := freeAddr(t) // nobody listens
	if _, err := dlvtest.Dial(ctx, addr); err == nil || !strings.Contains(err.Error(), addr) {
		t.Fatalf("Dial of a closed port = %v, want an error naming %s", err, addr)
	}
}

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// lineOf returns the number of the first line of file that contains text.
func lineOf(t *testing.T, file, text string) int {
	t.Helper()
	src, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	for i, l := range strings.Split(string(src), "\n") {
		if strings.Contains(l, text) {
			return i + 1
		}
	}
	t.Fatalf("no line of %s contains %q", file, text)
	return 0
}

func itoa(n int) string { return strconv.Itoa(n) }

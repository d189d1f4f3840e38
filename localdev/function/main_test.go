package function_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/lambdalocal/lambdalocal/localdev/function"

	"github.com/lambdalocal/lambdalocal/internal/testenv"
)

// handlerNames are the test handlers in testdata/handlers, built once for the host.
var handlerNames = []string{"echo", "handlederror", "panic", "exit", "sleep", "noinit", "exitatonce", "large", "clientcontext", "pid", "spawn"}

var (
	binDir     string
	moduleRoot string
)

func TestMain(m *testing.M) {
	code, err := run(m)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Exit(code)
}

func run(m *testing.M) (int, error) {
	dir, err := os.MkdirTemp("", "function-test-")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(dir)
	binDir = dir
	moduleRoot, err = filepath.Abs("../..")
	if err != nil {
		return 0, err
	}
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make([]error, len(handlerNames))
	sem := make(chan struct{}, 2)
	for i, name := range handlerNames {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			errs[i] = compileHandler(ctx, "./localdev/function/testdata/handlers/"+name, filepath.Join(dir, name, "bootstrap"))
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return 0, err
		}
	}
	return m.Run(), nil
}

// compileHandler builds a test handler for the host with Lambda's flags, as localdev.Compile
// does (this package's tests do not import localdev, which imports this package).
func compileHandler(ctx context.Context, pkg, out string) error {
	cmd := exec.CommandContext(ctx, "go", "build", "-trimpath", "-tags", "lambda.norpc", "-ldflags", "-s -w", "-o", out, pkg)
	cmd.Dir = moduleRoot
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS="+runtime.GOOS, "GOARCH="+runtime.GOARCH)
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("building %s: %w\n%s", pkg, err, b)
	}
	return nil
}

// bootstrap returns the path of a built test handler.
func bootstrap(name string) string { return filepath.Join(binDir, name, "bootstrap") }

// newPool starts a Pool on a test handler, closed when the test ends.
func newPool(t *testing.T, name string, opts ...function.Option) (*function.Pool, *testenv.SyncBuffer) {
	t.Helper()
	logs := &testenv.SyncBuffer{}
	p, err := function.New(bootstrap(name), append([]function.Option{function.WithLogs(logs)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = p.Close()
		if t.Failed() {
			t.Logf("function logs:\n%s", logs)
		}
	})
	return p, logs
}

// alive reports whether a process exists.
func alive(pid int) bool {
	return syscall.Kill(pid, 0) == nil
}

// waitGone waits until none of pids exists.
func waitGone(t *testing.T, pids ...int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for _, pid := range pids {
		for alive(pid) && !isZombie(pid) {
			if time.Now().After(deadline) {
				t.Fatalf("process %d is still running", pid)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
}

// isZombie reports whether pid has exited and only waits to be reaped (Linux only; elsewhere
// false).
func isZombie(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	f := strings.Fields(string(b))
	return len(f) > 2 && f[2] == "Z"
}

// buildRIE builds the real RIE once.
var buildRIE = sync.OnceValues(func() (string, error) {
	out := filepath.Join(binDir, "aws-lambda-rie")
	cmd := exec.Command("go", "build", "-o", out, "github.com/aws/aws-lambda-runtime-interface-emulator/cmd/aws-lambda-rie")
	cmd.Dir = moduleRoot
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("building the RIE: %w\n%s", err, b)
	}
	return out, nil
})

//go:build unix

package function_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/lambdalocal/lambdalocal/localdev/function"
)

// wrapper writes a shell script that behaves as Delve does with the program it starts: the
// program runs in a session (and process group) of its own, and the script ends it when asked
// with SIGTERM. It says "wrapped <bootstrap>" on stderr and writes the program's pid to
// <script>.pid.
func wrapper(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "wrapper")
	script := `#!/bin/sh
echo "wrapped $1" >&2
setsid "$1" &
child=$!
echo $child > "$0.pid"
trap 'kill $child; wait $child; exit 0' TERM
wait $child
`
	if err := os.WriteFile(path, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return path
}

// A WithCommand process runs the bootstrap; stopping the environment asks the command to end,
// so the program it started outside its process group ends too, where a kill of the group
// alone would leave it running (here: for the rest of a 20 s invoke).
func TestWithCommandRunsTheBootstrapThroughItAndAsksItToEnd(t *testing.T) {
	t.Parallel()
	w := wrapper(t)
	p, logs := newPool(t, "pid", function.WithCommand(func(bootstrap string) []string { return []string{w, bootstrap} }))
	out, err := p.Invoke(context.Background(), []byte(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	var a struct{ PID int }
	if err := json.Unmarshal(out, &a); err != nil || a.PID == 0 {
		t.Fatalf("answer %s: %v", out, err)
	}
	if !strings.Contains(logs.String(), "wrapped "+bootstrap("pid")) {
		t.Errorf("logs lack the wrapper's line:\n%s", logs)
	}
	if pids := p.PIDs(); len(pids) != 1 || pids[0] == a.PID {
		t.Errorf("PIDs = %v, want the wrapper's, not the bootstrap's %d", pids, a.PID)
	}
	t.Cleanup(func() { _ = syscall.Kill(a.PID, syscall.SIGKILL) }) // should the test fail
	go func() { _, _ = p.Invoke(context.Background(), []byte(`{"ms":20000}`)) }()
	time.Sleep(200 * time.Millisecond) // the invoke is in flight
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	waitGone(t, a.PID)
}

// Warm runs init before the first invoke: the process is there at once, and the first invoke
// reuses it as a warm one.
func TestWarmStartsAnEnvironmentBeforeTheFirstInvoke(t *testing.T) {
	t.Parallel()
	p, logs := newPool(t, "pid", function.WithMaxEnvironments(1))
	if err := p.Warm(context.Background()); err != nil {
		t.Fatal(err)
	}
	pids := p.PIDs()
	if len(pids) != 1 {
		t.Fatalf("after Warm, PIDs = %v, want one environment", pids)
	}
	out, err := p.Do(context.Background(), function.Request{Payload: []byte(`{}`), RequestID: "first"})
	if err != nil {
		t.Fatal(err)
	}
	var a struct{ PID int }
	if err := json.Unmarshal(out.Payload, &a); err != nil || a.PID != pids[0] {
		t.Errorf("first invoke ran in %s, want the warmed process %d", out.Payload, pids[0])
	}
	for _, line := range strings.Split(logs.String(), "\n") {
		if strings.HasPrefix(line, "REPORT RequestId: first") && strings.Contains(line, "Init Duration") {
			t.Errorf("the invoke after Warm reports an init: %q", line)
		}
	}
	// A second Warm with an idle environment starts nothing.
	if err := p.Warm(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := p.PIDs(); len(got) != 1 || got[0] != pids[0] {
		t.Errorf("after a second Warm, PIDs = %v, want %v", got, pids)
	}
}

func TestWarmReportsAFailedInit(t *testing.T) {
	t.Parallel()
	p, _ := newPool(t, "exitatonce")
	err := p.Warm(context.Background())
	var ie *function.InitError
	if !errors.As(err, &ie) {
		t.Fatalf("Warm of a bootstrap that exits at once = %v, want an *InitError", err)
	}
}

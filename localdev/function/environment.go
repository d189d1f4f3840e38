package function

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// build is one compiled bootstrap; environments of an older build are retired after a swap.
type build struct {
	path string
	gen  int
}

// environment is one execution environment: a bootstrap process and the Runtime API it talks
// to. It runs one invoke at a time.
type environment struct {
	id    int
	build *build
	opts  *options
	sink  *logSink

	cmd      *exec.Cmd
	srv      *http.Server
	tags     [2]*lineTagger
	reqID    atomic.Pointer[string]
	ready    chan struct{}    // the runtime asked for the next invoke
	invokes  chan *invocation // hands an invoke to a waiting next
	initErr  chan []byte      // the runtime posted /init/error
	exited   chan struct{}    // closed when the process has exited
	exitErr  error            // the process's exit error, valid once exited is closed
	stopping chan struct{}
	stopOnce sync.Once

	mu       sync.Mutex
	current  *invocation
	initDur  time.Duration // reported on the first invoke only
	lastUsed time.Time
}

// startEnvironment starts the bootstrap of b with its own Runtime API and waits until it asks
// for its first invoke, it fails, or the init timeout passes.
func startEnvironment(ctx context.Context, id int, b *build, o *options, sink *logSink) (*environment, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("listening for the Runtime API: %w", err)
	}
	e := &environment{
		id: id, build: b, opts: o, sink: sink,
		ready: make(chan struct{}, 1), invokes: make(chan *invocation), initErr: make(chan []byte, 1),
		exited: make(chan struct{}), stopping: make(chan struct{}),
	}
	e.srv = &http.Server{Handler: e.runtimeAPI(), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = e.srv.Serve(ln) }()

	taskRoot := filepath.Dir(b.path)
	argv := []string{b.path}
	if o.command != nil {
		argv = o.command(b.path)
	}
	e.cmd = exec.Command(argv[0], argv[1:]...)
	e.cmd.Dir = taskRoot
	e.cmd.Env = environ(*o, ln.Addr().String(), taskRoot, logStreamName(time.Now()), os.LookupEnv)
	e.cmd.SysProcAttr = procAttr()
	e.cmd.WaitDelay = time.Second
	for i := range e.tags {
		e.tags[i] = &lineTagger{sink: sink, requestID: &e.reqID}
	}
	e.cmd.Stdout, e.cmd.Stderr = e.tags[0], e.tags[1]
	start := time.Now()
	if err := e.cmd.Start(); err != nil {
		_ = e.srv.Close()
		return nil, &InitError{Reason: InitStartFailed, Err: fmt.Errorf("starting bootstrap %s: %w", strings.Join(argv, " "), err)}
	}
	go e.wait()
	if err := e.awaitInit(ctx, start); err != nil {
		e.stop()
		return nil, err
	}
	e.initDur = time.Since(start)
	return e, nil
}

// awaitInit waits for the runtime's first next call.
func (e *environment) awaitInit(ctx context.Context, start time.Time) error {
	timer := time.NewTimer(e.opts.initTimeout)
	defer timer.Stop()
	select {
	case <-e.ready:
		return nil
	case body := <-e.initErr:
		return &InitError{Reason: InitErrorPosted, Body: body, Duration: time.Since(start)}
	case <-e.exited:
		return &InitError{Reason: InitExited, Err: e.exitErr, Duration: time.Since(start)}
	case <-timer.C:
		return &InitError{Reason: InitTimedOut, Duration: e.opts.initTimeout}
	case <-ctx.Done():
		return fmt.Errorf("waiting for the function to start: %w", ctx.Err())
	}
}

func (e *environment) wait() {
	e.exitErr = e.cmd.Wait()
	for _, t := range e.tags {
		t.flush()
	}
	close(e.exited)
}

// run performs one invoke. healthy is false when the environment must not be used again. A
// zero Result with a nil error means the process had died while idle and the invoke was not
// delivered: the caller tries another environment.
func (e *environment) run(ctx context.Context, inv *invocation, cold bool) (res Result, healthy bool, err error) {
	e.reqID.Store(&inv.RequestID)
	e.sink.line("", startLine(inv.RequestID))
	start := time.Now()
	inv.deadline = start.Add(e.opts.timeout)
	timer := time.NewTimer(e.opts.timeout)
	defer timer.Stop()
	rep := Report{RequestID: inv.RequestID, MemorySizeMB: e.opts.memoryMB}
	if cold {
		rep.Init = e.initDur
	}
	defer func() {
		if err != nil {
			return
		}
		if res.StatusCode == 0 {
			return // not delivered
		}
		rep.Duration = min(time.Since(start), e.opts.timeout)
		rep.MaxMemoryMB = e.peakMemory()
		if res.StatusCode != 200 || res.ErrorType == "Sandbox.Timedout" {
			rep.Status, rep.ErrorType = "error", res.ErrorType
		}
		if res.ErrorType == "Sandbox.Timedout" {
			rep.Status = "timeout"
		}
		e.sink.line("", endLine(inv.RequestID))
		e.sink.line("", rep.String())
	}()

	select {
	case <-e.exited:
		return Result{}, false, nil // the process died while idle: not delivered
	default:
	}
	select {
	case e.invokes <- inv:
	case <-e.exited:
		return Result{}, false, nil // the process died while idle: not delivered
	case <-ctx.Done():
		e.stop()
		return Result{}, false, fmt.Errorf("invoking the function: %w", ctx.Err())
	}
	select {
	case <-e.ready:
		return completedResult(inv), true, nil
	case <-e.exited:
		return e.crashResult(inv), false, nil
	case <-timer.C:
		msg := timeoutMessage(e.opts.timeout)
		e.sink.line(inv.RequestID, msg)
		e.stop()
		return Result{StatusCode: 200, Payload: []byte(msg), ErrorType: "Sandbox.Timedout", RequestID: inv.RequestID}, false, nil
	case <-ctx.Done():
		// The caller gave up: the process is ended rather than left running an invoke nobody
		// waits for, and the next invoke gets a fresh one.
		e.stop()
		return Result{}, false, fmt.Errorf("invoking the function: %w", ctx.Err())
	}
}

// completedResult is the answer once the runtime asked for its next invoke.
func completedResult(inv *invocation) Result {
	body, errorType, posted := inv.answer()
	if !posted {
		return Result{StatusCode: 502, RequestID: inv.RequestID, ErrorType: "Runtime.NoResponse",
			Payload: lambdaError("Runtime.NoResponse", inv.RequestID, "the runtime asked for the next invoke without answering this one")}
	}
	return Result{StatusCode: 200, Payload: body, ErrorType: errorType, RequestID: inv.RequestID}
}

// crashResult is the answer when the process ended with inv in flight: 502 with what the
// runtime posted (a panic's error JSON) or Lambda's Runtime.ExitError, as the RIE answers.
func (e *environment) crashResult(inv *invocation) Result {
	body, errorType, posted := inv.answer()
	if !posted || errorType == "" {
		reason := exitReason(e.exitErr)
		e.sink.line(inv.RequestID, "RequestId: "+inv.RequestID+" Error: "+reason)
		e.sink.line(inv.RequestID, "Runtime.ExitError")
		return Result{StatusCode: 502, Payload: lambdaError("Runtime.ExitError", inv.RequestID, reason),
			ErrorType: "Runtime.ExitError", RequestID: inv.RequestID}
	}
	return Result{StatusCode: 502, Payload: body, ErrorType: errorType, RequestID: inv.RequestID}
}

// exitReason says how the process ended, in Lambda's words.
func exitReason(err error) string {
	var ee *exec.ExitError
	if err == nil {
		return "Runtime exited without providing a reason"
	}
	if errors.As(err, &ee) {
		return "Runtime exited with error: " + ee.Error()
	}
	return "Runtime exited with error: " + err.Error()
}

func (e *environment) setCurrent(inv *invocation) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.current = inv
}

func (e *environment) currentInvocation() *invocation {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.current
}

func (e *environment) peakMemory() int {
	select {
	case <-e.exited:
		return -1
	default:
		return peakMemoryMB(e.cmd.Process.Pid)
	}
}

// pid returns the process id of the bootstrap.
func (e *environment) pid() int { return e.cmd.Process.Pid }

// stop kills the process group, closes the Runtime API and waits for the process to be gone.
// A WithCommand process is asked to end first (see WithCommand).
func (e *environment) stop() {
	e.stopOnce.Do(func() {
		close(e.stopping)
		if e.opts.command != nil && terminate(e.cmd) {
			select {
			case <-e.exited:
			case <-time.After(StopGrace):
			}
		}
		killGroup(e.cmd)
		_ = e.srv.Close()
	})
	<-e.exited
}

// logStreamName is Lambda's log stream name: date, version and a random id of the environment.
func logStreamName(now time.Time) string {
	return now.UTC().Format("2006/01/02") + "/[$LATEST]" + strings.ReplaceAll(newRequestID(), "-", "")
}

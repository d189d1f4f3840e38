package rietest

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os/exec"
	"strconv"
	"sync"
	"time"
)

// InvokePath is the RIE's invoke path (the Lambda Invoke API for the one function it runs).
const InvokePath = "/2015-03-31/functions/function/invocations"

// RIE is a running emulator process.
type RIE struct {
	// URL is the RIE's base URL, e.g. http://127.0.0.1:41234.
	URL string
	// InvokeURL is URL + InvokePath.
	InvokeURL string

	cmd  *exec.Cmd
	done chan struct{}
	err  error // the process's exit error, valid once done is closed
	logs *syncBuffer
	once sync.Once
}

// Start runs the RIE with bootstrap on free loopback ports and waits until it answers HTTP.
// The process gets a clean environment: only what the options set (the function timeout
// defaults to 30 s).
func Start(ctx context.Context, b Binaries, opts ...Option) (*RIE, error) {
	o := makeOptions(opts)
	addrs, err := freeAddrs(2)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(b.RIE, startArgs(addrs[0], addrs[1], b.Bootstrap)...)
	cmd.Env = o.environ()
	cmd.SysProcAttr = procAttr()
	logs := &syncBuffer{max: 1 << 20}
	cmd.Stdout, cmd.Stderr = logs, logs
	if o.logs != nil {
		cmd.Stdout, cmd.Stderr = io.MultiWriter(logs, o.logs), io.MultiWriter(logs, o.logs)
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting the RIE %s: %w", b.RIE, err)
	}
	r := &RIE{URL: "http://" + addrs[0], InvokeURL: "http://" + addrs[0] + InvokePath, cmd: cmd, done: make(chan struct{}), logs: logs}
	go func() { r.err = cmd.Wait(); close(r.done) }()
	if err := r.waitReady(ctx, o.startTimeout); err != nil {
		_ = r.Stop()
		return nil, fmt.Errorf("waiting for the RIE on %s: %w\nRIE output:\n%s", addrs[0], err, logs.String())
	}
	return r, nil
}

// startArgs returns the RIE's command-line arguments: invoke address, runtime API address and
// the bootstrap to run.
func startArgs(invokeAddr, runtimeAPIAddr, bootstrap string) []string {
	return []string{
		"--runtime-interface-emulator-address", invokeAddr,
		"--runtime-api-address", runtimeAPIAddr,
		"--log-level", "error",
		bootstrap,
	}
}

// waitReady polls the RIE until its HTTP server answers (any status), the process exits, or
// the timeout passes.
func (r *RIE) waitReady(ctx context.Context, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	client := &http.Client{Timeout: time.Second}
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, r.URL+"/", nil)
		resp, err := client.Do(req)
		if err == nil {
			resp.Body.Close()
			return nil
		}
		select {
		case <-r.done:
			return fmt.Errorf("the RIE exited before answering: %v", r.err)
		case <-ctx.Done():
			return fmt.Errorf("no answer within %s: %w", timeout, err)
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// Alive reports whether the RIE process is still running.
func (r *RIE) Alive() bool {
	select {
	case <-r.done:
		return false
	default:
		return true
	}
}

// Logs returns what the RIE and the function wrote so far (the last MiB).
func (r *RIE) Logs() string { return r.logs.String() }

// Invoke sends one event straight to the RIE and returns its status and body. Callers must not
// have two invokes in flight on one RIE.
func (r *RIE) Invoke(ctx context.Context, event []byte) (int, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, r.InvokeURL, bytes.NewReader(event))
	if err != nil {
		return 0, nil, fmt.Errorf("invoking the RIE: %w", err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil, fmt.Errorf("invoking the RIE: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return resp.StatusCode, nil, fmt.Errorf("reading the RIE's answer: %w", err)
	}
	return resp.StatusCode, body, nil
}

// Stop ends the RIE and its function (SIGTERM to the process group, SIGKILL after 2 s) and
// waits for it. Calling Stop again is harmless.
func (r *RIE) Stop() error {
	r.once.Do(func() {
		if !r.Alive() {
			return
		}
		terminate(r.cmd, false)
		select {
		case <-r.done:
		case <-time.After(2 * time.Second):
			terminate(r.cmd, true)
			<-r.done
		}
	})
	return nil
}

// freeAddrs returns n distinct free loopback addresses.
func freeAddrs(n int) ([]string, error) {
	var addrs []string
	var ls []net.Listener
	defer func() {
		for _, l := range ls {
			l.Close()
		}
	}()
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, fmt.Errorf("finding a free port: %w", err)
		}
		ls = append(ls, l)
		addrs = append(addrs, net.JoinHostPort("127.0.0.1", strconv.Itoa(l.Addr().(*net.TCPAddr).Port)))
	}
	return addrs, nil
}

// syncBuffer is a bounded, goroutine-safe log buffer: it keeps at least the last max bytes
// (trimming only when it holds twice that, so a write costs O(len) amortised).
type syncBuffer struct {
	mu  sync.Mutex
	b   []byte
	max int
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.b = append(s.b, p...)
	if len(s.b) > 2*s.max {
		s.b = s.b[:copy(s.b, s.b[len(s.b)-s.max:])]
	}
	return len(p), nil
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.b) > s.max {
		return string(s.b[len(s.b)-s.max:])
	}
	return string(s.b)
}

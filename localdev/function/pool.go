package function

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"time"
)

// Pool runs a function's bootstrap the way Lambda does: up to N execution environments
// (separate processes), each running one invoke at a time, started on demand and stopped when
// idle. Invokes beyond N wait for a free environment, bounded by their context.
type Pool struct {
	opts  options
	sink  *logSink
	slots chan struct{} // one per invoke in flight, at most N

	mu      sync.Mutex
	cur     *build
	idle    []*environment // of any build; the most recently used last
	live    map[*environment]struct{}
	nextID  int
	closed  bool
	stopped chan struct{} // closed by Close, ends the reaper
	reaper  sync.WaitGroup
	// retiring counts environments being stopped in the background, so Close can wait for them.
	retiring sync.WaitGroup
}

// Compile-time check that a Pool is what the proxy invokes.
var _ interface {
	Invoke(ctx context.Context, event []byte) ([]byte, error)
} = (*Pool)(nil)

// New returns a Pool for the bootstrap executable at path. No process starts until the first
// invoke.
func New(bootstrap string, opts ...Option) (*Pool, error) {
	if err := checkBootstrap(bootstrap); err != nil {
		return nil, err
	}
	o := makeOptions(opts)
	p := &Pool{
		opts:    o,
		sink:    &logSink{w: o.logs},
		slots:   make(chan struct{}, o.maxEnvs),
		cur:     &build{path: bootstrap, gen: 1},
		live:    map[*environment]struct{}{},
		stopped: make(chan struct{}),
	}
	p.reaper.Add(1)
	go p.reap()
	return p, nil
}

// checkBootstrap says clearly when path is not an executable file.
func checkBootstrap(path string) error {
	fi, err := os.Stat(path)
	switch {
	case err != nil:
		return fmt.Errorf("finding the function's bootstrap: %w", err)
	case fi.IsDir():
		return fmt.Errorf("finding the function's bootstrap: %s is a folder, want the executable built from the handler", path)
	case fi.Mode()&0o111 == 0:
		return fmt.Errorf("finding the function's bootstrap: %s is not executable", path)
	}
	return nil
}

// Swap makes bootstrap the build that new invokes run. Invokes in flight finish on the old
// build; its environments are stopped as soon as they are idle. Once Swap returns, the caller
// may remove the old build's file (on Unix, running processes keep it open).
func (p *Pool) Swap(bootstrap string) error {
	if err := checkBootstrap(bootstrap); err != nil {
		return err
	}
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return ErrClosed
	}
	p.cur = &build{path: bootstrap, gen: p.cur.gen + 1}
	var old []*environment
	keep := p.idle[:0]
	for _, e := range p.idle {
		if e.build == p.cur {
			keep = append(keep, e)
		} else {
			old = append(old, e)
			delete(p.live, e)
		}
	}
	p.idle = keep
	for _, e := range old {
		p.retireLocked(e)
	}
	p.mu.Unlock()
	return nil
}

// Warm starts an execution environment of the current build now, unless one is idle, and
// leaves it idle: its init runs before the first invoke instead of on it, and that invoke is
// then warm (its REPORT line has no Init Duration), as with Lambda's provisioned concurrency.
// A debugger started by WithCommand thus listens before any request. It waits for a free
// environment slot, bounded by ctx; an init that fails is its error.
func (p *Pool) Warm(ctx context.Context) error {
	select {
	case p.slots <- struct{}{}:
	case <-ctx.Done():
		return fmt.Errorf("waiting for a free execution environment (%d in use): %w", cap(p.slots), ctx.Err())
	case <-p.stopped:
		return ErrClosed
	}
	defer func() { <-p.slots }()
	e, _, err := p.acquire(ctx)
	if err != nil {
		return err
	}
	p.release(e, true)
	return nil
}

// Invoke runs event through the function and returns its result as the RIE's invoke endpoint
// does with status 200: the response, a handled error's JSON, or the timeout text, with a nil
// error. When the endpoint would answer otherwise (the process died with the invoke in flight,
// or init failed) the error is a *FunctionError carrying the payload.
func (p *Pool) Invoke(ctx context.Context, event []byte) ([]byte, error) {
	res, err := p.Do(ctx, Request{Payload: event})
	if err != nil {
		return nil, err
	}
	if res.StatusCode != 200 {
		return nil, &FunctionError{StatusCode: res.StatusCode, ErrorType: res.ErrorType, RequestID: res.RequestID, Payload: res.Payload}
	}
	return res.Payload, nil
}

// Do runs one invoke. The error is non-nil only when there is no result at all: ctx ended
// first, or the Pool is closed.
func (p *Pool) Do(ctx context.Context, req Request) (Result, error) {
	if req.RequestID == "" {
		req.RequestID = newRequestID()
	}
	if req.TraceID == "" {
		req.TraceID = newTraceID(time.Now())
	}
	select {
	case p.slots <- struct{}{}:
	case <-ctx.Done():
		return Result{}, fmt.Errorf("waiting for a free execution environment (%d in use): %w", cap(p.slots), ctx.Err())
	case <-p.stopped:
		return Result{}, ErrClosed
	}
	defer func() { <-p.slots }()
	for {
		e, cold, err := p.acquire(ctx)
		if err != nil {
			var ie *InitError
			if errors.As(err, &ie) {
				return p.initFailed(ie, req.RequestID), nil
			}
			return Result{}, err
		}
		res, healthy, err := e.run(ctx, &invocation{Request: req}, cold)
		p.release(e, healthy)
		if err != nil || res.StatusCode != 0 {
			return res, err
		}
		// The environment had died while idle; the next one acquired is started afresh.
	}
}

// initFailed logs a failed init as Lambda does and returns the invoke's answer.
func (p *Pool) initFailed(ie *InitError, requestID string) Result {
	p.sink.line("", startLine(requestID))
	p.sink.line("", initReportLine(ie.Duration, ie.status()))
	p.sink.line(requestID, ie.Error())
	res := ie.result(requestID)
	p.sink.line("", endLine(requestID))
	p.sink.line("", Report{RequestID: requestID, Duration: ie.Duration, MemorySizeMB: p.opts.memoryMB, MaxMemoryMB: -1,
		Status: ie.status(), ErrorType: res.ErrorType}.String())
	return res
}

package proxy

import (
	"bytes"
	"container/list"
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"time"
)

// ErrThrottled: every endpoint of the function is busy and its queue is full. API Gateway
// answers its own throttling with 429 {"message":"Too Many Requests"}.
var ErrThrottled = errors.New("function is throttled: every endpoint is busy and the queue is full")

// Queue sizes.
const (
	// DefaultQueueSize is how many invokes of one function may wait for a free endpoint when
	// Function.QueueSize is 0. With concurrency 1 that is about AWS's default account
	// concurrency (1000 concurrent executions) before Lambda throttles; waiting invokes are
	// still bounded by the gateway's timeout.
	DefaultQueueSize = 1000
	// NoQueue as Function.QueueSize throttles as soon as every endpoint is busy.
	NoQueue = -1
)

// DefaultDrainTimeout is how long an endpoint stays reserved, at most, for an invoke whose
// caller gave up: Lambda's maximum function timeout (15 minutes) plus a margin.
const DefaultDrainTimeout = 15*time.Minute + 30*time.Second

// NewInvokers makes one Invoker per function of g, keyed by function name. Each keeps the
// function's endpoints safe and busy:
//
//   - an endpoint never gets more than Function.Concurrency invokes at once (1 by default: a
//     plain RIE crashes on a second concurrent invoke; N for an RIE started with
//     AWS_LAMBDA_MAX_CONCURRENCY=N, which rejects invoke N+1);
//   - an invoke goes to the least busy endpoint, ties taken in turn, so load spreads;
//   - when all are busy it waits in a FIFO queue of Function.QueueSize (DefaultQueueSize for
//     0); a waiter whose ctx ends leaves the queue and never invokes later;
//   - when the queue is full it fails at once with ErrThrottled;
//   - when ctx ends during an invoke, Invoke returns ctx's error at once, but the endpoint
//     stays reserved until the function answers (see WithDrainTimeout).
//
// Endpoints are RIEClients, each with its own keep-alive connections (an endpoint never
// has more in use than its concurrency), unless options say otherwise.
func NewInvokers(g *Gateway, opts ...InvokerOption) (map[string]Invoker, error) {
	o := invokerOptions{drain: DefaultDrainTimeout}
	for _, opt := range opts {
		opt(&o)
	}
	names := make([]string, 0, len(g.Functions))
	for name := range g.Functions {
		names = append(names, name)
	}
	slices.Sort(names)
	if o.endpoint == nil {
		o.endpoint = func(url string) Invoker { return &RIEClient{URL: url, Client: o.client} }
	}
	out := make(map[string]Invoker, len(names))
	owner := map[string]string{}
	for _, name := range names {
		f := g.Functions[name]
		b, err := newBalancer(name, f, o)
		if err != nil {
			return nil, err
		}
		for _, u := range f.URLs {
			if other, dup := owner[u]; dup {
				return nil, fmt.Errorf("making invokers: endpoint %s is listed twice (functions %s and %s); give each endpoint once: one RIE takes one invoke at a time", u, other, name)
			}
			owner[u] = name
		}
		out[name] = b
	}
	return out, nil
}

// balancer is the Invoker of one function: endpoints with limits and a bounded FIFO queue.
type balancer struct {
	name      string
	queueSize int
	drain     time.Duration

	mu      sync.Mutex
	eps     []*endpoint
	next    int       // where the search for a free endpoint starts, to take ties in turn
	waiting list.List // of *waiter, oldest first
}

type endpoint struct {
	url   string
	inv   Invoker
	limit int
	busy  int // guarded by balancer.mu
}

// waiter is an invoke queued for an endpoint. elem is nil once it left the queue (guarded by
// balancer.mu); ch then gets the endpoint handed to it, if any.
type waiter struct {
	ch   chan *endpoint
	elem *list.Element
}

func newBalancer(name string, f Function, o invokerOptions) (*balancer, error) {
	if len(f.URLs) == 0 {
		return nil, fmt.Errorf("making invoker for function %s: no endpoint URL; give the base URL of its invoke endpoint", name)
	}
	limit := f.Concurrency
	switch {
	case limit == 0:
		limit = 1
	case limit < 0:
		return nil, fmt.Errorf("making invoker for function %s: concurrency %d is negative; give 1 or more", name, limit)
	}
	queue := f.QueueSize
	switch {
	case queue == 0:
		queue = DefaultQueueSize
	case queue == NoQueue:
		queue = 0
	case queue < 0:
		return nil, fmt.Errorf("making invoker for function %s: queue size %d is invalid; give 0 for the default, NoQueue, or a positive size", name, queue)
	}
	b := &balancer{name: name, queueSize: queue, drain: o.drain}
	for _, u := range f.URLs {
		b.eps = append(b.eps, &endpoint{url: u, inv: o.endpoint(u), limit: limit})
	}
	return b, nil
}

// Invoke runs the event on a free endpoint, waiting in the queue if need be.
func (b *balancer) Invoke(ctx context.Context, event []byte) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("invoking function %s: %w", b.name, err)
	}
	ep, err := b.acquire(ctx)
	if err != nil {
		return nil, err
	}
	return b.run(ctx, ep, event)
}

// acquire reserves an endpoint, or waits in the queue for one.
func (b *balancer) acquire(ctx context.Context) (*endpoint, error) {
	b.mu.Lock()
	if ep := b.freeLocked(); ep != nil {
		ep.busy++
		b.mu.Unlock()
		return ep, nil
	}
	if b.waiting.Len() >= b.queueSize {
		b.mu.Unlock()
		return nil, fmt.Errorf("invoking function %s: %w (%d endpoints busy, %d waiting)", b.name, ErrThrottled, len(b.eps), b.queueSize)
	}
	w := &waiter{ch: make(chan *endpoint, 1)}
	w.elem = b.waiting.PushBack(w)
	b.mu.Unlock()

	select {
	case ep := <-w.ch:
		if err := ctx.Err(); err != nil { // both ready: a cancelled caller never invokes
			b.release(ep)
			return nil, fmt.Errorf("waiting for function %s: %w", b.name, err)
		}
		return ep, nil
	case <-ctx.Done():
		b.mu.Lock()
		queued := w.elem != nil
		if queued {
			b.waiting.Remove(w.elem)
			w.elem = nil
		}
		b.mu.Unlock()
		if !queued { // an endpoint was handed over meanwhile: pass it on
			b.release(<-w.ch)
		}
		return nil, fmt.Errorf("waiting for function %s: %w", b.name, ctx.Err())
	}
}

// freeLocked picks the least busy endpoint under its limit, ties in turn; nil when all are
// full. b.mu is held.
func (b *balancer) freeLocked() *endpoint {
	var best *endpoint
	bestAt := 0
	for i := range b.eps {
		at := (b.next + i) % len(b.eps)
		ep := b.eps[at]
		if ep.busy < ep.limit && (best == nil || ep.busy < best.busy) {
			best, bestAt = ep, at
		}
	}
	if best != nil {
		b.next = (bestAt + 1) % len(b.eps)
	}
	return best
}

// release hands ep to the oldest waiter, or frees it.
func (b *balancer) release(ep *endpoint) {
	b.mu.Lock()
	if front := b.waiting.Front(); front != nil {
		w := b.waiting.Remove(front).(*waiter)
		w.elem = nil
		b.mu.Unlock()
		w.ch <- ep // buffered: never blocks
		return
	}
	ep.busy--
	b.mu.Unlock()
}

type result struct {
	body []byte
	err  error
}

// run invokes on a reserved endpoint. The invoke itself is detached from ctx: the RIE does not
// stop a running invoke when its client goes away, so the endpoint is released only when the
// function has answered (or after the drain timeout), never while it still runs.
func (b *balancer) run(ctx context.Context, ep *endpoint, event []byte) ([]byte, error) {
	if rc, ok := ep.inv.(*RIEClient); ok && rc.ownConns() {
		return b.runHeld(ctx, ep, rc, event)
	}
	done := make(chan result, 1)
	go func() {
		dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), b.drain)
		defer cancel()
		body, err := invokeRetryingUnavailable(ctx, func() ([]byte, error) { return ep.inv.Invoke(dctx, event) })
		b.release(ep)
		done <- result{body, err}
	}()
	select {
	case r := <-done:
		return r.body, r.err
	case <-ctx.Done():
		return nil, fmt.Errorf("invoking function %s: %w", b.name, ctx.Err())
	}
}

// runHeld is run for an RIEClient with its own connections, in the caller's goroutine: no
// goroutine and no hand-off per invoke. When ctx ends before the function answers, the client
// finishes the invoke in the background and releases the endpoint then.
func (b *balancer) runHeld(ctx context.Context, ep *endpoint, rc *RIEClient, event []byte) ([]byte, error) {
	release := func() { b.release(ep) }
	body, err := invokeRetryingUnavailable(ctx, func() ([]byte, error) { return rc.invokeHeld(ctx, b.drain, event, release) })
	if errors.Is(err, errDetached) {
		return nil, fmt.Errorf("invoking function %s: %w", b.name, ctx.Err())
	}
	release()
	return body, err
}

// Retrying invokes an RIE refused without running them.
const (
	unavailableRetryFor   = time.Second
	unavailableBackoffMin = 500 * time.Microsecond
	unavailableBackoffMax = 20 * time.Millisecond
)

// invokeRetryingUnavailable invokes, and retries while the endpoint answers 400
// Runtime.Unavailable. An RIE in concurrency mode (AWS_LAMBDA_MAX_CONCURRENCY=N) answers that
// when none of its N runtimes is idle, without running the function, so a retry is safe. It
// happens even with at most N invokes in flight: a runtime counts as idle only once it has
// asked for its next event, a moment after its previous answer reached us (measured here:
// about a third of invokes at N=4 without retries). Retries stop after unavailableRetryFor, so
// an endpoint configured with more concurrency than it has still fails visibly, and when the
// caller (ctx) has given up. invoke makes one attempt.
func invokeRetryingUnavailable(ctx context.Context, invoke func() ([]byte, error)) ([]byte, error) {
	backoff := unavailableBackoffMin
	deadline := time.Now().Add(unavailableRetryFor)
	for {
		body, err := invoke()
		if !isRuntimeUnavailable(err) || time.Now().After(deadline) {
			return body, err
		}
		t := time.NewTimer(backoff)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return body, err
		}
		backoff = min(2*backoff, unavailableBackoffMax)
	}
}

// isRuntimeUnavailable recognises the RIE's refusal when all its runtimes are busy:
// 400 {"errorType":"Runtime.Unavailable",...}.
func isRuntimeUnavailable(err error) bool {
	var ie *InvokeError
	return errors.As(err, &ie) && ie.StatusCode == http.StatusBadRequest && bytes.Contains(ie.Body, []byte("Runtime.Unavailable"))
}

package proxy

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// gauge counts the invokes one fake endpoint is running, the most it ever ran at once, and all
// it ran.
type gauge struct {
	mu              sync.Mutex
	cur, peak, runs int
}

func (g *gauge) enter() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.cur++
	g.runs++
	g.peak = max(g.peak, g.cur)
}

func (g *gauge) leave() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.cur--
}

func (g *gauge) read() (cur, peak, runs int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.cur, g.peak, g.runs
}

// fakeFunction is a gateway with one function "f" on n fake endpoints whose invokes run work,
// with gauges per endpoint.
type fakeFunction struct {
	inv    Invoker
	b      *balancer
	gauges map[string]*gauge
	urls   []string
}

func newFakeFunction(t *testing.T, n, concurrency, queue int, work func(ctx context.Context, url string, event []byte) ([]byte, error)) *fakeFunction {
	t.Helper()
	ff := &fakeFunction{gauges: map[string]*gauge{}}
	for i := range n {
		u := fmt.Sprintf("http://127.0.0.1:%d", 9000+i)
		ff.urls = append(ff.urls, u)
		ff.gauges[u] = &gauge{}
	}
	g := &Gateway{API: REST, Functions: map[string]Function{"f": {Name: "f", URLs: ff.urls, Concurrency: concurrency, QueueSize: queue}}}
	invs, err := NewInvokers(g, WithEndpointInvoker(func(url string) Invoker {
		gg := ff.gauges[url]
		return InvokerFunc(func(ctx context.Context, event []byte) ([]byte, error) {
			gg.enter()
			defer gg.leave()
			return work(ctx, url, event)
		})
	}))
	if err != nil {
		t.Fatal(err)
	}
	ff.inv = invs["f"]
	ff.b = ff.inv.(*balancer)
	return ff
}

// queued is how many invokes wait in b's queue.
func (b *balancer) queued() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.waiting.Len()
}

// busy is the total of b's endpoints' busy counts.
func (b *balancer) busyTotal() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	n := 0
	for _, ep := range b.eps {
		n += ep.busy
	}
	return n
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting until %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

func echo(_ context.Context, _ string, event []byte) ([]byte, error) { return event, nil }

func TestPoolNeverExceedsTheEndpointLimit(t *testing.T) {
	t.Parallel()
	cases := []struct {
		rule                string
		endpoints, limit    int
		callers, invokesPer int
	}{
		{"one plain RIE gets one invoke at a time", 1, 1, 64, 20},
		{"three plain RIEs each get one at a time and all are used", 3, 1, 64, 20},
		{"RIEs in concurrency mode get up to N each", 2, 4, 64, 20},
	}
	for _, c := range cases {
		t.Run(c.rule, func(t *testing.T) {
			t.Parallel()
			ff := newFakeFunction(t, c.endpoints, c.limit, 0, func(ctx context.Context, url string, event []byte) ([]byte, error) {
				time.Sleep(time.Duration(rand.IntN(200)) * time.Microsecond)
				return event, nil
			})
			var wg sync.WaitGroup
			var failures atomic.Int64
			for i := range c.callers {
				wg.Go(func() {
					for j := range c.invokesPer {
						ev := fmt.Sprintf(`{"caller":%d,"n":%d}`, i, j)
						got, err := ff.inv.Invoke(context.Background(), []byte(ev))
						if err != nil || string(got) != ev {
							failures.Add(1)
						}
					}
				})
			}
			wg.Wait()
			if n := failures.Load(); n > 0 {
				t.Fatalf("%d invokes failed or got another caller's answer", n)
			}
			total := 0
			for u, g := range ff.gauges {
				_, peak, runs := g.read()
				total += runs
				if peak > c.limit {
					t.Errorf("endpoint %s ran %d invokes at once, limit %d", u, peak, c.limit)
				}
				if runs == 0 {
					t.Errorf("endpoint %s was never used", u)
				}
			}
			if total != c.callers*c.invokesPer {
				t.Errorf("endpoints ran %d invokes, want %d", total, c.callers*c.invokesPer)
			}
		})
	}
}

// block is endpoint work that holds each invoke until release is closed, recording the order
// of events started.
type block struct {
	release chan struct{}
	mu      sync.Mutex
	started []string
}

func newBlock() *block { return &block{release: make(chan struct{})} }

func (b *block) work(_ context.Context, _ string, event []byte) ([]byte, error) {
	b.mu.Lock()
	b.started = append(b.started, string(event))
	b.mu.Unlock()
	<-b.release
	return event, nil
}

func (b *block) order() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.started...)
}

func TestPoolQueuesInFIFOOrder(t *testing.T) {
	t.Parallel()
	order := make(chan string, 10)
	gate := make(chan struct{})
	ff := newFakeFunction(t, 1, 1, 0, func(_ context.Context, _ string, event []byte) ([]byte, error) {
		order <- string(event)
		<-gate
		return event, nil
	})
	var wg sync.WaitGroup
	wg.Go(func() { ff.inv.Invoke(context.Background(), []byte("first")) })
	waitFor(t, "the first invoke runs", func() bool { return ff.b.busyTotal() == 1 })
	for i := range 5 {
		wg.Go(func() { ff.inv.Invoke(context.Background(), []byte(fmt.Sprint("waiter", i))) })
		waitFor(t, "the waiter queues", func() bool { return ff.b.queued() == i+1 })
	}
	close(gate)
	wg.Wait()
	close(order)
	var got []string
	for e := range order {
		got = append(got, e)
	}
	want := []string{"first", "waiter0", "waiter1", "waiter2", "waiter3", "waiter4"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("invoke order %q, want %q", got, want)
	}
}

func TestPoolThrottles(t *testing.T) {
	t.Parallel()
	cases := []struct {
		rule   string
		queue  int
		queued int // how many can wait
	}{
		{"a full queue answers ErrThrottled at once", 2, 2},
		{"NoQueue throttles as soon as every endpoint is busy", NoQueue, 0},
	}
	for _, c := range cases {
		t.Run(c.rule, func(t *testing.T) {
			t.Parallel()
			bl := newBlock()
			ff := newFakeFunction(t, 1, 1, c.queue, bl.work)
			var wg sync.WaitGroup
			defer wg.Wait()
			defer close(bl.release)
			wg.Go(func() { ff.inv.Invoke(context.Background(), []byte("running")) })
			waitFor(t, "the first invoke runs", func() bool { return ff.b.busyTotal() == 1 })
			for i := range c.queued {
				wg.Go(func() { ff.inv.Invoke(context.Background(), []byte("queued")) })
				waitFor(t, "the waiter queues", func() bool { return ff.b.queued() == i+1 })
			}
			start := time.Now()
			_, err := ff.inv.Invoke(context.Background(), []byte("one too many"))
			if !errors.Is(err, ErrThrottled) || !strings.Contains(err.Error(), "function f") {
				t.Fatalf("err = %v, want ErrThrottled naming function f", err)
			}
			if d := time.Since(start); d > time.Second {
				t.Fatalf("throttling took %s, want at once", d)
			}
		})
	}
}

func TestPoolCancelledWaiterLeavesTheQueueAndNeverInvokes(t *testing.T) {
	t.Parallel()
	bl := newBlock()
	ff := newFakeFunction(t, 1, 1, 0, bl.work)
	var wg sync.WaitGroup
	wg.Go(func() { ff.inv.Invoke(context.Background(), []byte("running")) })
	waitFor(t, "the first invoke runs", func() bool { return ff.b.busyTotal() == 1 })

	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { _, err := ff.inv.Invoke(ctx, []byte("cancelled")); errc <- err }()
	waitFor(t, "the waiter queues", func() bool { return ff.b.queued() == 1 })
	cancel()
	select {
	case err := <-errc:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v, want context.Canceled", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("a cancelled waiter did not return")
	}
	if n := ff.b.queued(); n != 0 {
		t.Fatalf("%d still queued after the cancel", n)
	}
	wg.Go(func() { ff.inv.Invoke(context.Background(), []byte("later")) })
	waitFor(t, "a later waiter queues", func() bool { return ff.b.queued() == 1 })
	close(bl.release)
	wg.Wait()
	if got := fmt.Sprint(bl.order()); got != "[running later]" {
		t.Fatalf("endpoint ran %s, want [running later]: the cancelled waiter must never invoke", got)
	}
	if n := ff.b.busyTotal(); n != 0 {
		t.Fatalf("busy = %d after all invokes ended", n)
	}
}

// TestPoolKeepsTheEndpointReservedUntilAnAbandonedInvokeEnds: the RIE keeps running an invoke
// whose client went away, so the next invoke must wait for it to end.
func TestPoolKeepsTheEndpointReservedUntilAnAbandonedInvokeEnds(t *testing.T) {
	t.Parallel()
	bl := newBlock()
	ff := newFakeFunction(t, 1, 1, 0, bl.work)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, err := ff.inv.Invoke(ctx, []byte("abandoned")); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want the caller's deadline", err)
	}
	done := make(chan struct{})
	go func() { ff.inv.Invoke(context.Background(), []byte("next")); close(done) }()
	waitFor(t, "the next invoke queues behind the abandoned one", func() bool { return ff.b.queued() == 1 })
	if _, peak, _ := ff.gauges[ff.urls[0]].read(); peak != 1 {
		t.Fatalf("peak %d", peak)
	}
	close(bl.release)
	<-done
	if got := fmt.Sprint(bl.order()); got != "[abandoned next]" {
		t.Fatalf("endpoint ran %s", got)
	}
	if _, peak, _ := ff.gauges[ff.urls[0]].read(); peak != 1 {
		t.Fatalf("the endpoint ran %d invokes at once", peak)
	}
}

func TestPoolDrainTimeoutFreesAHungEndpoint(t *testing.T) {
	t.Parallel()
	g := &Gateway{Functions: map[string]Function{"f": {Name: "f", URLs: []string{"http://127.0.0.1:1"}}}}
	var calls atomic.Int64
	invs, err := NewInvokers(g, WithDrainTimeout(50*time.Millisecond), WithEndpointInvoker(func(string) Invoker {
		return InvokerFunc(func(ctx context.Context, event []byte) ([]byte, error) {
			if calls.Add(1) == 1 {
				<-ctx.Done() // hangs until the drain timeout
				return nil, ctx.Err()
			}
			return event, nil
		})
	}))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Millisecond)
	defer cancel()
	invs["f"].Invoke(ctx, []byte("hung"))
	got, err := invs["f"].Invoke(context.Background(), []byte("next"))
	if err != nil || string(got) != "next" {
		t.Fatalf("after the drain timeout: %s, %v", got, err)
	}
}

func TestPoolSpreadsLoad(t *testing.T) {
	t.Parallel()
	t.Run("sequential invokes take the endpoints in turn", func(t *testing.T) {
		t.Parallel()
		ff := newFakeFunction(t, 3, 1, 0, echo)
		for range 30 {
			if _, err := ff.inv.Invoke(context.Background(), []byte("x")); err != nil {
				t.Fatal(err)
			}
		}
		for u, g := range ff.gauges {
			if _, _, runs := g.read(); runs != 10 {
				t.Errorf("endpoint %s ran %d of 30, want 10", u, runs)
			}
		}
	})
	t.Run("an invoke goes to the least busy endpoint", func(t *testing.T) {
		t.Parallel()
		bl := newBlock()
		ff := newFakeFunction(t, 2, 2, 0, bl.work)
		var wg sync.WaitGroup
		for i := range 3 {
			wg.Go(func() { ff.inv.Invoke(context.Background(), []byte("held")) })
			waitFor(t, "the invoke runs", func() bool { return ff.b.busyTotal() == i+1 })
		}
		var busy []int
		for _, u := range ff.urls {
			cur, _, _ := ff.gauges[u].read()
			busy = append(busy, cur)
		}
		close(bl.release)
		wg.Wait()
		if busy[0]+busy[1] != 3 || busy[0] < 1 || busy[1] < 1 {
			t.Fatalf("busy per endpoint %v, want the three invokes spread 2+1", busy)
		}
	})
}

// TestPoolCancellationStress races cancellations against hand-overs: the limit holds, every
// call returns, nothing stays reserved, and no waiter cancelled in the queue ever invokes.
func TestPoolCancellationStress(t *testing.T) {
	t.Parallel()
	var invoked sync.Map
	ff := newFakeFunction(t, 2, 1, 50, func(_ context.Context, _ string, event []byte) ([]byte, error) {
		invoked.Store(string(event), true)
		time.Sleep(time.Duration(rand.IntN(300)) * time.Microsecond)
		return event, nil
	})
	var wg sync.WaitGroup
	var cancelledInQueue sync.Map
	for i := range 400 {
		wg.Go(func() {
			ctx, cancel := context.WithTimeout(context.Background(), time.Duration(rand.IntN(3000))*time.Microsecond)
			defer cancel()
			ev := fmt.Sprint("ev", i)
			_, err := ff.inv.Invoke(ctx, []byte(ev))
			if err != nil && strings.HasPrefix(err.Error(), "waiting for function") {
				cancelledInQueue.Store(ev, true)
			}
		})
	}
	wg.Wait()
	waitFor(t, "abandoned invokes end", func() bool { return ff.b.busyTotal() == 0 })
	if n := ff.b.queued(); n != 0 {
		t.Fatalf("%d left in the queue", n)
	}
	for u, g := range ff.gauges {
		if _, peak, _ := g.read(); peak > 1 {
			t.Errorf("endpoint %s ran %d at once", u, peak)
		}
	}
	cancelledInQueue.Range(func(ev, _ any) bool {
		if _, ran := invoked.Load(ev); ran {
			t.Errorf("%s was cancelled in the queue but invoked", ev)
		}
		return true
	})
}

// TestPoolLeavesNoGoroutines runs alone (not parallel) so the goroutine count is its own.
func TestPoolLeavesNoGoroutines(t *testing.T) {
	before := runtime.NumGoroutine()
	func() {
		bl := newBlock()
		ff := newFakeFunction(t, 2, 1, 5, bl.work)
		var wg sync.WaitGroup
		for i := range 20 {
			wg.Go(func() {
				ctx, cancel := context.WithTimeout(context.Background(), time.Duration(i)*time.Millisecond)
				defer cancel()
				ff.inv.Invoke(ctx, []byte("x"))
			})
		}
		time.Sleep(30 * time.Millisecond)
		close(bl.release)
		wg.Wait()
		waitFor(t, "abandoned invokes end", func() bool { return ff.b.busyTotal() == 0 })
	}()
	waitFor(t, fmt.Sprintf("goroutines return to %d", before), func() bool { return runtime.NumGoroutine() <= before })
}

func TestNewInvokersRefuses(t *testing.T) {
	t.Parallel()
	cases := []struct {
		rule string
		fns  map[string]Function
		want string
	}{
		{"a function without endpoints", map[string]Function{"f": {Name: "f"}}, "no endpoint URL"},
		{"negative concurrency", map[string]Function{"f": {Name: "f", URLs: []string{"http://a:1"}, Concurrency: -1}}, "concurrency -1 is negative"},
		{"a bad queue size", map[string]Function{"f": {Name: "f", URLs: []string{"http://a:1"}, QueueSize: -5}}, "queue size -5"},
		{"an endpoint shared by two functions", map[string]Function{
			"f": {Name: "f", URLs: []string{"http://a:1"}},
			"g": {Name: "g", URLs: []string{"http://a:1"}},
		}, "listed twice"},
		{"an endpoint listed twice for one function", map[string]Function{"f": {Name: "f", URLs: []string{"http://a:1", "http://a:1"}}}, "listed twice"},
	}
	for _, c := range cases {
		t.Run(c.rule, func(t *testing.T) {
			t.Parallel()
			_, err := NewInvokers(&Gateway{Functions: c.fns})
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want %q", err, c.want)
			}
		})
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestNewInvokersUsesTheGivenHTTPClient(t *testing.T) {
	t.Parallel()
	var seen atomic.Value
	client := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		seen.Store(r.URL.String())
		return &http.Response{StatusCode: 200, Body: http.NoBody, Header: http.Header{}}, nil
	})}
	invs, err := NewInvokers(DefaultGateway(REST, "http://127.0.0.1:9"), WithHTTPClient(client))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := invs[DefaultFunctionName].Invoke(context.Background(), []byte(`{}`)); err != nil {
		t.Fatal(err)
	}
	if got := seen.Load(); got != "http://127.0.0.1:9"+InvokePath {
		t.Fatalf("client saw %v", got)
	}
}

func TestPoolRetriesRuntimeUnavailable(t *testing.T) {
	t.Parallel()
	unavailable := &InvokeError{StatusCode: 400, Body: []byte(`{"errorType":"Runtime.Unavailable","errorMessage":"no idle runtimes"}`)}
	cases := []struct {
		rule      string
		refusals  int // answers before success; -1 always
		refusal   error
		wantErr   bool
		wantCalls int // 0: more than one
	}{
		{"an RIE in concurrency mode with no idle runtime is asked again", 2, unavailable, false, 3},
		{"a refusal that lasts is returned after the retry period", -1, unavailable, true, 0},
		{"other 400s are not retried: the plain RIE's reserve failure", 1, &InvokeError{StatusCode: 400}, true, 1},
		{"function errors are not retried", 1, &InvokeError{StatusCode: 502, Body: []byte(`Runtime.Unavailable`)}, true, 1},
	}
	for _, c := range cases {
		t.Run(c.rule, func(t *testing.T) {
			t.Parallel()
			var calls atomic.Int64
			ff := newFakeFunction(t, 1, 1, 0, func(_ context.Context, _ string, event []byte) ([]byte, error) {
				if n := calls.Add(1); c.refusals < 0 || int(n) <= c.refusals {
					return nil, c.refusal
				}
				return event, nil
			})
			got, err := ff.inv.Invoke(context.Background(), []byte("ev"))
			if (err != nil) != c.wantErr || (!c.wantErr && string(got) != "ev") {
				t.Fatalf("Invoke = %s, %v", got, err)
			}
			if n := calls.Load(); (c.wantCalls > 0 && n != int64(c.wantCalls)) || (c.wantCalls == 0 && n < 2) {
				t.Fatalf("%d calls, want %d", n, c.wantCalls)
			}
		})
	}
}

// BenchmarkInvokerOverhead measures what the concurrency limit, queue and detached invoke add
// to an invoke that itself costs nothing: serially, and with as many callers as
// GOMAXPROCS×4 sharing one endpoint of concurrency 1.
func BenchmarkInvokerOverhead(b *testing.B) {
	g := &Gateway{Functions: map[string]Function{"f": {Name: "f", URLs: []string{"http://127.0.0.1:1"}}}}
	invs, err := NewInvokers(g, WithEndpointInvoker(func(string) Invoker {
		return InvokerFunc(func(_ context.Context, event []byte) ([]byte, error) { return event, nil })
	}))
	if err != nil {
		b.Fatal(err)
	}
	inv, ev := invs["f"], []byte(`{}`)
	b.Run("serial", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := inv.Invoke(context.Background(), ev); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("contended", func(b *testing.B) {
		b.ReportAllocs()
		b.SetParallelism(4)
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if _, err := inv.Invoke(context.Background(), ev); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
}

func ExampleNewInvokers() {
	g, err := ParseGateway("routes.txt", strings.NewReader("function items http://127.0.0.1:9000-9001\nANY /{proxy+} items\n"))
	if err != nil {
		panic(err)
	}
	// Stand-ins for the two RIEs; by default each endpoint gets an RIEClient.
	invokers, err := NewInvokers(g, WithEndpointInvoker(func(url string) Invoker {
		return InvokerFunc(func(ctx context.Context, event []byte) ([]byte, error) {
			return []byte(`"answered by ` + url + `"`), nil
		})
	}))
	if err != nil {
		panic(err)
	}
	for range 3 {
		out, _ := invokers["items"].Invoke(context.Background(), []byte(`{}`))
		fmt.Println(string(out))
	}
	// Output:
	// "answered by http://127.0.0.1:9000"
	// "answered by http://127.0.0.1:9001"
	// "answered by http://127.0.0.1:9000"
}

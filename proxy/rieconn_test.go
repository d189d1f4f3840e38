package proxy

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// The rules of a balancer hold on the RIEClient's own connections, where the invoke runs in
// the caller's goroutine (runHeld): these tests put NewInvokers' default endpoints in front of
// an HTTP endpoint that counts what it runs.

// heldEndpoint is an invoke endpoint whose invokes run work, with a gauge; its function is
// "f" behind NewInvokers' default RIEClient.
func heldEndpoint(t *testing.T, work func(r *http.Request) []byte, opts ...InvokerOption) (Invoker, *balancer, *gauge) {
	t.Helper()
	g := &gauge{}
	ts, _ := fakeRIE(t, func(w http.ResponseWriter, r *http.Request) {
		g.enter()
		defer g.leave()
		w.Write(work(r))
	})
	gw := &Gateway{Functions: map[string]Function{"f": {Name: "f", URLs: []string{ts.URL}}}}
	invs, err := NewInvokers(gw, opts...)
	if err != nil {
		t.Fatal(err)
	}
	b := invs["f"].(*balancer)
	if rc, ok := b.eps[0].inv.(*RIEClient); !ok || !rc.ownConns() {
		t.Fatal("the default endpoint is not an RIEClient with its own connections")
	}
	return invs["f"], b, g
}

func TestHeldInvokeKeepsTheEndpointReservedUntilTheFunctionAnswers(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	var mu sync.Mutex
	var order []string
	inv, b, g := heldEndpoint(t, func(r *http.Request) []byte {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		order = append(order, string(body))
		mu.Unlock()
		<-release
		return body
	})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	if _, err := inv.Invoke(ctx, []byte(`"abandoned"`)); !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > 2*time.Second {
		t.Fatalf("err = %v after %s, want the caller's deadline at once", err, time.Since(start))
	}
	done := make(chan error)
	go func() { _, err := inv.Invoke(context.Background(), []byte(`"next"`)); done <- err }()
	waitFor(t, "the next invoke queues behind the abandoned one", func() bool { return b.queued() == 1 })
	time.Sleep(20 * time.Millisecond)
	if cur, _, _ := g.read(); cur != 1 {
		t.Fatalf("the endpoint runs %d invokes, want only the abandoned one", cur)
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if _, peak, _ := g.read(); peak != 1 || fmt.Sprint(order) != `["abandoned" "next"]` {
		t.Fatalf("the endpoint ran %v, at most %d at once; want both in turn, one at a time", order, peak)
	}
	waitFor(t, "the endpoint is free", func() bool { return b.busyTotal() == 0 })
}

func TestHeldInvokeDrainTimeoutFreesAHungEndpoint(t *testing.T) {
	t.Parallel()
	hang := make(chan struct{})
	var calls sync.Map
	inv, _, _ := heldEndpoint(t, func(r *http.Request) []byte {
		body, _ := io.ReadAll(r.Body)
		if _, seen := calls.LoadOrStore("first", true); !seen {
			<-hang
		}
		return body
	}, WithDrainTimeout(100*time.Millisecond))
	t.Cleanup(func() { close(hang) }) // before the endpoint's Close, which waits for it
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	inv.Invoke(ctx, []byte(`"hung"`))
	got, err := inv.Invoke(context.Background(), []byte(`"next"`))
	if err != nil || string(got) != `"next"` {
		t.Fatalf("after the drain timeout: %s, %v", got, err)
	}
}

func TestHeldInvokeCancellationStress(t *testing.T) {
	t.Parallel()
	inv, b, g := heldEndpoint(t, func(r *http.Request) []byte {
		body, _ := io.ReadAll(r.Body)
		time.Sleep(time.Duration(rand.IntN(500)) * time.Microsecond)
		return body
	})
	var wg sync.WaitGroup
	for i := range 200 {
		wg.Go(func() {
			// Most invokes give up at a random moment; every tenth waits for its answer (a minute), so
			// the storm runs invokes however slow the machine (or the race detector) is.
			timeout := time.Duration(rand.IntN(4000)) * time.Microsecond
			if i%10 == 0 {
				timeout = time.Minute
			}
			ctx, cancel := context.WithTimeout(context.Background(), timeout)
			defer cancel()
			want := fmt.Sprintf(`"ev%d"`, i)
			got, err := inv.Invoke(ctx, []byte(want))
			if err == nil && string(got) != want {
				t.Errorf("invoke %s answered %s", want, got)
			}
			if i%10 == 0 && err != nil {
				t.Errorf("invoke %s without a deadline failed: %v", want, err)
			}
		})
	}
	wg.Wait()
	waitFor(t, "abandoned invokes end", func() bool { return b.busyTotal() == 0 })
	if _, peak, runs := g.read(); peak != 1 || runs == 0 {
		t.Fatalf("the endpoint ran %d invokes, at most %d at once; want one at a time", runs, peak)
	}
	if got, err := inv.Invoke(context.Background(), []byte(`"after"`)); err != nil || string(got) != `"after"` {
		t.Fatalf("after the storm: %s, %v", got, err)
	}
}

func TestRIEClientSkipsAConnectionTheEndpointClosed(t *testing.T) {
	t.Parallel()
	ts, conns := fakeRIE(t, func(w http.ResponseWriter, r *http.Request) { io.Copy(w, r.Body) })
	c := &RIEClient{URL: ts.URL}
	if _, err := c.Invoke(context.Background(), []byte(`1`)); err != nil {
		t.Fatal(err)
	}
	ts.CloseClientConnections() // the endpoint drops the idle keep-alive connection
	time.Sleep(20 * time.Millisecond)
	if got, err := c.Invoke(context.Background(), []byte(`2`)); err != nil || string(got) != "2" {
		t.Fatalf("after the endpoint closed the idle connection: %s, %v", got, err)
	}
	if n := conns.Load(); n != 2 {
		t.Fatalf("%d connections, want 2 (the closed one replaced)", n)
	}
}

func TestRIEClientCutsOffAnAnswerOverItsByteBudget(t *testing.T) {
	t.Parallel()
	ts, _ := fakeRIE(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Huge", strings.Repeat("h", rieAnswerBudget))
		w.Write([]byte(`{}`))
	})
	_, err := (&RIEClient{URL: ts.URL}).Invoke(context.Background(), []byte(`{}`))
	if err == nil || !strings.Contains(err.Error(), "invoking function at "+ts.URL) {
		t.Fatalf("err = %v, want a failed invoke naming the endpoint", err)
	}
}

func TestRIEClientReachesOtherURLsThroughAnHTTPClient(t *testing.T) {
	t.Parallel()
	for _, u := range []string{"https://127.0.0.1:9000", "http://user:pw@127.0.0.1:9000", "http://127.0.0.1:9000?x=1"} {
		if (&RIEClient{URL: u}).ownConns() {
			t.Errorf("%s: own connections, want an http.Client", u)
		}
	}
	if !(&RIEClient{URL: "http://127.0.0.1:9000/"}).ownConns() {
		t.Error("http://127.0.0.1:9000/: want own connections")
	}
}

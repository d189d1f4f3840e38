package function_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/lambdalocal/lambdalocal/localdev/function"
)

// BenchmarkInvokeOverhead measures one sequential invoke of the same handler (sleep with
// ms=0: it answers at once and prints nothing) through lambdalocal's runtime and through the
// real RIE, in the same run. Per-invoke overhead is the difference from the handler's own
// near-zero time.
//
//	go test ./localdev/function -run '^$' -bench InvokeOverhead -benchtime 2000x
func BenchmarkInvokeOverhead(b *testing.B) {
	event := []byte(`{"ms":0}`)
	b.Run("lambdalocal/pool.Invoke", func(b *testing.B) {
		p, err := function.New(bootstrap("sleep"), function.WithLogs(io.Discard))
		if err != nil {
			b.Fatal(err)
		}
		defer p.Close()
		if _, err := p.Invoke(context.Background(), event); err != nil { // cold start outside the timing
			b.Fatal(err)
		}
		b.ResetTimer()
		for b.Loop() {
			if _, err := p.Invoke(context.Background(), event); err != nil {
				b.Fatal(err)
			}
		}
		reportPerInvoke(b)
	})
	b.Run("lambdalocal/http", func(b *testing.B) {
		p, err := function.New(bootstrap("sleep"), function.WithLogs(io.Discard))
		if err != nil {
			b.Fatal(err)
		}
		defer p.Close()
		srv := httptest.NewServer(p)
		defer srv.Close()
		benchHTTP(b, srv.URL, event)
	})
	b.Run("rie/http", func(b *testing.B) {
		rie := startRIE(b, "sleep", 30*time.Second)
		benchHTTP(b, rie.url, event)
	})
}

// benchHTTP posts event to an invoke endpoint at base, sequentially.
func benchHTTP(b *testing.B, base string, event []byte) {
	b.Helper()
	client := &http.Client{}
	invoke := func() {
		resp, err := client.Post(base+function.InvokePath, "application/json", bytes.NewReader(event))
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			b.Fatalf("status %d", resp.StatusCode)
		}
	}
	invoke() // cold start outside the timing
	b.ResetTimer()
	for b.Loop() {
		invoke()
	}
	reportPerInvoke(b)
}

func reportPerInvoke(b *testing.B) {
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N), "µs/invoke")
}

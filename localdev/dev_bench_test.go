package localdev

import (
	"context"
	"io"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// BenchmarkDevColdStart measures dev from the call to its first served request on the example
// function (GET / through the API Gateway emulator): a host build of ./lambda with a warm Go
// build cache, the listeners, and the function's cold start.
//
//	go test ./localdev -run '^$' -bench DevColdStart -benchtime 5x
func BenchmarkDevColdStart(b *testing.B) {
	var total time.Duration
	for b.Loop() {
		start := time.Now()
		ctx, cancel := context.WithCancel(context.Background())
		ready := make(chan DevEndpoints, 1)
		done := make(chan error, 1)
		go func() {
			done <- Dev(ctx, Config{Dir: "..", Handler: "./lambda", ProxyAddr: "127.0.0.1:0", FunctionURL: "http://127.0.0.1:0"},
				WithDevOutput(io.Discard), WithReady(func(e DevEndpoints) { ready <- e }))
		}()
		var ends DevEndpoints
		select {
		case ends = <-ready:
		case err := <-done:
			b.Fatal(err)
		}
		if status, _, err := devGet(ends.URL + "/"); err != nil || status != 200 {
			b.Fatalf("first request: %d %v", status, err)
		}
		total += time.Since(start)
		cancel()
		if err := <-done; err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(total.Milliseconds())/float64(b.N), "ms-to-first-request")
}

// BenchmarkDevEditToServing measures the time from saving an edited handler to the first
// response of the new build, with dev's default poll interval (250 ms): the poll, the
// rebuild, the swap and the new build's cold start. Goal: at most 1.5 s.
//
//	go test ./localdev -run '^$' -bench DevEditToServing -benchtime 5x
func BenchmarkDevEditToServing(b *testing.B) {
	dir := devModule(b)
	d := startDev(b, Config{Dir: dir})
	version := 1
	var total time.Duration
	for b.Loop() {
		version++
		want := "version " + strconv.Itoa(version)
		start := time.Now()
		devWrite(b, filepath.Join(dir, "main.go"), devVersion(strconv.Itoa(version)))
		for {
			if _, body, err := devGet(d.URL + "/"); err == nil && body == want {
				break
			}
			if time.Since(start) > time.Minute {
				b.Fatalf("%q not served within a minute:\n%s", want, d.out)
			}
			time.Sleep(5 * time.Millisecond)
		}
		total += time.Since(start)
	}
	b.ReportMetric(float64(total.Milliseconds())/float64(b.N), "ms-edit-to-serving")
}

package localdev

import (
	"context"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/lambdalocal/lambdalocal/internal/testenv"
)

// Time from `up` to the first successful invoke of the example function, with the image's
// layers cached (one warm-up up/down first), per Compose implementation. ns/op is the whole
// span; up-ms is Up alone (build from cache, start, RIE answering), invoke-ms the first invoke
// (the function's cold start inside the container). Down is not timed.
//
//	go test ./localdev -run '^$' -bench BenchmarkUpToFirstInvoke -benchtime 5x
func BenchmarkUpToFirstInvoke(b *testing.B) {
	testenv.RequireDocker(b)
	base := pushTestBase(b)
	for _, v := range []ComposeVersion{ComposeV2, ComposeV1} {
		b.Run(v.String(), func(b *testing.B) {
			requireCompose(b, v)
			ctx := context.Background()
			cfg := exampleProject(b, base)
			project := testProject(b, cfg, v)
			opts := []Option{WithCompose(v), WithProject(project)}
			if _, err := Pin(ctx, cfg, WithPinOutput(io.Discard)); err != nil {
				b.Fatal(err)
			}
			if err := Build(ctx, cfg); err != nil {
				b.Fatal(err)
			}
			// Warm-up: the first up builds the image; later ones reuse its layers.
			if err := Up(ctx, cfg, opts...); err != nil {
				b.Fatal(err)
			}
			if err := Down(ctx, cfg, opts...); err != nil {
				b.Fatal(err)
			}
			event := apigwEvent(b, "/hello/json")
			var upTotal, invokeTotal time.Duration
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				start := time.Now()
				if err := Up(ctx, cfg, opts...); err != nil {
					b.Fatal(err)
				}
				upDone := time.Now()
				if resp := invoke(b, cfg, event); resp.StatusCode != http.StatusOK {
					b.Fatalf("first invoke: status %d", resp.StatusCode)
				}
				invokeDone := time.Now()
				b.StopTimer()
				upTotal += upDone.Sub(start)
				invokeTotal += invokeDone.Sub(upDone)
				if err := Down(ctx, cfg, opts...); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
			}
			b.ReportMetric(float64(upTotal.Milliseconds())/float64(b.N), "up-ms")
			b.ReportMetric(float64(invokeTotal.Microseconds())/1000/float64(b.N), "invoke-ms")
		})
	}
}

// A `build` with nothing changed: the go command finds the bootstrap up to date, the RIE's
// stamp matches.
//
//	go test ./localdev -run '^$' -bench BenchmarkBuildNothingChanged
func BenchmarkBuildNothingChanged(b *testing.B) {
	ctx := context.Background()
	dir := exampleModule(b)
	cfg := Config{Dir: dir, Handler: "./lambda"}
	if err := Build(ctx, cfg); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := Build(ctx, cfg); err != nil {
			b.Fatal(err)
		}
	}
}

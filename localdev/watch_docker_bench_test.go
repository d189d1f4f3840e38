package localdev

import (
	"context"
	"io"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// BenchmarkWatchEditToServingOnDocker measures watch on the real Docker engine from saving an
// edited handler to the first answer of the new build at the container's invoke API, with the
// default poll interval (250 ms): the poll, the linux build, `docker compose restart` of the
// function's service, the RIE's start and the new build's cold start.
//
//	go test ./localdev -run '^$' -bench WatchEditToServingOnDocker -benchtime 5x
func BenchmarkWatchEditToServingOnDocker(b *testing.B) {
	requireDocker(b)
	base := pushTestBase(b)
	dir := functionsModule(b, "fa")
	cfg := Config{Dir: dir, Handler: "./fa", BaseImage: base.Ref, FunctionURL: "http://127.0.0.1:" + freePort(b)}.WithDefaults()
	if _, err := Pin(context.Background(), cfg, WithPinOutput(io.Discard)); err != nil {
		b.Fatal(err)
	}
	startWatch(b, cfg, WithProject(testProject(b, cfg, ComposeAuto)))
	awaitAnswer(b, cfg.FunctionURL, "/x", "fa 1 /x", 10*time.Second)
	version := 1
	var total time.Duration
	for b.Loop() {
		version++
		v := strconv.Itoa(version)
		start := time.Now()
		devWrite(b, filepath.Join(dir, "fa", "main.go"), functionSource("fa", v))
		awaitAnswer(b, cfg.FunctionURL, "/x", "fa "+v+" /x", time.Minute)
		total += time.Since(start)
	}
	b.ReportMetric(float64(total.Milliseconds())/float64(b.N), "ms-edit-to-serving")
}

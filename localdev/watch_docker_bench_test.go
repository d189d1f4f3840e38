package localdev

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/lambdalocal/lambdalocal/internal/testenv"
)

// BenchmarkWatchEditToServingOnDocker measures watch on the real Docker engine from saving an
// edited handler to the first answer of the new build at the container's invoke API, with the
// default poll interval (250 ms): the poll, the linux build, `docker compose restart` of the
// function's service, the RIE's start and the new build's cold start. The client polls every
// 20 ms, also while the container restarts. With two functions the edit is to one of them; the
// other is rebuilt too (the go command finds it up to date) and not restarted.
//
//	go test ./localdev -run '^$' -bench WatchEditToServingOnDocker -benchtime 5x
func BenchmarkWatchEditToServingOnDocker(b *testing.B) {
	testenv.RequireDocker(b)
	base := pushTestBase(b)
	for _, names := range [][]string{{"fa"}, {"fa", "fb"}} {
		b.Run(fmt.Sprintf("%d-functions", len(names)), func(b *testing.B) {
			dir := functionsModule(b, names...)
			cfg := Config{Dir: dir, Handler: "./fa", BaseImage: base.Ref, FunctionURL: fmt.Sprintf("http://127.0.0.1:%d", freePorts(b, 2))}
			if len(names) > 1 {
				cfg.Functions = []Function{{"fa", "./fa"}, {"fb", "./fb"}}
			}
			cfg = cfg.WithDefaults()
			if _, err := Pin(context.Background(), cfg, WithPinOutput(io.Discard)); err != nil {
				b.Fatal(err)
			}
			startWatch(b, cfg, WithProject(testProject(b, cfg, ComposeAuto)))
			ins, err := Instances(cfg)
			if err != nil {
				b.Fatal(err)
			}
			url := ins[0].URL
			awaitAnswer(b, url, "/x", "fa 1 /x", 10*time.Second)
			version := 1
			var total time.Duration
			for b.Loop() {
				version++
				v := strconv.Itoa(version)
				start := time.Now()
				devWrite(b, filepath.Join(dir, "fa", "main.go"), functionSource("fa", v))
				awaitAnswer(b, url, "/x", "fa "+v+" /x", time.Minute)
				total += time.Since(start)
			}
			b.ReportMetric(float64(total.Milliseconds())/float64(b.N), "ms-edit-to-serving")
		})
	}
}

package localdev

import (
	"context"
	"fmt"
	"io"
	"net"
	"runtime"
	"time"

	"github.com/lambdalocal/lambdalocal/localdev/function"
)

// debugIdleTimeout keeps dev's debugged environment alive while the user reads code: stopping it
// would end the debugger's session.
const debugIdleTimeout = 24 * time.Hour

// hostDelve returns a Delve for this machine (dev runs the function on it), built the first
// time into the user cache dir, saying so on out.
func hostDelve(ctx context.Context, out io.Writer) (string, error) {
	return delveTool().cached(ctx, runtime.GOOS, runtime.GOARCH, newOptions([]Option{WithOutput(out)}))
}

// debugFunctionOptions returns the function runtime's options for dev with cfg.Debug: one
// execution environment (one Delve on one port), run under a headless Delve listening on
// DebugAddr(cfg), with no init time limit worth the name (DebugTimeout) and kept while idle.
// The function timeout is cfg.Timeout, which WithDefaults has raised to DebugTimeout.
func debugFunctionOptions(cfg Config, dlv string) []function.Option {
	return []function.Option{
		function.WithMaxEnvironments(1),
		function.WithInitTimeout(DebugTimeout),
		function.WithIdleTimeout(debugIdleTimeout),
		function.WithCommand(debugCommand(dlv, DebugAddr(cfg))),
	}
}

// debugCommand returns the command line that runs a bootstrap under the Delve at dlv, listening
// on addr. It first waits for addr to be free: the Delve of a build that a rebuild retired may
// still be ending and hold the port.
func debugCommand(dlv, addr string) func(bootstrap string) []string {
	return func(bootstrap string) []string {
		waitFree(addr, function.StopGrace+time.Second)
		return append([]string{dlv}, delveArgs(addr, bootstrap)...)
	}
}

// waitFree waits until something can listen on addr, at most wait.
func waitFree(addr string, wait time.Duration) {
	deadline := time.Now().Add(wait)
	for {
		l, err := net.Listen("tcp", addr)
		if err == nil {
			_ = l.Close()
			return
		}
		if time.Now().After(deadline) {
			return // Delve says why it cannot listen
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// startDebugging runs the debugged function's init now, so that Delve listens before the first
// request, and prints where to attach.
func startDebugging(ctx context.Context, cfg Config, pool *function.Pool, out io.Writer) error {
	if err := pool.Warm(ctx); err != nil {
		return fmt.Errorf("starting the function under Delve on %s: %w", DebugAddr(cfg), err)
	}
	fmt.Fprint(out, debugBanner(cfg, false))
	return nil
}

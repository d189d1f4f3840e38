package targets

import (
	"context"
	"os"

	"github.com/lambdalocal/lambdalocal/localdev"
)

// Dev runs the handler, a Lambda runtime and the API Gateway emulator on this machine with no Docker, rebuilding on save.
//
// Configuration: LAMBDALOCAL_HANDLER, LAMBDALOCAL_PROXY_ADDR (the emulator), LAMBDALOCAL_FUNCTION_URL
// (the function's invoke endpoint), LAMBDALOCAL_API, LAMBDALOCAL_ROUTES and LAMBDALOCAL_TIMEOUT.
//
// Several functions: with LAMBDALOCAL_FUNCTIONS=items=./cmd/items,users=./cmd/users each
// function runs in its own pool with its own invoke endpoint (the first on
// LAMBDALOCAL_FUNCTION_URL, the next ones on the following ports), behind one emulator. The
// routes file (LAMBDALOCAL_ROUTES, required then) names them without URLs, e.g.
// `GET /items/{id} items`; a route naming a function nobody declares is refused with its line.
//
// Debugging: with LAMBDALOCAL_DEBUG=1 the handler is built with -gcflags=all=-N -l and runs in
// one process under a headless Delve listening on 127.0.0.1:2345 (LAMBDALOCAL_DEBUG_PORT changes
// it), started before the first request and again after each rebuild; Delve is built from its Go
// module the first time (half a minute or more). The function, init and gateway timeouts are 15
// minutes, AWS's maximum, so a breakpoint does not time the request out. docs/debugging.md shows
// the VS Code and GoLand attach settings.
func Dev(ctx context.Context) error {
	return withConfig(func(c localdev.Config) error {
		return untilInterrupted(ctx, func(ctx context.Context) error { return localdev.Dev(ctx, c, localdev.WithDevOutput(os.Stdout)) })
	})
}

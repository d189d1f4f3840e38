package targets

import (
	"context"
	"os"

	"github.com/lambdalocal/lambdalocal/localdev"
)

// Watch builds and starts the functions with Docker Compose like build and up, then rebuilds on save and restarts only the changed functions' containers, until interrupted.
//
// It polls the Go sources of each handler's module (a quarter second apart). On a change it
// rebuilds every function of that module for LAMBDALOCAL_ARCH; the go command decides what the
// change affects, and only a function whose bootstrap bytes changed gets its container
// restarted (`docker compose restart <service>`: the bootstrap is mounted from
// localdev/var-runtime/, so no image is rebuilt). It then waits until that function answers
// again and prints how long the change took to serve. A build that fails is printed and the
// container keeps serving the previous build. Ctrl-C stops watching and leaves the stack running;
// `go tool mage down` removes it.
//
// Configuration: as build and up — LAMBDALOCAL_HANDLER or LAMBDALOCAL_FUNCTIONS (several
// functions, NAME=PACKAGE pairs: items=./cmd/items,users=./cmd/users), LAMBDALOCAL_ARCH,
// LAMBDALOCAL_FUNCTION_URL (the first function's port; the others take the next ports) and
// LAMBDALOCAL_TIMEOUT.
func Watch(ctx context.Context) error {
	return withConfig(func(c localdev.Config) error {
		return untilInterrupted(ctx, func(ctx context.Context) error { return localdev.Watch(ctx, c, localdev.WithOutput(os.Stdout)) })
	})
}

package targets

import (
	"context"
	"os"

	"github.com/lambdalocal/lambdalocal/localdev"
)

// Up starts the function under the RIE with Docker Compose and returns once it answers on LAMBDALOCAL_FUNCTION_URL.
//
// Configuration: LAMBDALOCAL_FUNCTION_URL (the invoke API's address, published on 127.0.0.1),
// LAMBDALOCAL_ARCH and LAMBDALOCAL_TIMEOUT (the function timeout).
//
// Several functions: with LAMBDALOCAL_FUNCTIONS=items=./cmd/items,users=./cmd/users (after
// `go tool mage build` with the same setting) each function runs in its own Compose service,
// named after it, from localdev/docker-compose.functions.yml, which up derives from
// docker-compose.yml (git-ignored; do not edit it): the first function's invoke API is on
// LAMBDALOCAL_FUNCTION_URL's port, the next ones on the ports after it (9000, 9001, …), each on
// 127.0.0.1 only. Up waits until every function answers.
//
// Rebuild on save: `go tool mage watch` is up that stays in the foreground, rebuilds on save
// and restarts only the changed functions' containers.
//
// Debugging: with LAMBDALOCAL_DEBUG=1, after `LAMBDALOCAL_DEBUG=1 go tool mage build`, the
// function runs under a headless Delve that a debugger attaches to on 127.0.0.1:2345
// (LAMBDALOCAL_DEBUG_PORT changes the port): localdev/docker-compose.debug.yml is merged over
// the compose file, publishing that port and adding the SYS_PTRACE capability Delve needs. The
// function and gateway timeouts are raised to 15 minutes, AWS's maximum, so a breakpoint does
// not time the invoke out. docs/debugging.md shows the VS Code and GoLand attach settings.
func Up(ctx context.Context) error {
	return withConfig(func(c localdev.Config) error { return localdev.Up(ctx, c, localdev.WithOutput(os.Stdout)) })
}

// Down stops and removes the containers and network that up made.
func Down(ctx context.Context) error {
	return withConfig(func(c localdev.Config) error { return localdev.Down(ctx, c, localdev.WithOutput(os.Stdout)) })
}

// Logs prints the function containers' logs and follows them until interrupted.
func Logs(ctx context.Context) error {
	return withConfig(func(c localdev.Config) error {
		return localdev.Logs(ctx, c, localdev.WithOutput(os.Stdout), localdev.WithFollow(true), localdev.WithLogLines(0))
	})
}

// Init writes localdev/ (Dockerfile, docker-compose.yml, entrypoint.sh, ...) from lambdalocal's copies, keeping files you edited.
func Init() error {
	return withConfig(func(c localdev.Config) error { return localdev.Scaffold(c, localdev.WithOutput(os.Stdout)) })
}

// InitForce writes localdev/ from lambdalocal's copies, overwriting files you edited.
func InitForce() error {
	return withConfig(func(c localdev.Config) error {
		return localdev.Scaffold(c, localdev.WithOutput(os.Stdout), localdev.WithForce(true))
	})
}

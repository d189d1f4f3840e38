package targets

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/lambdalocal/lambdalocal/localdev"
)

// Dev runs the handler, a Lambda runtime and the API Gateway emulator on this machine with no Docker, rebuilding on save.
func Dev(ctx context.Context) error {
	c, err := config()
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	return localdev.Dev(ctx, c, localdev.WithDevOutput(os.Stdout))
}

package targets

import (
	"context"
	"os"

	"github.com/lambdalocal/lambdalocal/localdev"
)

// Build cross-compiles the handler to localdev/var-runtime/bootstrap and builds the pinned static RIE for LAMBDALOCAL_ARCH.
func Build(ctx context.Context) error {
	c, err := config()
	if err != nil {
		return err
	}
	return localdev.Build(ctx, c, localdev.WithOutput(os.Stdout))
}

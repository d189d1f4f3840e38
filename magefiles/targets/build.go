package targets

import (
	"context"
	"os"

	"github.com/lambdalocal/lambdalocal/localdev"
)

// Build cross-compiles the handler to localdev/var-runtime/bootstrap and builds the pinned static RIE for LAMBDALOCAL_ARCH.
//
// Configuration: LAMBDALOCAL_HANDLER (the handler's Go package) and LAMBDALOCAL_ARCH (amd64 or
// arm64, default the host's). LAMBDALOCAL_FUNCTIONS names several functions instead, as
// NAME=PACKAGE pairs such as items=./cmd/items,users=./cmd/users (names: lower-case letters,
// digits, '-' and '_'); each is built to localdev/var-runtime/<name>/bootstrap. With LAMBDALOCAL_DEBUG=1 the handler is built for a debugger
// (-gcflags=all=-N -l, symbols kept) and Delve is built too, from its Go module at a pinned
// version into localdev/.rie/<arch>/dlv; the first Delve build takes half a minute or more, later ones
// copy it from the user cache dir. Then `LAMBDALOCAL_DEBUG=1 go tool mage up` runs the function
// under Delve (see docs/debugging.md).
func Build(ctx context.Context) error {
	return withConfig(func(c localdev.Config) error { return localdev.Build(ctx, c, localdev.WithOutput(os.Stdout)) })
}

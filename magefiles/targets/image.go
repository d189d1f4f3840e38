package targets

import (
	"context"

	"github.com/magefile/mage/mg"

	"github.com/lambdalocal/lambdalocal/localdev"
)

// Image pins and checks the Lambda base image of localdev/Dockerfile.
type Image mg.Namespace

// Pin resolves LAMBDALOCAL_BASE_IMAGE to its multi-arch index digest and pins localdev/Dockerfile's FROM line to it.
func (Image) Pin(ctx context.Context) error {
	return withConfig(func(c localdev.Config) error { _, err := localdev.Pin(ctx, c); return err })
}

// Check fails when localdev/Dockerfile's FROM line is not pinned to what LAMBDALOCAL_BASE_IMAGE resolves to now (for CI).
func (Image) Check(ctx context.Context) error {
	return withConfig(func(c localdev.Config) error { return localdev.CheckPin(ctx, c) })
}

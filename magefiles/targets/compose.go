package targets

import (
	"context"
	"os"

	"github.com/lambdalocal/lambdalocal/localdev"
)

// Up starts the function under the RIE with Docker Compose and returns once it answers on LAMBDALOCAL_FUNCTION_URL.
func Up(ctx context.Context) error {
	c, err := config()
	if err != nil {
		return err
	}
	return localdev.Up(ctx, c, localdev.WithOutput(os.Stdout))
}

// Down stops and removes the containers and network that up made.
func Down(ctx context.Context) error {
	c, err := config()
	if err != nil {
		return err
	}
	return localdev.Down(ctx, c, localdev.WithOutput(os.Stdout))
}

// Logs prints the function container's logs and follows them until interrupted.
func Logs(ctx context.Context) error {
	c, err := config()
	if err != nil {
		return err
	}
	return localdev.Logs(ctx, c, localdev.WithOutput(os.Stdout), localdev.WithFollow(true), localdev.WithLogLines(0))
}

// Init writes localdev/ (Dockerfile, docker-compose.yml, entrypoint.sh, ...) from lambdalocal's copies, keeping files you edited.
func Init() error {
	c, err := config()
	if err != nil {
		return err
	}
	return localdev.Scaffold(c, localdev.WithOutput(os.Stdout))
}

// InitForce writes localdev/ from lambdalocal's copies, overwriting files you edited.
func InitForce() error {
	c, err := config()
	if err != nil {
		return err
	}
	return localdev.Scaffold(c, localdev.WithOutput(os.Stdout), localdev.WithForce(true))
}

package localdev

import (
	"context"
	"fmt"
	"os"
	"time"
)

// stackFiles returns the compose files of the stack that runs ins: for several functions the
// file derived from docker-compose.yml (written again each time, see functionsCompose), else
// docker-compose.yml with the debug override when debug is set. dir must be absolute: Compose
// runs in localdev/.
func stackFiles(dir string, debug bool, ins []Instance) ([]string, error) {
	if len(ins) > 1 {
		path, err := writeFunctionsCompose(dir, ins)
		if err != nil {
			return nil, err
		}
		return []string{path}, nil
	}
	return composeFiles(dir, debug), nil
}

// servicesOf returns the Compose services of ins, in order.
func servicesOf(ins []Instance) []string {
	out := make([]string, len(ins))
	for i, in := range ins {
		out[i] = in.Service
	}
	return out
}

// checkBuiltAll fails with ErrNoBootstrap when a function's bootstrap or the RIE is missing.
func checkBuiltAll(cfg Config, ins []Instance) error {
	var paths []string
	for _, in := range ins {
		paths = append(paths, in.Bootstrap)
	}
	for _, p := range append(paths, RIEPath(cfg.Dir, cfg.Arch)) {
		if _, err := os.Stat(p); err != nil {
			return fmt.Errorf("%w: %s is missing: run `go tool mage build` first", ErrNoBootstrap, relPath(cfg.Dir, p))
		}
	}
	return nil
}

// checkPorts fails with ErrPortInUse when the host port of a function is taken.
func checkPorts(ins []Instance) error {
	for _, in := range ins {
		port, err := hostPort(in.URL)
		if err != nil {
			return err
		}
		if err := checkPort(port); err != nil {
			if len(ins) > 1 {
				return fmt.Errorf("function %s: %w (several functions take consecutive ports from it)", in.Name, err)
			}
			return err
		}
	}
	return nil
}

// waitAllReady waits until every function's RIE answers, within wait in all.
func (c *compose) waitAllReady(ctx context.Context, ins []Instance, wait time.Duration) error {
	deadline := time.Now().Add(wait)
	for _, in := range ins {
		if err := c.waitReady(ctx, in.URL, max(time.Until(deadline), time.Second)); err != nil {
			if len(ins) > 1 {
				return fmt.Errorf("function %s: %w", in.Name, err)
			}
			return err
		}
	}
	return nil
}

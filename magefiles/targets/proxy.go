package targets

import (
	"context"
	"os"

	"github.com/lambdalocal/lambdalocal/localdev"
	"github.com/lambdalocal/lambdalocal/proxy"
)

// Proxy starts the API Gateway emulator on LAMBDALOCAL_PROXY_ADDR in front of the function until interrupted.
//
// Configuration: LAMBDALOCAL_PROXY_ADDR, LAMBDALOCAL_FUNCTION_URL, LAMBDALOCAL_API,
// LAMBDALOCAL_ROUTES and LAMBDALOCAL_TIMEOUT. With LAMBDALOCAL_FUNCTIONS (several functions, as
// `up` runs them) the routes file names the functions without function lines, e.g.
// `GET /items/{id} items`: each is reached at its own port (the first at
// LAMBDALOCAL_FUNCTION_URL, the next ones on the following ports).
func Proxy(ctx context.Context) error {
	return withConfig(func(c localdev.Config) error {
		pc, err := proxyConfig(c)
		if err != nil {
			return err
		}
		return untilInterrupted(ctx, func(ctx context.Context) error { return proxy.Run(ctx, pc) })
	})
}

// proxyConfig maps the targets' configuration onto the emulator's.
func proxyConfig(c localdev.Config) (proxy.Config, error) {
	pc := proxy.Config{Addr: c.ProxyAddr, FunctionURL: c.FunctionURL, API: c.API, RoutesFile: c.Routes, Timeout: c.Timeout, AccessLog: os.Stderr}
	if len(c.Functions) > 0 {
		ins, err := localdev.Instances(c)
		if err != nil {
			return pc, err
		}
		pc.Functions = localdev.GatewayFunctions(ins)
	}
	return pc, nil
}

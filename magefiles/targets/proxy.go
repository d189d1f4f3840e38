package targets

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/lambdalocal/lambdalocal/localdev"
	"github.com/lambdalocal/lambdalocal/proxy"
)

// Proxy starts the API Gateway emulator on LAMBDALOCAL_PROXY_ADDR in front of the function until interrupted.
func Proxy(ctx context.Context) error {
	c, err := config()
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	return proxy.Run(ctx, proxyConfig(c))
}

// proxyConfig maps the targets' configuration onto the emulator's.
func proxyConfig(c localdev.Config) proxy.Config {
	return proxy.Config{Addr: c.ProxyAddr, FunctionURL: c.FunctionURL, API: c.API, RoutesFile: c.Routes, Timeout: c.Timeout, AccessLog: os.Stderr}
}

package targets

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/lambdalocal/lambdalocal/localdev"
)

// Environment variables that override Settings, one per Config field.
const (
	EnvHandler     = "LAMBDALOCAL_HANDLER"
	EnvArch        = "LAMBDALOCAL_ARCH"
	EnvBaseImage   = "LAMBDALOCAL_BASE_IMAGE"
	EnvProxyAddr   = "LAMBDALOCAL_PROXY_ADDR"
	EnvFunctionURL = "LAMBDALOCAL_FUNCTION_URL"
	EnvAPI         = "LAMBDALOCAL_API"
	EnvRoutes      = "LAMBDALOCAL_ROUTES"
	EnvTimeout     = "LAMBDALOCAL_TIMEOUT"
	EnvDebug       = "LAMBDALOCAL_DEBUG"
	EnvDebugPort   = "LAMBDALOCAL_DEBUG_PORT"
	// EnvFunctions names several functions as NAME=PACKAGE pairs, e.g.
	// items=./cmd/items,users=./cmd/users (see localdev.Config.Functions).
	EnvFunctions = "LAMBDALOCAL_FUNCTIONS"
)

// Settings is the configuration a consumer sets in its magefile, typically in an init function:
//
//	func init() { targets.Settings.Handler = "./cmd/api" }
//
// Empty fields take localdev's defaults; LAMBDALOCAL_* variables override fields at run time.
var Settings localdev.Config

// config returns Settings with environment overrides applied and defaults filled in.
func config() (localdev.Config, error) {
	return configFrom(Settings, os.LookupEnv)
}

// withConfig runs target with the resolved configuration, or returns why it cannot be resolved.
func withConfig(target func(localdev.Config) error) error {
	c, err := config()
	if err != nil {
		return err
	}
	return target(c)
}

// untilInterrupted runs target with a context that ends on SIGINT or SIGTERM, for targets that
// run in the foreground until the user stops them.
func untilInterrupted(ctx context.Context, target func(context.Context) error) error {
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	return target(ctx)
}

// configFrom applies the environment read through lookup to base, then fills in defaults.
func configFrom(base localdev.Config, lookup func(string) (string, bool)) (localdev.Config, error) {
	c := base
	texts := []struct {
		env   string
		field *string
	}{
		{EnvHandler, &c.Handler},
		{EnvArch, &c.Arch},
		{EnvBaseImage, &c.BaseImage},
		{EnvProxyAddr, &c.ProxyAddr},
		{EnvFunctionURL, &c.FunctionURL},
		{EnvAPI, &c.API},
		{EnvRoutes, &c.Routes},
	}
	for _, s := range texts {
		if v, ok := lookup(s.env); ok && v != "" {
			*s.field = v
		}
	}
	if v, ok := lookup(EnvTimeout); ok && v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			return c, fmt.Errorf("reading %s=%q: want a positive duration such as 30s or 2m", EnvTimeout, v)
		}
		c.Timeout = d
	}
	if v, ok := lookup(EnvDebug); ok && v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return c, fmt.Errorf("reading %s=%q: want 1 or true to debug with Delve, 0 or false not to", EnvDebug, v)
		}
		c.Debug = b
	}
	if v, ok := lookup(EnvDebugPort); ok && v != "" {
		p, err := strconv.Atoi(v)
		if err != nil || p < 1 || p > 65535 {
			return c, fmt.Errorf("reading %s=%q: want a TCP port number such as 2345", EnvDebugPort, v)
		}
		c.DebugPort = p
	}
	if v, ok := lookup(EnvFunctions); ok && strings.TrimSpace(v) != "" {
		fns, err := localdev.ParseFunctions(v)
		if err != nil {
			return c, fmt.Errorf("reading %s=%q: %w", EnvFunctions, v, err)
		}
		c.Functions = fns
	} else if err := localdev.CheckFunctions(c.Functions); err != nil {
		return c, fmt.Errorf("reading Settings.Functions: %w", err)
	}
	c = c.WithDefaults()
	switch c.Arch {
	case "amd64", "arm64":
	default:
		return c, fmt.Errorf("reading %s: arch %q is not supported by Lambda: use amd64 or arm64", EnvArch, c.Arch)
	}
	switch c.API {
	case "rest", "http":
	default:
		return c, fmt.Errorf("reading %s: API %q is unknown: use rest (REST API, payload 1.0) or http (HTTP API, payload 2.0)", EnvAPI, c.API)
	}
	return c, nil
}

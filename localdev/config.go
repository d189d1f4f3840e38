package localdev

import (
	"runtime"
	"time"
)

// Defaults for Config fields left empty.
const (
	DefaultBaseImage   = "ghcr.io/northwood-labs/lambda-provided-al2023:latest"
	DefaultProxyAddr   = "127.0.0.1:8080"
	DefaultFunctionURL = "http://127.0.0.1:9000"
	DefaultAPI         = "rest"
	DefaultTimeout     = 30 * time.Second
	DefaultHandler     = "."
	DefaultDebugPort   = 2345
	// DebugTimeout is the least function and gateway timeout while debugging: AWS's maximum
	// function timeout, 15 minutes, so that a stop at a breakpoint does not time the invoke out.
	DebugTimeout = 15 * time.Minute
)

// Config is everything the targets need. The zero value works: WithDefaults fills each empty
// field with its documented default.
type Config struct {
	// Dir is the root of the repository that holds localdev/ (default ".").
	Dir string
	// Handler is the Go package of the Lambda handler, relative to Dir (default "."). Unused
	// when Functions is set.
	Handler string
	// Functions are the repository's functions when it has more than one (empty: the one
	// function of Handler). Each gets its own bootstrap (localdev/var-runtime/<name>/bootstrap),
	// Compose service, dev pool and invoke API: the first on FunctionURL, the others on the
	// next ports. A routes file names them without repeating their URLs. One function keeps the
	// single-function layout (localdev/var-runtime/bootstrap, service "function").
	Functions []Function
	// Arch is the target GOARCH for the function: "amd64" or "arm64" (default: the host's).
	Arch string
	// BaseImage is the image reference image:pin resolves.
	BaseImage string
	// ProxyAddr is the API Gateway emulator's listen address.
	ProxyAddr string
	// FunctionURL is the base URL of the function's invoke API (the RIE or dev runtime); with
	// several Functions, the first one's, the others taking the next ports.
	FunctionURL string
	// API is "rest" (REST API, payload 1.0) or "http" (HTTP API, payload 2.0).
	API string
	// Routes is the path of a routes file; empty means one catch-all route to FunctionURL.
	Routes string
	// Timeout is the function timeout. With Debug set, WithDefaults raises it to DebugTimeout.
	Timeout time.Duration
	// Debug builds the handler for a debugger (-gcflags=all=-N -l) and runs it under a headless
	// Delve listening on 127.0.0.1:DebugPort (see docs/debugging.md).
	Debug bool
	// DebugPort is Delve's port on 127.0.0.1 when Debug is set (default 2345).
	DebugPort int
}

// WithDefaults returns c with every empty field set to its default, and with Debug set, the
// timeout raised to at least DebugTimeout.
func (c Config) WithDefaults() Config {
	if c.Dir == "" {
		c.Dir = "."
	}
	if c.Handler == "" {
		c.Handler = DefaultHandler
	}
	if c.Arch == "" {
		c.Arch = runtime.GOARCH
	}
	if c.BaseImage == "" {
		c.BaseImage = DefaultBaseImage
	}
	if c.ProxyAddr == "" {
		c.ProxyAddr = DefaultProxyAddr
	}
	if c.FunctionURL == "" {
		c.FunctionURL = DefaultFunctionURL
	}
	if c.API == "" {
		c.API = DefaultAPI
	}
	if c.Timeout == 0 {
		c.Timeout = DefaultTimeout
	}
	if c.DebugPort == 0 {
		c.DebugPort = DefaultDebugPort
	}
	if c.Debug && c.Timeout < DebugTimeout {
		c.Timeout = DebugTimeout
	}
	return c
}

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
)

// Config is everything the targets need. The zero value works: WithDefaults fills each empty
// field with its documented default.
type Config struct {
	// Dir is the root of the repository that holds localdev/ (default ".").
	Dir string
	// Handler is the Go package of the Lambda handler, relative to Dir (default ".").
	Handler string
	// Arch is the target GOARCH for the function: "amd64" or "arm64" (default: the host's).
	Arch string
	// BaseImage is the image reference image:pin resolves.
	BaseImage string
	// ProxyAddr is the API Gateway emulator's listen address.
	ProxyAddr string
	// FunctionURL is the base URL of the function's invoke API (the RIE or dev runtime).
	FunctionURL string
	// API is "rest" (REST API, payload 1.0) or "http" (HTTP API, payload 2.0).
	API string
	// Routes is the path of a routes file; empty means one catch-all route to FunctionURL.
	Routes string
	// Timeout is the function timeout.
	Timeout time.Duration
}

// WithDefaults returns c with every empty field set to its default.
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
	return c
}

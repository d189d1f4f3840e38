package localdev

import (
	"io"
	"net/http"
	"os"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
)

// ImageOption configures Pin and CheckPin.
type ImageOption func(*imageOptions)

type imageOptions struct {
	out       io.Writer
	keychain  authn.Keychain
	transport http.RoundTripper
	insecure  bool
	timeout   time.Duration
	attempts  int
}

// Defaults of the image options.
const (
	// DefaultRegistryTimeout bounds the whole conversation with the registry.
	DefaultRegistryTimeout = 60 * time.Second
	// DefaultRegistryAttempts is how often a request that failed for a passing reason (a 5xx, a
	// reset connection) is tried.
	DefaultRegistryAttempts = 3
)

func newImageOptions(opts []ImageOption) imageOptions {
	o := imageOptions{
		out:      os.Stdout,
		keychain: authn.DefaultKeychain,
		timeout:  DefaultRegistryTimeout,
		attempts: DefaultRegistryAttempts,
	}
	for _, opt := range opts {
		opt(&o)
	}
	return o
}

// WithPinOutput sends what Pin and CheckPin report (digests, warnings) to w (default os.Stdout).
func WithPinOutput(w io.Writer) ImageOption { return func(o *imageOptions) { o.out = w } }

// WithKeychain sets where registry credentials come from (default authn.DefaultKeychain: the
// Docker config file and its credential helpers).
func WithKeychain(kc authn.Keychain) ImageOption { return func(o *imageOptions) { o.keychain = kc } }

// WithRegistryTransport sets the HTTP transport used to talk to the registry (default
// go-containerregistry's remote.DefaultTransport).
func WithRegistryTransport(rt http.RoundTripper) ImageOption {
	return func(o *imageOptions) { o.transport = rt }
}

// WithInsecureRegistry allows plain HTTP to the base image's registry. Loopback registries
// (127.0.0.1:PORT, [::1]:PORT, localhost:PORT) get it without asking; every other registry is
// reached over TLS unless this option is given.
func WithInsecureRegistry() ImageOption { return func(o *imageOptions) { o.insecure = true } }

// WithRegistryTimeout bounds the whole conversation with the registry (default
// DefaultRegistryTimeout).
func WithRegistryTimeout(d time.Duration) ImageOption {
	return func(o *imageOptions) { o.timeout = d }
}

// WithRegistryAttempts sets how often a request that failed for a passing reason is tried
// (default DefaultRegistryAttempts; 1 means no retry).
func WithRegistryAttempts(n int) ImageOption { return func(o *imageOptions) { o.attempts = n } }

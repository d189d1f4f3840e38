package function

import (
	"io"
	"os"
	"time"
)

// Defaults for the options.
const (
	// DefaultMaxEnvironments bounds the execution environments (processes) a Pool runs at once.
	// Four keeps a laptop responsive while still showing that concurrent requests reach separate
	// processes; raise it with WithMaxEnvironments.
	DefaultMaxEnvironments = 4
	// DefaultIdleTimeout is how long an idle environment lives before it is stopped. Lambda
	// keeps idle environments for minutes (the exact time is not documented).
	DefaultIdleTimeout = 5 * time.Minute
	// DefaultTimeout is the function timeout (Lambda's default is 3 s; lambdalocal's Config
	// default is 30 s, and the dev command passes it).
	DefaultTimeout = 3 * time.Second
	// DefaultInitTimeout is Lambda's init phase limit.
	DefaultInitTimeout = 10 * time.Second
	// DefaultMemorySize is Lambda's default memory size in MB. Nothing enforces it locally.
	DefaultMemorySize = 128
	// DefaultFunctionName is the function name the RIE's example uses for its invoke path.
	DefaultFunctionName = "function"
	// DefaultRegion is the region in the environment and the function ARN.
	DefaultRegion = "us-east-1"
)

type options struct {
	maxEnvs     int
	idleTimeout time.Duration
	timeout     time.Duration
	initTimeout time.Duration
	memoryMB    int
	name        string
	region      string
	logs        io.Writer
	env         []string
	command     func(bootstrap string) []string
}

// Option configures a Pool.
type Option func(*options)

// WithMaxEnvironments sets how many execution environments may run at once (at least 1).
// Requests beyond it wait for a free one, bounded by their context.
func WithMaxEnvironments(n int) Option { return func(o *options) { o.maxEnvs = max(n, 1) } }

// WithIdleTimeout sets how long an idle environment is kept before it is stopped.
func WithIdleTimeout(d time.Duration) Option { return func(o *options) { o.idleTimeout = d } }

// WithTimeout sets the function timeout: an invoke that runs longer ends its process and
// answers "Task timed out after N.NN seconds".
func WithTimeout(d time.Duration) Option { return func(o *options) { o.timeout = d } }

// WithInitTimeout sets how long a new process may take to ask for its first invoke.
func WithInitTimeout(d time.Duration) Option { return func(o *options) { o.initTimeout = d } }

// WithMemorySize sets AWS_LAMBDA_FUNCTION_MEMORY_SIZE and the REPORT line's Memory Size, in MB.
func WithMemorySize(mb int) Option { return func(o *options) { o.memoryMB = mb } }

// WithFunctionName sets AWS_LAMBDA_FUNCTION_NAME and the name in the function ARN.
func WithFunctionName(name string) Option { return func(o *options) { o.name = name } }

// WithRegion sets AWS_REGION, AWS_DEFAULT_REGION and the region in the function ARN.
func WithRegion(region string) Option { return func(o *options) { o.region = region } }

// WithLogs sets where the function's output and the START / END / REPORT lines go
// (default os.Stderr).
func WithLogs(w io.Writer) Option { return func(o *options) { o.logs = w } }

// WithEnv adds the function's own environment variables (KEY=value), as set in the function's
// configuration. They may override the defaults lambdalocal sets, except AWS_LAMBDA_RUNTIME_API.
func WithEnv(kv ...string) Option {
	return func(o *options) { o.env = append(o.env, kv...) }
}

// WithCommand runs each execution environment as the command that cmd returns for the
// bootstrap's path (the program first) instead of the bootstrap itself: a debugger that starts
// the bootstrap, for instance. The command gets the environment the bootstrap would, and must
// pass it on. Stopping such an environment asks the command to end with SIGTERM first, and
// kills its process group only if it has not ended within StopGrace: a debugger ends the program
// it started when asked, while a kill would leave that program running outside the group.
func WithCommand(cmd func(bootstrap string) []string) Option {
	return func(o *options) { o.command = cmd }
}

// StopGrace is how long an environment run with WithCommand has to end after SIGTERM.
const StopGrace = 5 * time.Second

func makeOptions(opts []Option) options {
	o := options{
		maxEnvs:     DefaultMaxEnvironments,
		idleTimeout: DefaultIdleTimeout,
		timeout:     DefaultTimeout,
		initTimeout: DefaultInitTimeout,
		memoryMB:    DefaultMemorySize,
		name:        DefaultFunctionName,
		region:      DefaultRegion,
		logs:        os.Stderr,
	}
	for _, opt := range opts {
		opt(&o)
	}
	return o
}

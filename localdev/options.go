package localdev

import (
	"io"
	"time"
)

// Option configures Build, Scaffold, Up, Down and Logs.
type Option func(*options)

type options struct {
	out     io.Writer
	env     []string
	compose ComposeVersion
	project string
	wait    time.Duration
	force   bool
	follow  bool
	tail    int
}

// Defaults of the options.
const (
	// DefaultWait bounds how long Up waits for the invoke endpoint to answer.
	DefaultWait = 60 * time.Second
	// DefaultLogLines is how many of the container's last log lines Up prints when it fails.
	DefaultLogLines = 40
)

func newOptions(opts []Option) options {
	o := options{out: io.Discard, wait: DefaultWait, tail: DefaultLogLines}
	for _, opt := range opts {
		opt(&o)
	}
	return o
}

// WithOutput sends progress lines and the output of the commands run to w (default: discarded).
func WithOutput(w io.Writer) Option { return func(o *options) { o.out = w } }

// WithCommandEnv adds environment variables (KEY=value) to the docker, Compose and go commands
// run, on top of the process's own: DOCKER_HOST, PATH, DOCKER_CONFIG and so on. The last value
// of a key wins, and PATH given here is also where the commands are looked up.
func WithCommandEnv(env ...string) Option {
	return func(o *options) { o.env = append(o.env, env...) }
}

// WithCompose chooses the Compose implementation instead of detecting it.
func WithCompose(v ComposeVersion) Option { return func(o *options) { o.compose = v } }

// WithProject sets the Compose project name (default: derived from the repository folder's name,
// so that two repositories never share containers).
func WithProject(name string) Option { return func(o *options) { o.project = name } }

// WithWait bounds how long Up waits for the invoke endpoint to answer (default DefaultWait).
func WithWait(d time.Duration) Option { return func(o *options) { o.wait = d } }

// WithForce makes Scaffold overwrite files the user has edited.
func WithForce(force bool) Option { return func(o *options) { o.force = force } }

// WithFollow makes Logs keep streaming until its context ends.
func WithFollow(follow bool) Option { return func(o *options) { o.follow = follow } }

// WithLogLines sets how many of the container's last log lines Logs shows and Up prints when it
// fails (default DefaultLogLines; 0 means all for Logs).
func WithLogLines(n int) Option { return func(o *options) { o.tail = n } }

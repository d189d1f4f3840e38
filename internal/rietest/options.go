package rietest

import (
	"io"
	"strconv"
	"time"
)

type options struct {
	functionTimeout time.Duration
	startTimeout    time.Duration
	extraEnv        []string
	logs            io.Writer
}

// Option configures Start.
type Option func(*options)

// WithFunctionTimeout sets the function's timeout (AWS_LAMBDA_FUNCTION_TIMEOUT, whole seconds,
// at least 1). Default 30 s.
func WithFunctionTimeout(d time.Duration) Option {
	return func(o *options) { o.functionTimeout = d }
}

// WithStartTimeout bounds how long Start waits for the RIE to answer. Default 10 s.
func WithStartTimeout(d time.Duration) Option {
	return func(o *options) { o.startTimeout = d }
}

// WithEnv adds KEY=value entries to the RIE's otherwise clean environment.
func WithEnv(kv ...string) Option {
	return func(o *options) { o.extraEnv = append(o.extraEnv, kv...) }
}

// WithLogs copies the RIE's and the function's output to w as well (e.g. os.Stderr).
func WithLogs(w io.Writer) Option {
	return func(o *options) { o.logs = w }
}

func makeOptions(opts []Option) options {
	o := options{functionTimeout: 30 * time.Second, startTimeout: 10 * time.Second}
	for _, opt := range opts {
		opt(&o)
	}
	return o
}

// environ returns the RIE's environment.
func (o options) environ() []string {
	secs := int(o.functionTimeout / time.Second)
	if secs < 1 {
		secs = 1
	}
	return append([]string{
		"AWS_LAMBDA_FUNCTION_TIMEOUT=" + strconv.Itoa(secs),
		"AWS_LAMBDA_FUNCTION_NAME=function",
		"AWS_REGION=us-east-1",
		"AWS_DEFAULT_REGION=us-east-1",
		"TZ=UTC",
	}, o.extraEnv...)
}

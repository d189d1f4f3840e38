package localdev

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
)

// CompileOption configures Compile.
type CompileOption func(*compileOptions)

type compileOptions struct {
	goos    string
	goarch  string
	gcflags string
	env     []string
	stderr  io.Writer
}

// WithGOOS sets the target operating system (default "linux", as Lambda runs).
func WithGOOS(goos string) CompileOption { return func(o *compileOptions) { o.goos = goos } }

// WithArch sets the target GOARCH (default: the host's).
func WithArch(goarch string) CompileOption { return func(o *compileOptions) { o.goarch = goarch } }

// WithGCFlags passes -gcflags to the compiler, e.g. "all=-N -l" for a debugger build.
func WithGCFlags(flags string) CompileOption { return func(o *compileOptions) { o.gcflags = flags } }

// WithEnv adds environment variables (KEY=value) to the go command's environment.
func WithEnv(env ...string) CompileOption {
	return func(o *compileOptions) { o.env = append(o.env, env...) }
}

// WithCompilerOutput copies the go command's output to w as it runs, besides keeping it for
// the error.
func WithCompilerOutput(w io.Writer) CompileOption { return func(o *compileOptions) { o.stderr = w } }

// CompileError is a failed go build: the package and what the compiler said.
type CompileError struct {
	Package string
	Output  string
	Err     error
}

func (e *CompileError) Error() string {
	return fmt.Sprintf("compiling handler package %s: %v\n%s", e.Package, e.Err, strings.TrimRight(e.Output, "\n"))
}

func (e *CompileError) Unwrap() error { return e.Err }

// Compile builds the Go package pkg, relative to the module directory dir, into the executable
// out with Lambda's flags: CGO_ENABLED=0, -trimpath, -ldflags="-s -w" and -tags lambda.norpc.
// Without options it builds for linux on the host's architecture.
func Compile(ctx context.Context, dir, pkg, out string, opts ...CompileOption) error {
	o := compileOptions{goos: "linux", goarch: runtime.GOARCH}
	for _, opt := range opts {
		opt(&o)
	}
	absOut, err := filepath.Abs(out)
	if err != nil {
		return fmt.Errorf("resolving output path %q: %w", out, err)
	}
	if err := os.MkdirAll(filepath.Dir(absOut), 0o755); err != nil {
		return fmt.Errorf("creating output folder: %w", err)
	}
	cmd := exec.CommandContext(ctx, "go", compileArgs(pkg, absOut, o.gcflags)...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), compileEnv(o)...)
	var output bytes.Buffer
	cmd.Stdout = &output
	cmd.Stderr = &output
	if o.stderr != nil {
		cmd.Stdout = io.MultiWriter(&output, o.stderr)
		cmd.Stderr = cmd.Stdout
	}
	if err := cmd.Run(); err != nil {
		var exitErr *exec.ExitError
		if errors.Is(err, exec.ErrNotFound) {
			return fmt.Errorf("compiling handler package %s: the go command is not on PATH: install Go from https://go.dev/dl/", pkg)
		}
		if errors.As(err, &exitErr) || ctx.Err() == nil {
			return &CompileError{Package: pkg, Output: output.String(), Err: err}
		}
		return fmt.Errorf("compiling handler package %s: %w", pkg, ctx.Err())
	}
	return nil
}

// compileArgs returns the go command's arguments for building pkg into out.
func compileArgs(pkg, out, gcflags string) []string {
	args := []string{"build", "-trimpath", "-tags", "lambda.norpc", "-o", out}
	if gcflags != "" {
		// A debugger build keeps symbols: no -s -w.
		args = append(args, "-gcflags", gcflags)
	} else {
		args = append(args, "-ldflags", "-s -w")
	}
	return append(args, pkg)
}

// compileEnv returns the environment the go command gets on top of the caller's.
func compileEnv(o compileOptions) []string {
	return append([]string{"CGO_ENABLED=0", "GOOS=" + o.goos, "GOARCH=" + o.goarch, "GOFLAGS=-buildvcs=false"}, o.env...)
}

package localdev

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"time"

	"github.com/lambdalocal/lambdalocal/localdev/function"
	"github.com/lambdalocal/lambdalocal/proxy"
)

// A function Pool is what the gateway invokes.
var _ proxy.Invoker = (*function.Pool)(nil)

// DevOption configures Dev.
type DevOption func(*devOptions)

type devOptions struct {
	out      io.Writer
	poll     time.Duration
	function []function.Option
	ready    func(DevEndpoints)
}

// WithDevOutput sends dev's messages, the function's logs and the access log to w
// (default os.Stderr).
func WithDevOutput(w io.Writer) DevOption { return func(o *devOptions) { o.out = w } }

// WithPollInterval sets how often dev looks for changed sources (default DefaultPollInterval).
func WithPollInterval(d time.Duration) DevOption { return func(o *devOptions) { o.poll = d } }

// WithFunctionOptions configures the function runtime (environments, idle time, memory size,
// the function's environment variables…). The function timeout comes from Config.Timeout.
func WithFunctionOptions(opts ...function.Option) DevOption {
	return func(o *devOptions) { o.function = append(o.function, opts...) }
}

// WithReady calls f once dev serves, with its addresses (useful with port 0).
func WithReady(f func(DevEndpoints)) DevOption { return func(o *devOptions) { o.ready = f } }

// DevEndpoints says where Dev serves.
type DevEndpoints struct {
	// URL is the API Gateway emulator's base URL, e.g. http://127.0.0.1:8080.
	URL string
	// FunctionURL is the base URL of the function's RIE-compatible invoke endpoint
	// (FunctionURL + function.InvokePath), e.g. http://127.0.0.1:9000; with several
	// functions, the first one's.
	FunctionURL string
	// Functions maps each function's name to the base URL of its invoke endpoint.
	Functions map[string]string
}

// AddrInUseError is a listen address that another program holds.
type AddrInUseError struct {
	Addr     string // the address, e.g. 127.0.0.1:8080
	What     string // what dev wanted to serve there
	Variable string // the LAMBDALOCAL_* variable that moves it
	Err      error
}

func (e *AddrInUseError) Error() string {
	return fmt.Sprintf("listening on %s for %s: the address is in use: stop the program that holds it or set %s to another address",
		e.Addr, e.What, e.Variable)
}

func (e *AddrInUseError) Unwrap() error { return e.Err }

// Dev runs the whole stack on this machine with no Docker: it builds the handler for the host
// (GOOS and GOARCH of this machine, so it runs on macOS too; Config.Arch is for Lambda builds),
// runs it under lambdalocal's own Lambda runtime (package function), serves the function's
// invoke endpoint on Config.FunctionURL and the API Gateway emulator on Config.ProxyAddr,
// prints the URL, and rebuilds when a Go source of the handler's module changes: new requests
// go to the new build, requests in flight finish on the old one, and a build that fails is
// printed while the previous build keeps serving. It returns nil when ctx ends, once every
// function process is gone.
//
// With several cfg.Functions it runs one pool per function, each with its own invoke endpoint
// (the first on Config.FunctionURL, the others on the next ports), behind one gateway whose
// routes file names them (see Config.Functions); a change to a module rebuilds the functions
// whose handlers it holds.
//
// With cfg.Debug the handler is built with -gcflags=all=-N -l and runs in one execution
// environment under a headless Delve on 127.0.0.1:cfg.DebugPort, started before the first
// request so a debugger can attach at once (and again after each rebuild); the function, init
// and gateway timeouts are DebugTimeout, so a stop at a breakpoint times nothing out.
func Dev(ctx context.Context, cfg Config, opts ...DevOption) error {
	cfg = cfg.WithDefaults()
	o := devOptions{out: os.Stderr, poll: DefaultPollInterval}
	for _, opt := range opts {
		opt(&o)
	}
	ins, err := Instances(cfg)
	if err != nil {
		return err
	}
	return devAll(ctx, cfg, ins, o)
}

// devBuilder compiles the handler for the host into numbered folders of work.
type devBuilder struct {
	name string // the function's name when dev runs several, else ""
	cfg  Config
	work string
	out  io.Writer
	gen  int
	last string // folder of the build being served
}

// build compiles the next build and returns its bootstrap path and how long it took.
func (b *devBuilder) build(ctx context.Context) (string, time.Duration, error) {
	b.gen++
	dir := filepath.Join(b.work, fmt.Sprintf("build-%d", b.gen))
	bootstrap := filepath.Join(dir, "bootstrap")
	start := time.Now()
	copts := []CompileOption{WithGOOS(runtime.GOOS), WithArch(runtime.GOARCH)}
	if b.cfg.Debug {
		copts = append(copts, WithGCFlags(DebugGCFlags))
	}
	err := Compile(ctx, b.cfg.Dir, b.cfg.Handler, bootstrap, copts...)
	if err == nil {
		err = checkExecutable(bootstrap, b.cfg.Handler)
	}
	if err != nil {
		_ = os.RemoveAll(dir)
		return "", 0, err
	}
	return bootstrap, time.Since(start), nil
}

// checkExecutable says clearly when the build is not a program: go build writes an archive
// for a package that is not main.
func checkExecutable(path, pkg string) error {
	fi, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("building handler package %s: %w", pkg, err)
	}
	if fi.Mode()&0o111 == 0 {
		return fmt.Errorf("building handler package %s: it is not a command: LAMBDALOCAL_HANDLER must name the handler's package main, the one whose main calls lambda.Start", pkg)
	}
	return nil
}

// rebuild compiles after a change and swaps the pool onto the new build; on failure it prints
// the compiler's output and leaves the previous build serving.
func (b *devBuilder) rebuild(ctx context.Context, pool *function.Pool, changed []string) {
	of := ""
	if b.name != "" {
		of = " " + b.name
	}
	fmt.Fprintf(b.out, "lambdalocal dev: %s changed, rebuilding%s\n", describeChange(b.cfg.Dir, changed), of)
	previous := b.last
	bootstrap, took, err := b.build(ctx)
	if err != nil {
		if ctx.Err() == nil {
			fmt.Fprintf(b.out, "lambdalocal dev: the build%s failed; still serving the previous build:\n%v\n", of, err)
		}
		return
	}
	if previous != "" && sameFile(filepath.Join(previous, "bootstrap"), bootstrap) {
		// The change did not reach this function's build (a comment, another function's
		// package, a file of another build tag): its warm environments stay.
		_ = os.RemoveAll(filepath.Dir(bootstrap))
		if b.name != "" {
			fmt.Fprintf(b.out, "lambdalocal dev: %s did not change; still serving its build\n", b.name)
		} else {
			fmt.Fprintf(b.out, "lambdalocal dev: the build did not change; still serving it\n")
		}
		return
	}
	if err := pool.Swap(bootstrap); err != nil {
		fmt.Fprintf(b.out, "lambdalocal dev: %v\n", err)
		return
	}
	b.last = filepath.Dir(bootstrap)
	if previous != "" {
		// Processes of the old build keep running from the unlinked file until they stop.
		_ = os.RemoveAll(previous)
	}
	fmt.Fprintf(b.out, "lambdalocal dev: rebuilt%s in %s; new requests get the new build\n", of, took.Round(time.Millisecond))
	if b.cfg.Debug {
		// The debugger's session ended with the old build's Delve: start the new one now.
		if err := startDebugging(ctx, b.cfg, pool, b.out); err != nil && ctx.Err() == nil {
			fmt.Fprintf(b.out, "lambdalocal dev: %v\n", err)
		}
	}
}

// sameFile reports whether the files at a and b have the same bytes.
func sameFile(a, b string) bool {
	ha, err1 := fileHash(a)
	hb, err2 := fileHash(b)
	return err1 == nil && err2 == nil && ha == hb
}

// describeChange names the first changed file (relative to dir) and how many more there are.
func describeChange(dir string, changed []string) string {
	first := changed[0]
	if abs, err := filepath.Abs(dir); err == nil {
		if rel, err := filepath.Rel(abs, first); err == nil && !strings.HasPrefix(rel, "..") {
			first = rel
		}
	}
	if len(changed) > 1 {
		return fmt.Sprintf("%s and %d more", first, len(changed)-1)
	}
	return first
}

// devGateway returns the routes dev serves: the routes file, or one catch-all route.
func devGateway(cfg Config) (*proxy.Gateway, proxy.API, error) {
	api, err := proxy.ParseAPI(cfg.API)
	if err != nil {
		return nil, "", fmt.Errorf("reading LAMBDALOCAL_API: %w", err)
	}
	if cfg.Routes == "" {
		return proxy.DefaultGateway(api, cfg.FunctionURL), api, nil
	}
	g, err := proxy.LoadGateway(cfg.Routes, proxy.WithAPI(api))
	if err != nil {
		return nil, "", err
	}
	if g.API != "" {
		api = g.API
	}
	return g, api, nil
}

// moduleRootOf returns the folder of the go.mod that holds dir: what dev watches.
func moduleRootOf(dir string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", fmt.Errorf("finding the handler's module: %w", err)
	}
	if _, err := os.Stat(abs); err != nil {
		return "", fmt.Errorf("finding the handler's package %s: %w: check LAMBDALOCAL_HANDLER", dir, err)
	}
	for d := abs; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d, nil
		}
		if filepath.Dir(d) == d {
			return "", fmt.Errorf("finding the handler's module: no go.mod at or above %s", abs)
		}
	}
}

// functionAddr is the host:port of the function URL, where dev serves the invoke endpoint.
func functionAddr(functionURL string) (string, error) {
	u, err := url.Parse(functionURL)
	if err != nil || u.Scheme != "http" || u.Port() == "" {
		return "", fmt.Errorf("reading LAMBDALOCAL_FUNCTION_URL %q: dev serves the function there: want http://host:port, such as http://127.0.0.1:9000", functionURL)
	}
	return u.Host, nil
}

// listenDev listens on addr, with a clear error when the address is taken.
func listenDev(addr, what, variable string) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if errors.Is(err, syscall.EADDRINUSE) {
		return nil, &AddrInUseError{Addr: addr, What: what, Variable: variable, Err: err}
	}
	if err != nil {
		return nil, fmt.Errorf("listening on %s for %s: %w: check %s", addr, what, err, variable)
	}
	return ln, nil
}

// readFunctionEnv reads the function's own variables from localdev/function.env, the file the
// Compose stack passes as env_file, so dev and up give the function the same environment. A
// missing file means none. The format is Compose's: KEY=value a line, # comments and blank
// lines ignored, one pair of matching quotes around a value removed. A bare KEY (Compose takes
// its value from the shell) is skipped: dev reads no environment of its own.
func readFunctionEnv(path string) ([]string, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading the function's variables: %w", err)
	}
	var env []string
	for i, line := range strings.Split(string(b), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			continue
		}
		k = strings.TrimSpace(strings.TrimPrefix(k, "export "))
		if k == "" || strings.ContainsAny(k, " \t") {
			return nil, fmt.Errorf("reading %s:%d: %q is not KEY=value: fix or remove the line", path, i+1, line)
		}
		v = strings.TrimSpace(v)
		if len(v) >= 2 && (v[0] == '"' || v[0] == '\'') && v[len(v)-1] == v[0] {
			v = v[1 : len(v)-1]
		}
		env = append(env, k+"="+v)
	}
	return env, nil
}

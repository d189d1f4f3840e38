package localdev

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/lambdalocal/lambdalocal/localdev/function"
	"github.com/lambdalocal/lambdalocal/proxy"
)

// devFunction is one function as dev runs it: its build, its pool and its invoke endpoint.
type devFunction struct {
	Instance
	builder *devBuilder
	pool    *function.Pool
	ln      net.Listener
}

// ErrNoRoutes is the cause of dev's refusal to run several functions without a routes file:
// nothing would say which route goes to which function.
var ErrNoRoutes = fmt.Errorf("%w: several functions need a routes file", ErrBadFunctions)

// listenDevFunctions listens on each function's invoke address. On failure it closes what it
// opened; on success the caller closes them with closeDevFunctions.
func listenDevFunctions(ins []Instance) ([]*devFunction, error) {
	var fns []*devFunction
	for _, in := range ins {
		what := "the function's invoke endpoint"
		if len(ins) > 1 {
			what = "the invoke endpoint of function " + in.Name
		}
		addr, err := functionAddr(in.URL)
		if err == nil {
			var ln net.Listener
			if ln, err = listenDev(addr, what, "LAMBDALOCAL_FUNCTION_URL"); err == nil {
				f := &devFunction{Instance: in, ln: ln}
				f.URL = "http://" + ln.Addr().String()
				fns = append(fns, f)
				continue
			}
		}
		closeDevFunctions(fns)
		return nil, err
	}
	return fns, nil
}

// startDevFunctions builds each function for the host into its folder of work and starts its
// pool.
func startDevFunctions(ctx context.Context, cfg Config, fns []*devFunction, o devOptions, work, dlv string) error {
	fnEnv, err := readFunctionEnv(filepath.Join(cfg.Dir, "localdev", "function.env"))
	if err != nil {
		return err
	}
	for _, f := range fns {
		bcfg := cfg
		bcfg.Handler = f.Handler
		f.builder = &devBuilder{cfg: bcfg, work: filepath.Join(work, f.Name), out: o.out}
		if len(fns) > 1 {
			f.builder.name = f.Name
		}
		bootstrap, _, err := f.builder.build(ctx)
		if err != nil {
			return err
		}
		f.builder.last = filepath.Dir(bootstrap)
		fnOpts := []function.Option{function.WithTimeout(cfg.Timeout), function.WithLogs(o.out), function.WithEnv(fnEnv...)}
		if len(cfg.Functions) > 0 {
			fnOpts = append(fnOpts, function.WithFunctionName(f.Name))
		}
		fnOpts = append(fnOpts, o.function...)
		if cfg.Debug {
			fnOpts = append(fnOpts, debugFunctionOptions(cfg, dlv)...)
		}
		if f.pool, err = function.New(bootstrap, fnOpts...); err != nil {
			return err
		}
		if cfg.Debug {
			if err := startDebugging(ctx, cfg, f.pool, o.out); err != nil {
				return err
			}
		}
	}
	return nil
}

// closeDevFunctions stops every function's pool and closes its listener.
func closeDevFunctions(fns []*devFunction) {
	for _, f := range fns {
		if f.pool != nil {
			_ = f.pool.Close()
		}
		_ = f.ln.Close()
	}
}

// devInvokers returns the gateway's invokers: each configured function's pool under its name.
// A function the routes file declares itself (with its own URLs) is reached at those URLs,
// except with a single function, which answers for every function of the routes, as dev always
// did.
func devInvokers(g *proxy.Gateway, fns []*devFunction) (map[string]proxy.Invoker, error) {
	invokers := map[string]proxy.Invoker{}
	byName := map[string]*devFunction{}
	for _, f := range fns {
		byName[f.Name] = f
	}
	others := &proxy.Gateway{API: g.API, Functions: map[string]proxy.Function{}}
	for name, gf := range g.Functions {
		switch f, ok := byName[name]; {
		case ok:
			invokers[name] = f.pool
		case len(fns) == 1:
			invokers[name] = fns[0].pool
		default:
			others.Functions[name] = gf
		}
	}
	if len(others.Functions) == 0 {
		return invokers, nil
	}
	rest, err := proxy.NewInvokers(others)
	if err != nil {
		return nil, err
	}
	for name, inv := range rest {
		invokers[name] = inv
	}
	return invokers, nil
}

// devGatewayOf returns the routes dev serves for ins: the routes file, where the configured
// functions are known by name, or one catch-all route to a single function.
func devGatewayOf(cfg Config, ins []Instance) (*proxy.Gateway, proxy.API, error) {
	if cfg.Routes == "" && len(ins) > 1 {
		return nil, "", fmt.Errorf("%w: set LAMBDALOCAL_ROUTES to a file that routes to %s by name, with lines such as `GET /%s/{id} %s`",
			ErrNoRoutes, strings.Join(instanceNames(ins), " and "), ins[0].Name, ins[0].Name)
	}
	if cfg.Routes == "" || len(cfg.Functions) == 0 {
		return devGateway(cfg)
	}
	api, err := proxy.ParseAPI(cfg.API)
	if err != nil {
		return nil, "", fmt.Errorf("reading LAMBDALOCAL_API: %w", err)
	}
	g, err := proxy.LoadGateway(cfg.Routes, proxy.WithAPI(api), proxy.WithFunctions(GatewayFunctions(ins)...))
	if err != nil {
		return nil, "", err
	}
	if g.API != "" {
		api = g.API
	}
	return g, api, nil
}

// GatewayFunctions returns the configured functions as the API Gateway emulator knows them:
// each at its invoke URL, one invoke at a time (a plain RIE).
func GatewayFunctions(ins []Instance) []proxy.Function {
	out := make([]proxy.Function, len(ins))
	for i, in := range ins {
		out[i] = proxy.Function{Name: in.Name, URLs: []string{in.URL}, Concurrency: 1}
	}
	return out
}

// serveDevFunctions serves the emulator and each function's invoke endpoint, and rebuilds the
// functions of a module when one of its Go sources changes, until ctx ends.
func serveDevFunctions(ctx context.Context, cfg Config, o devOptions, g *proxy.Gateway, api proxy.API, fns []*devFunction, proxyLn net.Listener) error {
	invokers, err := devInvokers(g, fns)
	if err != nil {
		return err
	}
	gw := &proxy.Server{API: api, Gateway: g, Invokers: invokers, AccessLog: o.out}
	if cfg.Debug {
		gw.Timeout = cfg.Timeout // at least DebugTimeout: a stop at a breakpoint must not end the request
	}
	var servers []*http.Server
	for _, f := range fns {
		srv := &http.Server{Handler: f.pool, ReadHeaderTimeout: 10 * time.Second}
		servers = append(servers, srv)
		go func() { _ = srv.Serve(f.ln) }()
	}
	gwErr := make(chan error, 1)
	go func() { gwErr <- gw.Serve(ctx, proxyLn) }()

	ends := DevEndpoints{URL: "http://" + proxyLn.Addr().String(), FunctionURL: fns[0].URL, Functions: map[string]string{}}
	for _, f := range fns {
		ends.Functions[f.Name] = f.URL
	}
	groups, err := devModuleGroups(cfg.Dir, fns)
	if err != nil {
		return err
	}
	printDevBanner(o, cfg, api, ends, fns, groups)
	if o.ready != nil {
		o.ready(ends)
	}

	watchErr := make(chan error, len(groups))
	var mu sync.Mutex // one rebuild at a time, whichever module changed
	for root, group := range groups {
		go func() {
			watchErr <- watchSources(ctx, root, o.poll, func(changed []string) {
				mu.Lock()
				defer mu.Unlock()
				for _, f := range group {
					f.builder.rebuild(ctx, f.pool, changed)
				}
			})
		}()
	}
	select {
	case <-ctx.Done():
	case err = <-gwErr:
	case err = <-watchErr:
	}
	// Stop the functions first, so that requests in flight end at once and shutdown is quick.
	for i, f := range fns {
		_ = f.pool.Close()
		_ = servers[i].Close()
	}
	if err == nil {
		err = <-gwErr
	}
	fmt.Fprintln(o.out, "lambdalocal dev: stopped")
	return err
}

// devModuleGroups groups the functions by the module that holds their handler.
func devModuleGroups(dir string, fns []*devFunction) (map[string][]*devFunction, error) {
	groups := map[string][]*devFunction{}
	for _, f := range fns {
		root, err := moduleRootOf(filepath.Join(dir, f.Handler))
		if err != nil {
			return nil, err
		}
		groups[root] = append(groups[root], f)
	}
	return groups, nil
}

// printDevBanner says where dev serves what.
func printDevBanner(o devOptions, cfg Config, api proxy.API, ends DevEndpoints, fns []*devFunction, groups map[string][]*devFunction) {
	if len(fns) == 1 && len(cfg.Functions) == 0 {
		fmt.Fprintf(o.out, "lambdalocal dev: serving %s at %s (%s API)\n", cfg.Handler, ends.URL, api)
		fmt.Fprintf(o.out, "lambdalocal dev: function invoke endpoint %s%s\n", ends.FunctionURL, function.InvokePath)
	} else {
		fmt.Fprintf(o.out, "lambdalocal dev: serving %d function(s) at %s (%s API)\n", len(fns), ends.URL, api)
		for _, f := range fns {
			fmt.Fprintf(o.out, "lambdalocal dev: function %s (%s) invoke endpoint %s%s\n", f.Name, f.Handler, f.URL, function.InvokePath)
		}
	}
	roots := make([]string, 0, len(groups))
	for root := range groups {
		roots = append(roots, root)
	}
	fmt.Fprintf(o.out, "lambdalocal dev: watching %s for changes; Ctrl-C to stop\n", strings.Join(roots, ", "))
}

// devAll runs Dev for the functions ins: the body of Dev once its options are read.
func devAll(ctx context.Context, cfg Config, ins []Instance, o devOptions) error {
	if err := checkDebugOne(cfg, ins); err != nil {
		return err
	}
	g, api, err := devGatewayOf(cfg, ins)
	if err != nil {
		return err
	}
	for _, in := range ins {
		if _, err := moduleRootOf(filepath.Join(cfg.Dir, in.Handler)); err != nil {
			return err
		}
		if _, err := functionAddr(in.URL); err != nil {
			return err
		}
	}
	proxyLn, err := listenDev(cfg.ProxyAddr, "the API Gateway emulator", "LAMBDALOCAL_PROXY_ADDR")
	if err != nil {
		return err
	}
	defer proxyLn.Close()
	fns, err := listenDevFunctions(ins)
	if err != nil {
		return err
	}
	defer closeDevFunctions(fns)

	var dlv string
	if cfg.Debug {
		if err := checkDebugPort(cfg.DebugPort); err != nil {
			return err
		}
		if dlv, err = hostDelve(ctx, o.out); err != nil {
			return err
		}
	}
	work, err := os.MkdirTemp("", "lambdalocal-dev-")
	if err != nil {
		return fmt.Errorf("creating a folder for the builds: %w", err)
	}
	defer os.RemoveAll(work)
	if err := startDevFunctions(ctx, cfg, fns, o, work, dlv); err != nil {
		return err
	}
	return serveDevFunctions(ctx, cfg, o, g, api, fns, proxyLn)
}

package localdev

import (
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
)

// Function is one Lambda function of a repository that holds several: its name and the Go
// package of its handler.
type Function struct {
	// Name names the function everywhere: its Compose service, its folder under
	// localdev/var-runtime/, its AWS_LAMBDA_FUNCTION_NAME, and the function that routes-file
	// lines refer to. Lower-case letters, digits, '-' and '_', starting with a letter or digit,
	// up to 63 characters: a name both Compose (service and image names) and the routes file take.
	Name string
	// Handler is the Go package of the handler, relative to Config.Dir, e.g. ./cmd/items.
	Handler string
}

// ErrBadFunctions is the cause of every error about the configured functions: a bad name or
// handler, a duplicate, or a list that does not parse.
var ErrBadFunctions = errors.New("bad function list")

// functionName is what a function's name must look like: a Compose service name that also
// makes a valid image name (lower case), and a routes-file function name.
var functionName = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,62}$`)

// ParseFunctions reads a function list such as "items=./cmd/items,users=./cmd/users": NAME=PACKAGE
// pairs separated by commas, spaces around them ignored. It checks the list as CheckFunctions does.
func ParseFunctions(s string) ([]Function, error) {
	var fns []Function
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		name, handler, ok := strings.Cut(part, "=")
		if !ok {
			return nil, fmt.Errorf("%w: %q is not NAME=PACKAGE: write the functions as items=./cmd/items,users=./cmd/users", ErrBadFunctions, part)
		}
		fns = append(fns, Function{Name: strings.TrimSpace(name), Handler: strings.TrimSpace(handler)})
	}
	if len(fns) == 0 && strings.TrimSpace(s) != "" {
		return nil, fmt.Errorf("%w: %q names no function: write the functions as items=./cmd/items,users=./cmd/users", ErrBadFunctions, s)
	}
	if err := CheckFunctions(fns); err != nil {
		return nil, err
	}
	return fns, nil
}

// CheckFunctions checks that each function has a valid name and a handler, and that no name
// or handler package is used twice (two names for one handler would build and run the same
// program twice, which is never what a routes file means).
func CheckFunctions(fns []Function) error {
	names := map[string]bool{}
	handlers := map[string]string{}
	for _, f := range fns {
		if !functionName.MatchString(f.Name) {
			return fmt.Errorf("%w: function name %q: use lower-case letters, digits, '-' and '_' (up to 63, starting with a letter or digit), as both Compose services and the routes file take them", ErrBadFunctions, f.Name)
		}
		if names[f.Name] {
			return fmt.Errorf("%w: function %s is named twice: give each function its own name", ErrBadFunctions, f.Name)
		}
		names[f.Name] = true
		if f.Handler == "" || strings.ContainsAny(f.Handler, " \t,=") {
			return fmt.Errorf("%w: function %s has handler %q: give the Go package of its handler, e.g. %s=./cmd/%s", ErrBadFunctions, f.Name, f.Handler, f.Name, f.Name)
		}
		key := filepath.Clean(f.Handler)
		if other, dup := handlers[key]; dup {
			return fmt.Errorf("%w: functions %s and %s both have handler %s: give each function its own handler package", ErrBadFunctions, other, f.Name, f.Handler)
		}
		handlers[key] = f.Name
	}
	return nil
}

// Instance is a function as build, up, dev and watch run it: where its bootstrap goes, which
// Compose service runs it, and where its invoke API answers.
type Instance struct {
	Function
	// Service is its Compose service: "function" (the compose file's own) for a single
	// function, its name when there are several.
	Service string
	// Bootstrap is where build puts it: BootstrapPath for a single function,
	// localdev/var-runtime/<name>/bootstrap when there are several.
	Bootstrap string
	// URL is the base URL of its invoke API: Config.FunctionURL for the first function, the
	// same host on the next ports for the others (9000, 9001, …). Port 0 stays 0 for each: any
	// free port, which only dev can use.
	URL string
}

// instancesOf returns the functions fns of cfg as the local environment runs them, in order.
// Without functions it is the one function of Config.Handler, named "function"; one function
// keeps the single-function layout under its own name.
func instancesOf(cfg Config, fns []Function) ([]Instance, error) {
	cfg = cfg.WithDefaults()
	if len(fns) == 0 {
		fns = []Function{{Name: service, Handler: cfg.Handler}}
	}
	if err := CheckFunctions(fns); err != nil {
		return nil, err
	}
	base, port, err := splitFunctionURL(cfg.FunctionURL)
	if err != nil {
		return nil, err
	}
	if port > 0 && port+len(fns)-1 > 65535 {
		return nil, fmt.Errorf("%w: %d functions from port %d run past port 65535: choose a lower port with LAMBDALOCAL_FUNCTION_URL", ErrBadFunctions, len(fns), port)
	}
	out := make([]Instance, len(fns))
	for i, f := range fns {
		in := Instance{Function: f, Service: service, Bootstrap: BootstrapPath(cfg.Dir), URL: strings.TrimRight(cfg.FunctionURL, "/")}
		if len(fns) > 1 {
			in.Service = f.Name
			in.Bootstrap = filepath.Join(cfg.Dir, "localdev", "var-runtime", f.Name, "bootstrap")
			p := port
			if p > 0 {
				p += i
			}
			in.URL = base + strconv.Itoa(p)
		}
		out[i] = in
	}
	return out, nil
}

// splitFunctionURL splits http://host:port into "http://host:" and the port.
func splitFunctionURL(raw string) (string, int, error) {
	u, err := url.Parse(raw)
	if err == nil && u.Scheme == "http" && u.Hostname() != "" && u.Port() != "" && (u.Path == "" || u.Path == "/") {
		if p, err := strconv.Atoi(u.Port()); err == nil && p >= 0 && p <= 65535 {
			host := u.Hostname()
			if strings.Contains(host, ":") {
				host = "[" + host + "]"
			}
			return u.Scheme + "://" + host + ":", p, nil
		}
	}
	return "", 0, fmt.Errorf("reading LAMBDALOCAL_FUNCTION_URL %q: want http://host:port, such as http://127.0.0.1:9000 (several functions take the ports after it)", raw)
}

// instanceNames returns the names of ins, in order.
func instanceNames(ins []Instance) []string {
	names := make([]string, len(ins))
	for i, in := range ins {
		names[i] = in.Name
	}
	return names
}

// Instances returns cfg's functions as the local environment runs them, in the configured
// order. Without Config.Functions it is the one function of Config.Handler, named "function";
// one configured function keeps the single-function layout under its own name.
func Instances(cfg Config) ([]Instance, error) {
	return instancesOf(cfg, cfg.Functions)
}

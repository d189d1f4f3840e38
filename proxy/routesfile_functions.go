package proxy

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// Limits on function lines.
const (
	maxEndpointsPerFunction = 256
	maxConcurrency          = 1024
)

var functionOptions = []string{"concurrency", "queue"}

func (p *fileParser) function(n int, args []string) {
	const fix = "write `function NAME URL [URL…] [concurrency=N] [queue=N]`, e.g. `function items http://127.0.0.1:9000`"
	if len(args) == 0 {
		p.errorf(n, fix, "function has no name")
		return
	}
	name := args[0]
	if !validName(name, 64, "-_") {
		p.errorf(n, "use letters, digits, '-' and '_' (up to 64), as Lambda function names do", "bad function name %q", name)
		return
	}
	if p.known[name] {
		p.errorf(n, "remove this line: the configuration sets its endpoints (LAMBDALOCAL_FUNCTIONS and LAMBDALOCAL_FUNCTION_URL), and routes name it as it is", "function %s is declared by the configuration", name)
		return
	}
	if l, dup := p.functionLines[name]; dup {
		p.errorf(n, "declare each function once and list all its URLs on that line", "function %s is already declared on line %d", name, l)
		return
	}
	p.functionLines[name] = n
	f := Function{Name: name, Concurrency: 1}
	ok := true
	for _, a := range args[1:] {
		if k, v, isOpt := strings.Cut(a, "="); isOpt && !strings.Contains(k, "/") {
			ok = p.functionOption(n, &f, k, v) && ok
			continue
		}
		urls, err := expandEndpoint(a)
		if err != nil {
			p.errorf(n, "give base URLs such as http://127.0.0.1:9000, or a port range such as http://127.0.0.1:9000-9003", "%v", err)
			ok = false
			continue
		}
		for _, u := range urls {
			if other, used := p.endpoints[u]; used {
				p.errorf(n, "give each function its own endpoints: one RIE runs one function and takes one invoke at a time", "endpoint %s is already used by function %s", u, other)
				ok = false
				continue
			}
			if p.endpoints == nil {
				p.endpoints = map[string]string{}
			}
			p.endpoints[u] = name
			f.URLs = append(f.URLs, u)
		}
	}
	if len(f.URLs) == 0 && ok {
		p.errorf(n, "add the base URL of its invoke endpoint (the RIE), e.g. `function "+name+" http://127.0.0.1:9000`", "function %s has no endpoint URL", name)
		ok = false
	}
	if len(f.URLs) > maxEndpointsPerFunction {
		p.errorf(n, fmt.Sprintf("use at most %d endpoints", maxEndpointsPerFunction), "function %s has %d endpoints", name, len(f.URLs))
		ok = false
	}
	if ok {
		p.g.Functions[name] = f
	}
}

// knownFunctions enters the functions given WithFunctions: routes may name them, and their
// endpoints are taken.
func (p *fileParser) knownFunctions(fns []Function) {
	for _, f := range fns {
		if p.known == nil {
			p.known = map[string]bool{}
			p.endpoints = map[string]string{}
		}
		if f.Concurrency == 0 {
			f.Concurrency = 1
		}
		p.known[f.Name] = true
		p.g.Functions[f.Name] = f
		for _, u := range f.URLs {
			if n, err := checkEndpoint(u); err == nil {
				u = n
			}
			p.endpoints[u] = f.Name
		}
	}
}

func (p *fileParser) functionOption(n int, f *Function, k, v string) bool {
	var x int
	if _, err := fmt.Sscanf(v, "%d", &x); err != nil || fmt.Sprint(x) != v {
		if !slices.Contains(functionOptions, k) {
			p.errorf(n, didYouMean(k, functionOptions, "function options are concurrency=N and queue=N"), "unknown function option %q", k)
			return false
		}
		p.errorf(n, "give a whole number, e.g. "+k+"=4", "%s=%s is not a number", k, v)
		return false
	}
	switch k {
	case "concurrency":
		if x < 1 || x > maxConcurrency {
			p.errorf(n, fmt.Sprintf("give 1 for a plain RIE, or N (up to %d) for an RIE started with AWS_LAMBDA_MAX_CONCURRENCY=N", maxConcurrency), "concurrency=%d is out of range", x)
			return false
		}
		f.Concurrency = x
	case "queue":
		if x < 0 {
			p.errorf(n, "give 0 (throttle as soon as every endpoint is busy) or more", "queue=%d is negative", x)
			return false
		}
		f.QueueSize = x
		if x == 0 {
			f.QueueSize = NoQueue
		}
	default:
		p.errorf(n, didYouMean(k, functionOptions, "function options are concurrency=N and queue=N"), "unknown function option %q", k)
		return false
	}
	return true
}

// portRange finds a port range at the end of an endpoint URL: http://127.0.0.1:9000-9003.
var portRange = regexp.MustCompile(`^(https?://[^/?#@]*:)([0-9]+)-([0-9]+)(/?)$`)

// expandEndpoint checks an endpoint base URL and expands a port range
// (http://127.0.0.1:9000-9003) into one URL per port. URLs come back normalised: lower-case
// scheme and host, no trailing slash.
func expandEndpoint(raw string) ([]string, error) {
	m := portRange.FindStringSubmatch(raw)
	if m == nil {
		u, err := checkEndpoint(raw)
		if err != nil {
			return nil, err
		}
		return []string{u}, nil
	}
	from, err1 := parsePort(m[2])
	to, err2 := parsePort(m[3])
	if errors.Join(err1, err2) != nil || to < from || to-from >= maxEndpointsPerFunction {
		return nil, fmt.Errorf("endpoint URL %q has a bad port range (give FIRST-LAST, at most %d ports)", raw, maxEndpointsPerFunction)
	}
	out := make([]string, 0, to-from+1)
	for port := from; port <= to; port++ {
		u, err := checkEndpoint(m[1] + strconv.Itoa(port))
		if err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, nil
}

// checkEndpoint checks one endpoint base URL and normalises it.
func checkEndpoint(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Opaque != "" {
		return "", fmt.Errorf("bad endpoint URL %q", raw)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return "", fmt.Errorf("endpoint URL %q is not http:// or https://", raw)
	}
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" || (u.Path != "" && u.Path != "/") {
		return "", fmt.Errorf("endpoint URL %q has a path, query or credentials; give only scheme://host:port (the invoke path is added)", raw)
	}
	if u.Hostname() == "" {
		return "", fmt.Errorf("endpoint URL %q has no host", raw)
	}
	if port := u.Port(); port != "" {
		if _, err := parsePort(port); err != nil {
			return "", fmt.Errorf("endpoint URL %q: %w", raw, err)
		}
	}
	return strings.ToLower(u.Scheme + "://" + u.Host), nil
}

func parsePort(s string) (int, error) {
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > 65535 {
		return 0, fmt.Errorf("bad port %q", s)
	}
	return n, nil
}

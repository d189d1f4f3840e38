package targets

import (
	"context"
	"fmt"
	"os"
	"strconv"

	"github.com/lambdalocal/lambdalocal/localdev"
)

// mage shows a target's whole doc comment for -h; this keeps its line breaks (for every
// target of this package), so invoke's table of event forms reads as written.
//mage:multiline

// Environment variables of the invoke target.
const (
	EnvInvokeHeaders    = "LAMBDALOCAL_INVOKE_HEADERS"
	EnvInvokeBody       = "LAMBDALOCAL_INVOKE_BODY"
	EnvInvokePrintEvent = "LAMBDALOCAL_INVOKE_PRINT_EVENT"
	EnvInvokeDryRun     = "LAMBDALOCAL_INVOKE_DRY_RUN"
)

// Invoke sends one event (a JSON file, - for stdin, or a request such as "GET /items/42") to the running function and prints its answer.
//
// The function is the one `up` (Docker) or `dev` runs, at LAMBDALOCAL_FUNCTION_URL
// (default http://127.0.0.1:9000). With several functions (LAMBDALOCAL_FUNCTIONS) a request
// goes to the function its route names, at that function's port; a file or stdin event goes to
// the first function. The event argument is one of:
//
//	event.json           a file holding the event JSON
//	-                    the event JSON on stdin
//	"GET /items/42?x=1"  a request: the event API Gateway sends for it, made by the proxy's
//	                     own code for LAMBDALOCAL_API (rest or http) and LAMBDALOCAL_ROUTES;
//	                     the HTTP response the gateway would return is printed after the
//	                     function's answer. Any method API Gateway routes; a full URL such as
//	                     http://127.0.0.1:8080/items/42 works too.
//
// A request's headers and body come from variables:
//
//	LAMBDALOCAL_INVOKE_HEADERS      one "Name: value" per line
//	LAMBDALOCAL_INVOKE_BODY         the body text, @file for a file's bytes, @- for stdin
//	                                (without a Content-Type header, JSON is sent as
//	                                application/json and other text as text/plain)
//	LAMBDALOCAL_INVOKE_PRINT_EVENT  1 prints the event before sending it
//	LAMBDALOCAL_INVOKE_DRY_RUN      1 prints the event and sends nothing
//
// Examples:
//
//	go tool mage invoke event.json
//	echo '[1,2]' | go tool mage invoke -
//	go tool mage invoke "GET /items/42?color=red"
//	LAMBDALOCAL_INVOKE_HEADERS='Authorization: Bearer t' LAMBDALOCAL_INVOKE_BODY='{"name":"x"}' go tool mage invoke "POST /items"
//	LAMBDALOCAL_INVOKE_DRY_RUN=1 go tool mage invoke "GET /items/42" > event.json
//
// Under `up`, the RIE runs one invoke at a time and crashes on a second one at once: do not
// invoke while the proxy is waiting on it (`dev` has no such limit).
//
// The function's answer goes to stdout, progress to stderr. A function error (Lambda's
// errorType and errorMessage, a timeout, a crash) is printed with its type and message and
// makes the target fail, as does a gateway error response to a request.
func Invoke(ctx context.Context, event string) error {
	return withConfig(func(c localdev.Config) error {
		opts, err := invokeOptions(os.LookupEnv)
		if err != nil {
			return err
		}
		return localdev.Invoke(ctx, c, event, opts...)
	})
}

// invokeOptions reads invoke's variables through lookup.
func invokeOptions(lookup func(string) (string, bool)) ([]localdev.InvokeOption, error) {
	var opts []localdev.InvokeOption
	if v, ok := lookup(EnvInvokeHeaders); ok {
		opts = append(opts, localdev.WithRequestHeaders(v))
	}
	if v, ok := lookup(EnvInvokeBody); ok {
		opts = append(opts, localdev.WithRequestBody(v))
	}
	for _, b := range []struct {
		env string
		opt func(bool) localdev.InvokeOption
	}{{EnvInvokePrintEvent, localdev.WithPrintEvent}, {EnvInvokeDryRun, localdev.WithDryRun}} {
		v, ok := lookup(b.env)
		if !ok || v == "" {
			continue
		}
		on, err := strconv.ParseBool(v)
		if err != nil {
			return nil, fmt.Errorf("reading %s=%q: want 1 (or true) to turn it on, 0 (or false) to turn it off", b.env, v)
		}
		opts = append(opts, b.opt(on))
	}
	return opts, nil
}

package localdev

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/lambdalocal/lambdalocal/proxy"
)

// Invoke sends one event straight to the function's invoke endpoint (Config.FunctionURL, the
// RIE of `up` or the runtime of `dev`) and prints the function's answer. event says what to
// send:
//
//   - a file path: the event JSON in that file;
//   - "-": the event JSON read from stdin (WithStdin);
//   - a request such as "GET /items/42?x=1" (or "GET http://127.0.0.1:8080/items/42"): the
//     event API Gateway sends for it, made by the proxy's own code for Config.API and
//     Config.Routes, with the headers and body of WithRequestHeaders and WithRequestBody.
//     The HTTP response the gateway would return is printed after the function's answer.
//
// A function error (Lambda's errorMessage/errorType answer, a non-JSON answer such as "Task
// timed out after 3.00 seconds", a non-2xx status) is a *FunctionError; an endpoint that does
// not answer is an *EndpointError; a gateway error response to a generated request that is not
// the function's fault (no route, a malformed proxy response) is a *GatewayError.
func Invoke(ctx context.Context, cfg Config, event string, opts ...InvokeOption) error {
	cfg = cfg.WithDefaults()
	o := newInvokeOptions(opts)
	arg, err := parseEventArg(event)
	if err != nil {
		return err
	}
	if arg.kind == argRequest {
		return invokeRequest(ctx, cfg, arg, o)
	}
	return invokeEvent(ctx, cfg, arg, o)
}

// invokeEvent sends the event of a file or stdin as it is and prints the function's answer
// alone, so that it can be piped.
func invokeEvent(ctx context.Context, cfg Config, arg eventArg, o invokeOptions) error {
	if arg.kind == argStdin && isTerminal(o.stdin) {
		fmt.Fprintln(o.progress, "invoke: reading the event from stdin; end it with Ctrl-D")
	}
	payload, err := readEvent(arg, o.stdin)
	if err != nil {
		return err
	}
	if o.printEvent || o.dryRun {
		printEvent(o.out, payload)
		if o.dryRun {
			return nil
		}
	}
	ctx, cancel := context.WithTimeout(ctx, cfg.Timeout+invokeGrace)
	defer cancel()
	ans, err := callFunction(ctx, o, cfg.FunctionURL, payload)
	if err != nil {
		return err
	}
	writeAnswer(o.out, ans.Body)
	if fe := functionError(ans); fe != nil {
		return fe
	}
	return nil
}

// isTerminal reports whether r is a terminal, where a user types the event.
func isTerminal(r io.Reader) bool {
	f, ok := r.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// invokeGrace is how long past the function timeout Invoke waits for an answer to an event
// sent directly: the endpoint itself ends the invoke at the timeout.
const invokeGrace = 10 * time.Second

// readEvent reads the event of a file or stdin argument and checks that it is JSON, as
// Lambda's Invoke API requires.
func readEvent(arg eventArg, stdin io.Reader) ([]byte, error) {
	var data []byte
	var err error
	from := "event file " + arg.path
	if arg.kind == argStdin {
		from = "event on stdin"
		data, err = io.ReadAll(io.LimitReader(stdin, proxy.MaxRequestPayload+1))
	} else {
		data, err = os.ReadFile(arg.path)
	}
	switch {
	case errors.Is(err, os.ErrNotExist):
		return nil, fmt.Errorf("reading %s: no such file: give a JSON file, - for stdin, or a request such as \"GET /items/42\"", from)
	case err != nil:
		return nil, fmt.Errorf("reading %s: %w", from, err)
	case len(bytes.TrimSpace(data)) == 0:
		return nil, fmt.Errorf("reading %s: it is empty: an event is a JSON value such as {}", from)
	case len(data) > proxy.MaxRequestPayload:
		return nil, fmt.Errorf("reading %s: %w", from, proxy.ErrRequestTooLarge)
	}
	var v any
	if err := json.Unmarshal(data, &v); err != nil {
		return nil, fmt.Errorf("reading %s: it is not JSON (%v): Lambda's Invoke API takes a JSON event", from, err)
	}
	return data, nil
}

// invokeRequest generates the API Gateway event for a request through the proxy's Server,
// sends it to the function, and prints the function's answer and the gateway's response.
func invokeRequest(ctx context.Context, cfg Config, arg eventArg, o invokeOptions) error {
	srv, err := invokeServer(cfg, o.gatewayTimeout)
	if err != nil {
		return err
	}
	urls, err := functionURLs(cfg)
	if err != nil {
		return err
	}
	header, body, err := o.request(arg)
	if err != nil {
		return err
	}
	r, err := srv.NewRequest(arg.method, arg.target, header, body)
	if err != nil {
		return err
	}
	if o.dryRun {
		ev, err := srv.Event(r)
		if err != nil {
			return fmt.Errorf("generating the event: %w", err)
		}
		printEvent(o.out, ev.JSON)
		return nil
	}
	var ans *answer
	var callErr error
	ex, err := srv.Do(r, func(ctx context.Context, function string, event []byte) ([]byte, error) {
		fmt.Fprintf(o.progress, "invoke: %s %s → function %q (%s)\n", arg.method, arg.target, function, describeAPI(srv))
		if o.printEvent {
			printEvent(o.out, event)
		}
		url := cfg.FunctionURL
		if u, ok := urls[function]; ok {
			url = u // one of several functions: the route's own
		}
		ans, callErr = callFunction(ctx, o, url, event)
		if callErr != nil {
			return nil, callErr
		}
		if ans.Status < 200 || ans.Status > 299 {
			return nil, &proxy.InvokeError{URL: url, StatusCode: ans.Status, Body: ans.Body}
		}
		return ans.Body, nil
	})
	if err != nil {
		return err
	}
	outcome := requestOutcome(arg, ex, ans, callErr)
	var ee *EndpointError
	if errors.As(outcome, &ee) {
		return outcome // the function never ran: the gateway's 502 would only hide that
	}
	if ans != nil {
		fmt.Fprintln(o.out, "function answer:")
		writeAnswer(o.out, ans.Body)
		fmt.Fprintln(o.out)
	}
	switch ex.RouteKey {
	case "-":
		fmt.Fprintln(o.out, "gateway response (no route matched):")
	default:
		fmt.Fprintf(o.out, "gateway response (route %q):\n", ex.RouteKey)
	}
	writeResponse(o.out, ex.Response)
	return outcome
}

// requestOutcome is the error Invoke returns for a generated request: the endpoint's failure,
// the function's error, or the gateway's own error response; nil when the gateway answered
// with the function's response.
func requestOutcome(arg eventArg, ex *proxy.Exchange, ans *answer, callErr error) error {
	switch {
	case callErr != nil && errors.Is(callErr, context.DeadlineExceeded) && ex.Err != nil:
		// The gateway's integration timeout cut the call: it answers 504 (REST) or 503.
		return &GatewayError{Method: arg.method, Target: arg.target, Status: ex.Response.StatusCode, Reason: ex.Err.Error() + " (the function may still be running)", Invoked: true}
	case callErr != nil:
		return callErr
	case ans != nil && functionError(ans) != nil:
		return functionError(ans)
	case ex.Event == nil:
		return &GatewayError{Method: arg.method, Target: arg.target, Status: ex.Response.StatusCode, Reason: notInvokedReason(ex), Invoked: false}
	case ex.Err != nil:
		return &GatewayError{Method: arg.method, Target: arg.target, Status: ex.Response.StatusCode, Reason: ex.Err.Error(), Invoked: true}
	}
	return nil
}

func notInvokedReason(ex *proxy.Exchange) string {
	switch {
	case ex.RouteKey == "CORS preflight":
		return "the gateway answers CORS preflight requests itself (routes file cors line); the function gets no event"
	case ex.Err != nil && ex.RouteKey == "-":
		return ex.Err.Error() + ": check the method and path against the routes (LAMBDALOCAL_ROUTES, LAMBDALOCAL_API)"
	case ex.Err != nil:
		return ex.Err.Error()
	}
	return "the gateway answered without invoking the function"
}

// invokeServer is the gateway whose translation invoke uses: the one `proxy` and `dev` run
// for the same configuration.
func invokeServer(cfg Config, gatewayTimeout time.Duration) (*proxy.Server, error) {
	api, err := proxy.ParseAPI(cfg.API)
	if err != nil {
		return nil, fmt.Errorf("reading LAMBDALOCAL_API: %w", err)
	}
	g := proxy.DefaultGateway(api, cfg.FunctionURL)
	if cfg.Routes != "" {
		var known []proxy.Function
		if len(cfg.Functions) > 0 {
			ins, err := Instances(cfg)
			if err != nil {
				return nil, err
			}
			known = GatewayFunctions(ins)
		}
		if g, err = proxy.LoadGateway(cfg.Routes, proxy.WithAPI(api), proxy.WithFunctions(known...)); err != nil {
			return nil, err
		}
	}
	return &proxy.Server{API: api, Gateway: g, Addr: cfg.ProxyAddr, FunctionURL: cfg.FunctionURL, Timeout: gatewayTimeout, AccessLog: io.Discard}, nil
}

// functionURLs maps each configured function's name to its invoke URL (none without
// Config.Functions): a generated request goes to the function its route names.
func functionURLs(cfg Config) (map[string]string, error) {
	if len(cfg.Functions) == 0 {
		return nil, nil
	}
	ins, err := Instances(cfg)
	if err != nil {
		return nil, err
	}
	urls := map[string]string{}
	for _, in := range ins {
		urls[in.Name] = in.URL
	}
	return urls, nil
}

func describeAPI(s *proxy.Server) string {
	g := s.Gateway
	if g.API == proxy.HTTP {
		v := g.PayloadVersion
		if v == "" {
			v = proxy.DefaultPayloadVersion
		}
		return fmt.Sprintf("HTTP API, payload %s, stage %s", v, orDefault(g.Stage, proxy.DefaultHTTPStage))
	}
	return fmt.Sprintf("REST API, payload 1.0, stage %s", orDefault(g.Stage, proxy.DefaultRESTStage))
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// printEvent prints an event as indented JSON.
func printEvent(w io.Writer, event []byte) {
	var buf bytes.Buffer
	if json.Indent(&buf, event, "", "  ") != nil {
		buf.Reset()
		buf.Write(event)
	}
	fmt.Fprintf(w, "%s\n", bytes.TrimRight(buf.Bytes(), "\n"))
}

// writeAnswer prints the function's answer as it came, ending the line.
func writeAnswer(w io.Writer, body []byte) {
	_, _ = w.Write(body)
	if len(body) == 0 || body[len(body)-1] != '\n' {
		fmt.Fprintln(w)
	}
}

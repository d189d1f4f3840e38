package proxy

import (
	"net/http"
	"time"
)

// GatewayOption configures LoadGateway and ParseGateway.
type GatewayOption func(*gatewayOptions)

type gatewayOptions struct {
	api       API
	functions []Function
}

// WithAPI sets the API kind for a routes file that has no `api` line (default REST). A file's
// own `api` line wins: it says what its routes were written for.
func WithAPI(api API) GatewayOption {
	return func(o *gatewayOptions) {
		if api != "" {
			o.api = api
		}
	}
}

// WithFunctions declares functions whose endpoints come from elsewhere — lambdalocal passes
// the functions of its configuration (LAMBDALOCAL_FUNCTIONS) — so that the routes file names
// them in routes without a function line. A function line for one of them is refused, so each
// function's endpoints are set in one place; a route naming a function neither declares is
// refused as always. A Concurrency of 0 means 1.
func WithFunctions(fns ...Function) GatewayOption {
	return func(o *gatewayOptions) { o.functions = append(o.functions, fns...) }
}

// InvokerOption configures NewInvokers.
type InvokerOption func(*invokerOptions)

type invokerOptions struct {
	client   *http.Client
	endpoint func(url string) Invoker
	drain    time.Duration
}

// WithHTTPClient makes the RIE clients send their invokes with c instead of their own
// keep-alive connections (see RIEClient.Client).
func WithHTTPClient(c *http.Client) InvokerOption {
	return func(o *invokerOptions) { o.client = c }
}

// WithEndpointInvoker replaces the RIEClient made for each endpoint URL with newInvoker(url):
// to reach endpoints another way, or to stand in for them in tests. The concurrency limit,
// queue and spreading still apply.
func WithEndpointInvoker(newInvoker func(url string) Invoker) InvokerOption {
	return func(o *invokerOptions) { o.endpoint = newInvoker }
}

// WithDrainTimeout bounds how long an endpoint stays reserved for an invoke whose caller gave
// up (gateway timeout, client gone). The RIE keeps running such an invoke to its end, and a
// second invoke before then would crash it, so the endpoint is only freed when the function
// answers, or after d (default DefaultDrainTimeout).
func WithDrainTimeout(d time.Duration) InvokerOption {
	return func(o *invokerOptions) {
		if d > 0 {
			o.drain = d
		}
	}
}

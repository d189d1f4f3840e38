package registrytest

import "net/http"

// Option configures a Registry.
type Option func(*options)

type options struct {
	middleware []func(http.Handler) http.Handler
}

// WithMiddleware wraps the registry handler, for tests that must force a fault (a status code,
// a missing header). Middleware listed first sees requests first.
func WithMiddleware(mw func(http.Handler) http.Handler) Option {
	return func(o *options) { o.middleware = append(o.middleware, mw) }
}

// DenyCredentials is middleware that answers 403 Forbidden to any request carrying an
// Authorization header, the way a registry treats stale saved credentials, and passes
// anonymous requests through.
func DenyCredentials(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "" {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusForbidden)
			_, _ = w.Write([]byte(`{"errors":[{"code":"DENIED","message":"requested access to the resource is denied"}]}`))
			return
		}
		next.ServeHTTP(w, r)
	})
}

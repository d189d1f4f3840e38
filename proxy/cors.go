package proxy

import (
	"net/http"
	"strconv"
	"strings"
)

// HTTP API built-in CORS. [AWS-doc http-api-cors; SAM Cors.cors_to_headers; serverless-offline]
// REST APIs have no built-in CORS: there the function's own headers pass through untouched.

// corsPreflight is the gateway's own answer to an OPTIONS request on an HTTP API with CORS
// configured: 204, without invoking the function (even with no OPTIONS route, and before
// $default). The CORS headers are added only for an allowed Origin; without one the answer is
// a bare 204. [AWS-doc for answering; 204 from serverless-offline and ministack, AWS
// Unverified]
func corsPreflight(c *CORS, origin string) *reply {
	r := &reply{Status: http.StatusNoContent}
	r.Header = corsHeaders(c, origin, true)
	return r
}

// applyCORS replaces any CORS headers the function returned with the gateway's own, as an HTTP
// API with CORS configured does for integration responses. [AWS-doc]
func applyCORS(r *reply, c *CORS, origin string) {
	kept := r.Header[:0]
	for _, h := range r.Header {
		if !strings.HasPrefix(strings.ToLower(h.Name), "access-control-") {
			kept = append(kept, h)
		}
	}
	r.Header = append(kept, corsHeaders(c, origin, false)...)
}

// corsHeaders are the access-control-* headers for a request from origin: none when the
// origin is not allowed (or absent). allow-methods, allow-headers and max-age only answer a
// preflight; allow-credentials appears only when true. [AWS-doc; SAM unit tests]
func corsHeaders(c *CORS, origin string, preflight bool) []headerField {
	allow, ok := allowedOrigin(c, origin)
	if !ok {
		return nil
	}
	h := []headerField{{"access-control-allow-origin", allow}}
	if c.AllowCredentials {
		h = append(h, headerField{"access-control-allow-credentials", "true"})
	}
	if len(c.ExposeHeaders) > 0 {
		h = append(h, headerField{"access-control-expose-headers", strings.Join(c.ExposeHeaders, ",")})
	}
	if preflight {
		if len(c.AllowMethods) > 0 {
			h = append(h, headerField{"access-control-allow-methods", strings.Join(c.AllowMethods, ",")})
		}
		if len(c.AllowHeaders) > 0 {
			h = append(h, headerField{"access-control-allow-headers", strings.Join(c.AllowHeaders, ",")})
		}
		if c.MaxAge >= 0 {
			h = append(h, headerField{"access-control-max-age", strconv.Itoa(c.MaxAge)})
		}
	}
	return h
}

// allowedOrigin matches the request's Origin against allowOrigins (entries trimmed): "*"
// allows any origin and answers "*"; an exact entry echoes the origin back; otherwise, or with
// no Origin, nothing is allowed. [SAM HTTP-mode unit tests]
func allowedOrigin(c *CORS, origin string) (string, bool) {
	if origin == "" {
		return "", false
	}
	for _, o := range c.AllowOrigins {
		switch o = strings.TrimSpace(o); {
		case o == "*":
			return "*", true
		case strings.EqualFold(o, origin):
			return origin, true
		}
	}
	return "", false
}

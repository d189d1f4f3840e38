package proxy

import (
	"regexp"
	"testing"
)

func TestGeneratedIDsHaveAWSShapes(t *testing.T) {
	t.Parallel()
	rest := newRequestIDs(REST, fixedNow)
	http := newRequestIDs(HTTP, fixedNow)
	cases := []struct {
		rule, id string
		re       *regexp.Regexp
	}{
		{"REST requestId is a UUID v4", rest.RequestID, regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)},
		{"extendedRequestId is 16 base64 characters ending in =", rest.ExtendedRequestID, regexp.MustCompile(`^[A-Za-z0-9+/]{15}=$`)},
		{"HTTP API requestId is 16 URL-safe base64 characters ending in =", http.RequestID, regexp.MustCompile(`^[A-Za-z0-9_-]{15}=$`)},
		{"trace id is Root=1-epoch-random", rest.TraceID, regexp.MustCompile(`^Root=1-5ebe3025-[0-9a-f]{24}$`)},
		{"API id is 10 lowercase alphanumerics", stableID("x", 10), regexp.MustCompile(`^[a-z2-7]{10}$`)},
	}
	for _, c := range cases {
		t.Run(c.rule, func(t *testing.T) {
			if !c.re.MatchString(c.id) {
				t.Errorf("%q does not match %s", c.id, c.re)
			}
		})
	}
	if a, b := newRequestIDs(REST, fixedNow), newRequestIDs(REST, fixedNow); a.RequestID == b.RequestID {
		t.Error("two requests got the same id")
	}
}

func TestDomainPrefix(t *testing.T) {
	t.Parallel()
	cases := []struct{ rule, in, want string }{
		{"first label of the API domain", "gy415nuibc.execute-api.us-east-1.amazonaws.com", "gy415nuibc"},
		{"single label is its own prefix", "localhost", "localhost"},
		{"IP address is its own prefix", "127.0.0.1", "127.0.0.1"},
	}
	for _, c := range cases {
		t.Run(c.rule, func(t *testing.T) {
			if got := domainPrefix(c.in); got != c.want {
				t.Errorf("domainPrefix(%q) = %q", c.in, got)
			}
		})
	}
}

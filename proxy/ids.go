package proxy

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"strings"
	"time"
)

// requestIDs are the identifiers API Gateway generates for one request. The same values go
// into the event and the response headers.
type requestIDs struct {
	// RequestID is requestContext.requestId: a UUID v4 on REST APIs (also sent back as
	// x-amzn-RequestId), a short base64-like id on HTTP APIs (sent back as apigw-requestid).
	RequestID string
	// ExtendedRequestID is REST's requestContext.extendedRequestId, sent back as x-amz-apigw-id.
	ExtendedRequestID string
	// TraceID is the X-Amzn-Trace-Id value: Root=1-{8 hex epoch seconds}-{24 hex}.
	TraceID string
}

// newRequestIDs generates the identifiers for one request received at now.
func newRequestIDs(api API, now time.Time) requestIDs {
	var b [16 + 11 + 12]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on supported platforms (Go 1.24+)
	ids := requestIDs{ExtendedRequestID: base64.StdEncoding.EncodeToString(b[16:27]), TraceID: traceID(now, b[27:39])}
	if api == HTTP {
		ids.RequestID = httpAPIRequestID(b[16:27])
	} else {
		ids.RequestID = uuidV4(b[:16])
	}
	return ids
}

// uuidV4 formats 16 random bytes as an RFC 9562 version 4 UUID. REST APIs use one as
// requestContext.requestId and x-amzn-RequestId. [AWS-validated header]
func uuidV4(b []byte) string {
	var u [16]byte
	copy(u[:], b)
	u[6] = u[6]&0x0f | 0x40
	u[8] = u[8]&0x3f | 0x80
	var s [36]byte
	hex.Encode(s[0:8], u[0:4])
	s[8] = '-'
	hex.Encode(s[9:13], u[4:6])
	s[13] = '-'
	hex.Encode(s[14:18], u[6:8])
	s[18] = '-'
	hex.Encode(s[19:23], u[8:10])
	s[23] = '-'
	hex.Encode(s[24:], u[10:])
	return string(s[:])
}

// httpAPIRequestID formats 11 random bytes like an HTTP API request id: 16 URL-safe base64
// characters ending in '=', e.g. "LV7fzho-PHcEJPw=". [aws-lambda-go testdata]
func httpAPIRequestID(b []byte) string { return base64.URLEncoding.EncodeToString(b) }

// traceID formats an X-Ray trace header value: Root=1-{epoch seconds, 8 hex}-{96 random bits,
// 24 hex}. [AWS-validated shape]
func traceID(now time.Time, random []byte) string {
	var epoch [4]byte
	binary.BigEndian.PutUint32(epoch[:], uint32(now.Unix()))
	return "Root=1-" + hex.EncodeToString(epoch[:]) + "-" + hex.EncodeToString(random[:12])
}

// lowerBase32 is base32 in lower case without padding: ids made of [a-z2-7].
var lowerBase32 = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// stableID derives an id of n lowercase alphanumerics from seed, so API ids, deployment ids
// and resource ids stay the same across restarts of the same configuration.
func stableID(seed string, n int) string {
	sum := sha256.Sum256([]byte(seed))
	return lowerBase32.EncodeToString(sum[:])[:n]
}

// domainPrefix is the first label of a domain name (requestContext.domainPrefix); an IP
// address or a single-label name is its own prefix.
func domainPrefix(domain string) string {
	if i := strings.IndexByte(domain, '.'); i > 0 && !isIPv4(domain) {
		return domain[:i]
	}
	return domain
}

func isIPv4(s string) bool {
	for _, c := range s {
		if (c < '0' || c > '9') && c != '.' {
			return false
		}
	}
	return true
}

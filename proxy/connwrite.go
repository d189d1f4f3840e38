package proxy

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// writeReply writes rep as an HTTP/1.x response with the gateway's own headers (see write),
// Date and Content-Length, and flushes it. HEAD gets the headers a GET would get and no body;
// 1xx, 204 and 304 get neither body nor Content-Length. The function's header names and
// values are sanitised as net/http does: a name that is not a token is dropped, CR and LF in
// a value become spaces, so no function can split the response. Framing headers
// (Content-Length, Transfer-Encoding, Connection) are the gateway's, not the function's.
func (c *conn) writeReply(req *http.Request, rep *reply, ids requestIDs, keep bool) error {
	s := c.sv.s
	w := c.bw
	c.statusLine(req.ProtoAtLeast(1, 1), rep.Status)
	bodyAllowed := rep.Status >= 200 && rep.Status != http.StatusNoContent && rep.Status != http.StatusNotModified
	haveType, haveDate := false, false
	for _, f := range rep.Header {
		name := f.Name
		switch {
		case !validHeaderName(name), isFramingHeader(name):
			continue
		case strings.EqualFold(name, "Content-Type"):
			if rep.Status == http.StatusNoContent {
				continue
			}
			name, haveType = "Content-Type", true
		case strings.EqualFold(name, "Date"):
			haveDate = true
		}
		c.header(name, sanitizeHeaderValue(f.Value))
	}
	// AWS's own casing.
	if s.API == HTTP {
		c.header("apigw-requestid", ids.RequestID)
	} else {
		c.header("x-amzn-RequestId", ids.RequestID)
		c.header("x-amz-apigw-id", ids.ExtendedRequestID)
		c.header("X-Amzn-Trace-Id", sanitizeHeaderValue(ids.TraceID))
	}
	if bodyAllowed && !haveType && len(rep.Body) > 0 {
		c.header("Content-Type", http.DetectContentType(rep.Body)) // as net/http sniffs it
	}
	if !haveDate {
		c.date = time.Now().UTC().AppendFormat(c.date[:0], http.TimeFormat)
		_, _ = w.WriteString("Date: ")
		_, _ = w.Write(c.date)
		_, _ = w.WriteString("\r\n")
	}
	if bodyAllowed {
		c.header("Content-Length", strconv.Itoa(len(rep.Body)))
	}
	switch {
	case !keep && req.ProtoAtLeast(1, 1):
		c.header("Connection", "close")
	case keep && !req.ProtoAtLeast(1, 1):
		c.header("Connection", "keep-alive")
	}
	_, _ = w.WriteString("\r\n")
	if bodyAllowed && req.Method != http.MethodHead {
		_, _ = w.Write(rep.Body)
	}
	return w.Flush()
}

// writeError writes one of the loop's own answers to a request it could not hand to the
// gateway (malformed, headers too large, unsupported Expect); the connection closes after it.
func (c *conn) writeError(status int, message string) {
	c.statusLine(true, status)
	c.header("Content-Type", "text/plain; charset=utf-8")
	c.header("Content-Length", strconv.Itoa(len(message)+1))
	c.header("Connection", "close")
	_, _ = c.bw.WriteString("\r\n")
	_, _ = c.bw.WriteString(message)
	_, _ = c.bw.WriteString("\n")
	_ = c.bw.Flush()
}

func (c *conn) statusLine(http11 bool, status int) {
	w := c.bw
	if http11 {
		_, _ = w.WriteString("HTTP/1.1 ")
	} else {
		_, _ = w.WriteString("HTTP/1.0 ")
	}
	var b [3]byte
	_, _ = w.Write(strconv.AppendInt(b[:0], int64(status), 10))
	_ = w.WriteByte(' ')
	text := http.StatusText(status)
	if text == "" {
		text = "status code " + strconv.Itoa(status)
	}
	_, _ = w.WriteString(text)
	_, _ = w.WriteString("\r\n")
}

func (c *conn) header(name, value string) {
	_, _ = c.bw.WriteString(name)
	_, _ = c.bw.WriteString(": ")
	_, _ = c.bw.WriteString(value)
	_, _ = c.bw.WriteString("\r\n")
}

// isFramingHeader reports whether a function's header would describe the connection or the
// body's framing, which only the gateway decides.
func isFramingHeader(name string) bool {
	return strings.EqualFold(name, "Content-Length") || strings.EqualFold(name, "Transfer-Encoding") || strings.EqualFold(name, "Connection")
}

// validHeaderName reports whether name is an HTTP token (RFC 9110 §5.1), as net/http requires
// of the header names it writes.
func validHeaderName(name string) bool {
	if name == "" {
		return false
	}
	for i := 0; i < len(name); i++ {
		if !isTokenByte(name[i]) {
			return false
		}
	}
	return true
}

func isTokenByte(b byte) bool {
	switch {
	case 'a' <= b && b <= 'z', 'A' <= b && b <= 'Z', '0' <= b && b <= '9':
		return true
	}
	return strings.IndexByte("!#$%&'*+-.^_`|~", b) >= 0
}

// sanitizeHeaderValue makes v safe on one header line: CR and LF become spaces, as net/http
// does, and so does every other control character but tab (RFC 9110 §5.5 allows none, and Go's
// own client refuses them); surrounding spaces and tabs go.
func sanitizeHeaderValue(v string) string {
	for i := 0; i < len(v); i++ {
		if isCTL(v[i]) {
			b := []byte(v)
			for j, c := range b {
				if isCTL(c) {
					b[j] = ' '
				}
			}
			v = string(b)
			break
		}
	}
	return strings.Trim(v, " \t")
}

func isCTL(c byte) bool { return (c < ' ' && c != '\t') || c == 0x7f }

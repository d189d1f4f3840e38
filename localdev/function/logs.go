package function

import (
	"bytes"
	"io"
	"sync"
	"sync/atomic"
)

// maxLogLine is the longest line kept whole; longer output is split into lines of this size.
const maxLogLine = 256 << 10

// logSink serialises whole lines from all environments onto one writer.
type logSink struct {
	mu sync.Mutex
	w  io.Writer
}

// line writes one line, tagged with the request id when there is one:
// "<request id>\t<text>".
func (s *logSink) line(requestID, text string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if requestID != "" {
		_, _ = io.WriteString(s.w, requestID+"\t"+text+"\n")
		return
	}
	_, _ = io.WriteString(s.w, text+"\n")
}

// lineTagger is a process's stdout or stderr: it cuts the stream into lines and writes each to
// the sink tagged with the request id in flight (or the last one, for output that arrives
// between invokes; none during init).
type lineTagger struct {
	sink      *logSink
	requestID *atomic.Pointer[string]
	mu        sync.Mutex
	buf       []byte
}

func (t *lineTagger) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, p...)
	for {
		i := bytes.IndexByte(t.buf, '\n')
		if i < 0 {
			if len(t.buf) >= maxLogLine {
				t.emit(t.buf[:maxLogLine])
				t.buf = t.buf[maxLogLine:]
				continue
			}
			break
		}
		t.emit(bytes.TrimSuffix(t.buf[:i], []byte("\r")))
		t.buf = t.buf[i+1:]
	}
	if len(t.buf) == 0 {
		t.buf = nil
	}
	return len(p), nil
}

// flush writes a last line without a newline, if any.
func (t *lineTagger) flush() {
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.buf) > 0 {
		t.emit(t.buf)
		t.buf = nil
	}
}

func (t *lineTagger) emit(line []byte) {
	id := ""
	if p := t.requestID.Load(); p != nil {
		id = *p
	}
	t.sink.line(id, string(line))
}

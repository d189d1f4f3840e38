package localdev

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strings"
)

// argKind is what invoke's event argument names.
type argKind int

const (
	argFile    argKind = iota + 1 // a file holding the event JSON
	argStdin                      // "-": the event JSON on stdin
	argRequest                    // "GET /items/42?x=1": a request to generate the event for
)

// eventArg is invoke's event argument, parsed.
type eventArg struct {
	kind   argKind
	path   string // argFile
	method string // argRequest: upper case
	target string // argRequest: path and query as typed
	host   string // argRequest with a full URL: its host, sent as the Host header
}

// parseEventArg reads invoke's event argument. A request is a method word, blanks, then a
// target that starts with '/' (or a full http(s) URL, whose path and query are the target):
// no file path looks like that. A known method followed by anything else is a mistyped
// request, unless such a file exists. Anything else but "-" is a file path.
func parseEventArg(arg string) (eventArg, error) {
	s := strings.TrimSpace(arg)
	switch {
	case s == "":
		return eventArg{}, errors.New(`reading the event argument: it is empty: give a JSON file, - for stdin, or a request such as "GET /items/42?x=1"`)
	case s == "-":
		return eventArg{kind: argStdin}, nil
	}
	method, rest, ok := strings.Cut(s, " ")
	if !ok || !isLetters(method) {
		return eventArg{kind: argFile, path: arg}, nil
	}
	target := strings.TrimSpace(rest)
	a := eventArg{kind: argRequest, method: strings.ToUpper(method), target: target}
	if scheme, hostPath, ok := strings.Cut(target, "://"); ok && (scheme == "http" || scheme == "https") {
		host, path, _ := strings.Cut(hostPath, "/")
		a.host, a.target = host, "/"+path
		return a, nil
	}
	if strings.HasPrefix(target, "/") {
		return a, nil
	}
	if _, err := os.Stat(arg); err == nil || !slices.Contains(httpMethods, a.method) {
		return eventArg{kind: argFile, path: arg}, nil // "my event.json", or an odd name that exists
	}
	return eventArg{}, fmt.Errorf("reading the request %q: the target %q must start with '/', as in \"%s /items/42?x=1\"", s, target, a.method)
}

// httpMethods are the methods whose word, followed by something other than a path, is taken
// for a mistyped request rather than a file name.
var httpMethods = []string{"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"}

func isLetters(s string) bool {
	for _, c := range s {
		if (c < 'A' || c > 'Z') && (c < 'a' || c > 'z') {
			return false
		}
	}
	return s != ""
}

// parseHeaders reads request headers written one per line as "Name: value" (blank lines are
// skipped; a name may repeat). varName names where they came from, for the error.
func parseHeaders(text, varName string) (http.Header, error) {
	h := http.Header{}
	for i, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		name, value, ok := strings.Cut(line, ":")
		name = strings.TrimSpace(name)
		if !ok || !isToken(name) {
			return nil, fmt.Errorf("reading %s: line %d %q is not a header: write one header per line as Name: value", varName, i+1, line)
		}
		h.Add(name, strings.TrimSpace(value))
	}
	return h, nil
}

// isToken reports whether s is an HTTP field name (RFC 9110 token).
func isToken(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case strings.ContainsRune("!#$%&'*+-.^_`|~", c):
		default:
			return false
		}
	}
	return true
}

// readBody reads a request body given as text, as "@path" (the file's bytes) or "@-" (stdin),
// curl's convention. varName names where it came from, for the error.
func readBody(spec, varName string, stdin io.Reader) ([]byte, error) {
	from, ok := strings.CutPrefix(spec, "@")
	if !ok {
		return []byte(spec), nil
	}
	if from == "-" {
		b, err := io.ReadAll(stdin)
		if err != nil {
			return nil, fmt.Errorf("reading the body from stdin (%s=@-): %w", varName, err)
		}
		return b, nil
	}
	b, err := os.ReadFile(from)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("reading the body file %s (%s=@%s): no such file; to send text that starts with @, put it in a file", from, varName, from)
	}
	if err != nil {
		return nil, fmt.Errorf("reading the body file %s (%s): %w", from, varName, err)
	}
	return b, nil
}

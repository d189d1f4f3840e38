package function_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/lambdalocal/lambdalocal/localdev/function"

	"github.com/lambdalocal/lambdalocal/internal/testenv"
)

// rieProcess is a real RIE running one test handler.
type rieProcess struct {
	url  string
	cmd  *exec.Cmd
	logs *testenv.SyncBuffer
}

// startRIE runs the real RIE on a free loopback port with handler's bootstrap and the function
// timeout, with a clean environment, and waits until it answers.
func startRIE(t testing.TB, handler string, timeout time.Duration) *rieProcess {
	t.Helper()
	rie, err := buildRIE()
	if err != nil {
		t.Fatal(err)
	}
	addrs := freeAddrs(t, 2)
	logs := &testenv.SyncBuffer{}
	cmd := exec.Command(rie, "--runtime-interface-emulator-address", addrs[0], "--runtime-api-address", addrs[1],
		"--log-level", "error", bootstrap(handler))
	cmd.Env = []string{fmt.Sprintf("AWS_LAMBDA_FUNCTION_TIMEOUT=%d", int(timeout.Seconds())), "AWS_LAMBDA_FUNCTION_NAME=function",
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE=128", "AWS_REGION=us-east-1"}
	cmd.Stdout, cmd.Stderr = logs, logs
	setpgid(cmd)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	r := &rieProcess{url: "http://" + addrs[0], cmd: cmd, logs: logs}
	t.Cleanup(func() {
		killGroup(cmd)
		_ = cmd.Wait()
	})
	deadline := time.Now().Add(10 * time.Second)
	for {
		resp, err := http.Get(r.url + "/")
		if err == nil {
			resp.Body.Close()
			return r
		}
		if time.Now().After(deadline) {
			t.Fatalf("the RIE did not answer: %v\n%s", err, logs)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// freeAddrs returns n free loopback addresses.
func freeAddrs(t testing.TB, n int) []string {
	t.Helper()
	var addrs []string
	var lns []net.Listener
	for range n {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		lns = append(lns, ln)
		addrs = append(addrs, ln.Addr().String())
	}
	for _, ln := range lns {
		ln.Close()
	}
	return addrs
}

// answer is an invoke endpoint's status and body.
type answer struct {
	status int
	body   []byte
}

// post sends one invoke to an invoke endpoint at base.
func post(t testing.TB, base string, event []byte, headers map[string]string) answer {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, base+function.InvokePath, bytes.NewReader(event))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return answer{resp.StatusCode, body}
}

// sameBody compares two bodies as JSON when both are JSON, else byte for byte; drop names
// top-level JSON keys left out of the comparison.
func sameBody(a, b []byte, drop ...string) bool {
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return bytes.Equal(a, b)
	}
	for _, m := range []any{x, y} {
		if obj, ok := m.(map[string]any); ok {
			for _, k := range drop {
				delete(obj, k)
			}
		}
	}
	return reflect.DeepEqual(x, y)
}

func TestSameAnswersAsTheRealRIE(t *testing.T) {
	t.Parallel()
	clientContext := base64.StdEncoding.EncodeToString([]byte(`{"client":{"installation_id":"i-1","app_title":"t"},"custom":{"a":"b"},"env":{"locale":"fr"}}`))
	cases := []struct {
		name    string
		handler string
		event   string
		headers map[string]string
		drop    []string // fields that differ by design (the environment)
	}{
		{"success echoes the event", "echo", `{"hello":"world","n":[1,2,3]}`, nil, nil},
		{"handled error is 200 with its error JSON", "handlederror", `{}`, nil, nil},
		{"panic is 502 with the panic's error JSON and stack", "panic", `{}`, nil, nil},
		{"os.Exit is 502 Runtime.ExitError", "exit", `{}`, map[string]string{"X-Amzn-RequestId": "11111111-2222-4333-8444-555555555555"}, nil},
		{"timeout is 200 Task timed out", "sleep", `{"ms":3000}`, nil, nil},
		{"a 1 MiB event comes back whole", "echo", `"` + strings.Repeat("z", 1<<20) + `"`, nil, nil},
		{"a 5 MiB response comes back whole", "large", `{"bytes":5000000}`, nil, nil},
		{"a response over 6 MiB is 502 Function.ResponseSizeTooLarge", "large", `{"bytes":7000000}`, nil, nil},
		{"client context, Cognito identity, ARN and request id reach the handler", "clientcontext", `{}`, map[string]string{
			"X-Amz-Client-Context":   clientContext,
			"X-Amz-Cognito-Identity": `{"cognitoIdentityId":"id-1","cognitoIdentityPoolId":"pool-1"}`,
			"X-Amzn-RequestId":       "aaaaaaaa-2222-4333-8444-555555555555",
		}, []string{"env"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rie := startRIE(t, tc.handler, time.Second)
			p, _ := newPool(t, tc.handler, function.WithTimeout(time.Second))
			ours := httptest.NewServer(p)
			defer ours.Close()
			want := post(t, rie.url, []byte(tc.event), tc.headers)
			got := post(t, ours.URL, []byte(tc.event), tc.headers)
			if got.status != want.status || !sameBody(got.body, want.body, tc.drop...) {
				t.Errorf("lambdalocal answered %d %s\nthe RIE answered   %d %s\nRIE logs:\n%s",
					got.status, clip(got.body), want.status, clip(want.body), rie.logs)
			}
		})
	}
}

func clip(b []byte) string {
	if len(b) > 400 {
		return string(b[:400]) + "…"
	}
	return string(b)
}

// TestInvokeEndpointRejectsBadRequests checks what the RIE endpoint does not: clear answers to
// requests the function never sees.
func TestInvokeEndpointRejectsBadRequests(t *testing.T) {
	t.Parallel()
	p, _ := newPool(t, "echo")
	srv := httptest.NewServer(p)
	t.Cleanup(srv.Close)
	tests := []struct {
		name   string
		method string
		path   string
		header map[string]string
		body   string
		status int
	}{
		{"an unknown path is 404", http.MethodPost, "/2015-03-31/functions/function/other", nil, "{}", 404},
		{"GET on the invoke path is 405", http.MethodGet, function.InvokePath, nil, "", 405},
		{"a client context that is not base64 is 400", http.MethodPost, function.InvokePath, map[string]string{"X-Amz-Client-Context": "%%%"}, "{}", 400},
		{"an event over 6 MiB is 413", http.MethodPost, function.InvokePath, nil, strings.Repeat("x", 6*1024*1024+101), 413},
		{"any function name is accepted", http.MethodPost, "/2015-03-31/functions/my-fn/invocations", nil, "{}", 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			req, _ := http.NewRequestWithContext(context.Background(), tt.method, srv.URL+tt.path, strings.NewReader(tt.body))
			for k, v := range tt.header {
				req.Header.Set(k, v)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tt.status {
				t.Errorf("status = %d, want %d", resp.StatusCode, tt.status)
			}
		})
	}
}

package function

import (
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestEnvironIsCleanAndLambdaShaped(t *testing.T) {
	t.Parallel()
	host := map[string]string{"PATH": "/usr/bin", "HOME": "/home/me", "AWS_SECRET_ACCESS_KEY": "secret", "GOFLAGS": "-x"}
	lookup := func(k string) (string, bool) { v, ok := host[k]; return v, ok }
	tests := []struct {
		name    string
		userEnv []string
		want    map[string]string
		absent  []string
	}{
		{"Lambda's variables are set and only PATH and HOME pass through", nil, map[string]string{
			"PATH": "/usr/bin", "HOME": "/home/me", "AWS_LAMBDA_FUNCTION_NAME": "fn", "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
			"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "256", "AWS_REGION": "eu-west-1", "AWS_DEFAULT_REGION": "eu-west-1",
			"AWS_LAMBDA_LOG_GROUP_NAME": "/aws/lambda/fn", "AWS_LAMBDA_LOG_STREAM_NAME": "2026/11/27/[$LATEST]abc",
			"_HANDLER": "bootstrap", "LAMBDA_TASK_ROOT": "/task", "TZ": ":UTC", "AWS_LAMBDA_RUNTIME_API": "127.0.0.1:9001",
		}, []string{"AWS_SECRET_ACCESS_KEY", "GOFLAGS"}},
		{"the user's variables are added and override defaults", []string{"TABLE=t1", "TZ=Europe/Paris"},
			map[string]string{"TABLE": "t1", "TZ": "Europe/Paris"}, nil},
		{"the user cannot move the Runtime API", []string{"AWS_LAMBDA_RUNTIME_API=evil:1"},
			map[string]string{"AWS_LAMBDA_RUNTIME_API": "127.0.0.1:9001"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			o := makeOptions([]Option{WithFunctionName("fn"), WithMemorySize(256), WithRegion("eu-west-1"), WithEnv(tt.userEnv...)})
			env := environ(o, "127.0.0.1:9001", "/task", "2026/11/27/[$LATEST]abc", lookup)
			got := map[string]string{}
			for _, kv := range env {
				k, v, _ := strings.Cut(kv, "=")
				if _, dup := got[k]; dup {
					t.Errorf("%s is set twice", k)
				}
				got[k] = v
			}
			for k, v := range tt.want {
				if got[k] != v {
					t.Errorf("%s = %q, want %q", k, got[k], v)
				}
			}
			for _, k := range tt.absent {
				if _, ok := got[k]; ok {
					t.Errorf("%s leaked from the caller's environment", k)
				}
			}
		})
	}
}

func TestReportLine(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		r    Report
		want string
	}{
		{"warm invoke has no init duration and bills whole milliseconds rounded up",
			Report{RequestID: "r", Duration: 1001 * time.Microsecond, MemorySizeMB: 128, MaxMemoryMB: 20},
			"REPORT RequestId: r\tDuration: 1.00 ms\tBilled Duration: 2 ms\tMemory Size: 128 MB\tMax Memory Used: 20 MB\t"},
		{"billed duration is at least 1 ms",
			Report{RequestID: "r", Duration: 10 * time.Microsecond, MemorySizeMB: 128, MaxMemoryMB: 20},
			"REPORT RequestId: r\tDuration: 0.01 ms\tBilled Duration: 1 ms\tMemory Size: 128 MB\tMax Memory Used: 20 MB\t"},
		{"unknown max memory shows the memory size, as the RIE does",
			Report{RequestID: "r", Duration: time.Millisecond, MemorySizeMB: 512, MaxMemoryMB: -1},
			"REPORT RequestId: r\tDuration: 1.00 ms\tBilled Duration: 1 ms\tMemory Size: 512 MB\tMax Memory Used: 512 MB\t"},
		{"a timeout adds its status",
			Report{RequestID: "r", Duration: 3 * time.Second, MemorySizeMB: 128, MaxMemoryMB: 9, Status: "timeout"},
			"REPORT RequestId: r\tDuration: 3000.00 ms\tBilled Duration: 3000 ms\tMemory Size: 128 MB\tMax Memory Used: 9 MB\tStatus: timeout\t"},
		{"a crash adds its status and error type",
			Report{RequestID: "r", Duration: time.Millisecond, MemorySizeMB: 128, MaxMemoryMB: 9, Status: "error", ErrorType: "Runtime.ExitError"},
			"REPORT RequestId: r\tDuration: 1.00 ms\tBilled Duration: 1 ms\tMemory Size: 128 MB\tMax Memory Used: 9 MB\tStatus: error\tError Type: Runtime.ExitError\t"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := tt.r.String(); got != tt.want {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestTimeoutMessageMatchesTheRIE(t *testing.T) {
	t.Parallel()
	for d, want := range map[time.Duration]string{
		3 * time.Second:         "Task timed out after 3.00 seconds",
		30 * time.Second:        "Task timed out after 30.00 seconds",
		1500 * time.Millisecond: "Task timed out after 1.50 seconds",
	} {
		if got := timeoutMessage(d); got != want {
			t.Errorf("timeoutMessage(%s) = %q, want %q", d, got, want)
		}
	}
}

func TestIsInvokePath(t *testing.T) {
	t.Parallel()
	for path, want := range map[string]bool{
		"/2015-03-31/functions/function/invocations":   true,
		"/2015-03-31/functions/my-func/invocations":    true,
		"/2015-03-31/functions//invocations":           false,
		"/2015-03-31/functions/a/b/invocations":        false,
		"/2015-03-31/functions/function/invocations/x": false,
		"/": false,
	} {
		if got := isInvokePath(path); got != want {
			t.Errorf("isInvokePath(%q) = %v, want %v", path, got, want)
		}
	}
}

func TestLineTaggerCutsLinesAndTagsThemWithTheRequestInFlight(t *testing.T) {
	t.Parallel()
	var out strings.Builder
	var id atomic.Pointer[string]
	lt := &lineTagger{sink: &logSink{w: &out}, requestID: &id}
	_, _ = lt.Write([]byte("during init\npart"))
	req := "req-1"
	id.Store(&req)
	_, _ = lt.Write([]byte("ial line\r\nsecond\nno newline"))
	lt.flush()
	want := "during init\nreq-1\tpartial line\nreq-1\tsecond\nreq-1\tno newline\n"
	if out.String() != want {
		t.Errorf("got  %q\nwant %q", out.String(), want)
	}
}

func TestErrorTypeOfAPostedError(t *testing.T) {
	t.Parallel()
	for body, want := range map[string]string{
		`{"errorMessage":"m","errorType":"MyError"}`: "MyError",
		`{"errorMessage":"m"}`:                       "Unhandled",
		`not json`:                                   "Unhandled",
	} {
		if got := errorTypeOf([]byte(body)); got != want {
			t.Errorf("errorTypeOf(%s) = %q, want %q", body, got, want)
		}
	}
}

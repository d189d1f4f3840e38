package function_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/lambdalocal/lambdalocal/localdev/function"
)

func TestEchoAnswersTheEventAndLogsLikeLambda(t *testing.T) {
	t.Parallel()
	p, logs := newPool(t, "echo")
	res, err := p.Do(context.Background(), function.Request{Payload: []byte(`{"a":1}`), RequestID: "req-1"})
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != 200 || string(res.Payload) != `{"a":1}` || res.ErrorType != "" {
		t.Fatalf("result = %d %q %q, want 200 {\"a\":1}", res.StatusCode, res.Payload, res.ErrorType)
	}
	deadline := time.Now().Add(2 * time.Second)
	for !strings.Contains(logs.String(), "REPORT") && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	got := logs.String()
	for _, want := range []string{
		"START RequestId: req-1 Version: $LATEST\n",
		"req-1\techo: 7 bytes\n",
		"req-1\techo: to stderr\n",
		"END RequestId: req-1\n",
		"REPORT RequestId: req-1\tDuration: ",
		"\tMemory Size: 128 MB\tMax Memory Used: ",
		"\tInit Duration: ",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("logs lack %q:\n%s", want, got)
		}
	}
	if runtime.GOOS == "linux" {
		// Measured from VmHWM: a Go handler's peak is a few MB, not the 128 MB memory size.
		m := regexp.MustCompile(`Max Memory Used: (\d+) MB`).FindStringSubmatch(got)
		if m == nil || m[1] == "0" || m[1] == "128" {
			t.Errorf("max memory used = %v, want the process's measured peak", m)
		}
	}
}

func TestWarmInvokeHasNoInitDuration(t *testing.T) {
	t.Parallel()
	p, logs := newPool(t, "echo")
	for _, id := range []string{"cold", "warm"} {
		if _, err := p.Do(context.Background(), function.Request{Payload: []byte(`{}`), RequestID: id}); err != nil {
			t.Fatal(err)
		}
	}
	for _, line := range strings.Split(logs.String(), "\n") {
		if strings.HasPrefix(line, "REPORT RequestId: warm") && strings.Contains(line, "Init Duration") {
			t.Errorf("warm REPORT line has an init duration: %q", line)
		}
		if strings.HasPrefix(line, "REPORT RequestId: cold") && !strings.Contains(line, "Init Duration") {
			t.Errorf("cold REPORT line lacks the init duration: %q", line)
		}
	}
}

func TestHandledErrorAnswers200WithTheErrorJSON(t *testing.T) {
	t.Parallel()
	p, _ := newPool(t, "handlederror")
	got, err := p.Invoke(context.Background(), []byte(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	want := `{"errorMessage":"field name is required","errorType":"validationError"}`
	if string(got) != want {
		t.Errorf("payload = %s, want %s", got, want)
	}
}

func TestCrashFailsOnlyTheRequestInFlightAndTheNextGetsAFreshProcess(t *testing.T) {
	t.Parallel()
	for _, crash := range []struct{ name, kind, errorType, text string }{
		{"panic answers 502 with the panic's error JSON", "panic", "string", `"errorMessage":"crash on request"`},
		{"os.Exit answers 502 with Runtime.ExitError", "exit", "Runtime.ExitError", "Runtime exited with error: exit status 3"},
	} {
		t.Run(crash.name, func(t *testing.T) {
			t.Parallel()
			p, _ := newPool(t, "pid")
			first := invokePID(t, p, `{}`)
			_, err := p.Invoke(context.Background(), []byte(`{"crash":"`+crash.kind+`"}`))
			var fe *function.FunctionError
			if !errors.As(err, &fe) {
				t.Fatalf("crashing invoke error = %v, want *FunctionError", err)
			}
			if fe.StatusCode != 502 || fe.ErrorType != crash.errorType || !strings.Contains(string(fe.Payload), crash.text) {
				t.Errorf("crash = %d %s %s, want 502 %s containing %q", fe.StatusCode, fe.ErrorType, fe.Payload, crash.errorType, crash.text)
			}
			waitGone(t, first.PID)
			next := invokePID(t, p, `{}`)
			if next.PID == first.PID || next.Count != 1 {
				t.Errorf("after the crash: pid %d count %d, want a fresh process (not %d) with count 1", next.PID, next.Count, first.PID)
			}
		})
	}
}

type pidAnswer struct {
	PID   int `json:"pid"`
	Count int `json:"count"`
}

func invokePID(t *testing.T, p *function.Pool, event string) pidAnswer {
	t.Helper()
	b, err := p.Invoke(context.Background(), []byte(event))
	if err != nil {
		t.Fatal(err)
	}
	var a pidAnswer
	if err := json.Unmarshal(b, &a); err != nil {
		t.Fatalf("decoding %s: %v", b, err)
	}
	return a
}

func TestInvokePastTheTimeoutEndsTheProcessAndAnswersTaskTimedOut(t *testing.T) {
	t.Parallel()
	p, logs := newPool(t, "sleep", function.WithTimeout(time.Second))
	start := time.Now()
	res, err := p.Do(context.Background(), function.Request{Payload: []byte(`{"ms":5000}`)})
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != 200 || string(res.Payload) != "Task timed out after 1.00 seconds" {
		t.Errorf("result = %d %q, want 200 %q", res.StatusCode, res.Payload, "Task timed out after 1.00 seconds")
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("timed-out invoke took %s, want about 1s", d)
	}
	if len(p.PIDs()) != 0 {
		t.Errorf("timed-out environment still counted: %v", p.PIDs())
	}
	if !strings.Contains(logs.String(), "\tStatus: timeout") {
		t.Errorf("REPORT line lacks Status: timeout:\n%s", logs)
	}
	got, err := p.Invoke(context.Background(), []byte(`{"ms":1}`))
	if err != nil || string(got) != `"slept"` {
		t.Errorf("invoke after the timeout = %s, %v; want \"slept\"", got, err)
	}
}

func TestHandlerThatNeverCallsTheRuntimeFailsInitWithAClearMessage(t *testing.T) {
	t.Parallel()
	p, logs := newPool(t, "noinit", function.WithInitTimeout(300*time.Millisecond))
	_, err := p.Invoke(context.Background(), []byte(`{}`))
	var fe *function.FunctionError
	if !errors.As(err, &fe) || fe.StatusCode != 502 || fe.ErrorType != "Sandbox.Timedout" {
		t.Fatalf("error = %v, want a 502 Sandbox.Timedout *FunctionError", err)
	}
	for _, want := range []string{"INIT_REPORT Init Duration: 300.00 ms\tPhase: init\tStatus: timeout", "lambda.Start", "noinit: loading forever"} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("logs lack %q:\n%s", want, logs)
		}
	}
	if pids := p.PIDs(); len(pids) != 0 {
		t.Errorf("environments left after the failed init: %v", pids)
	}
}

func TestBootstrapThatExitsAtOnceFailsInitWithItsOutput(t *testing.T) {
	t.Parallel()
	p, logs := newPool(t, "exitatonce")
	_, err := p.Invoke(context.Background(), []byte(`{}`))
	var fe *function.FunctionError
	if !errors.As(err, &fe) || fe.StatusCode != 502 || fe.ErrorType != "Runtime.ExitError" {
		t.Fatalf("error = %v, want a 502 Runtime.ExitError *FunctionError", err)
	}
	if !strings.Contains(string(fe.Payload), "Runtime exited with error: exit status 2") {
		t.Errorf("payload = %s, want the exit status", fe.Payload)
	}
	for _, want := range []string{"exitatonce: DATABASE_URL is not set", "exited before asking for an invoke", "Status: error"} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("logs lack %q:\n%s", want, logs)
		}
	}
}

func TestNewRejectsAMissingBootstrap(t *testing.T) {
	t.Parallel()
	_, err := function.New(t.TempDir() + "/bootstrap")
	if err == nil || !strings.Contains(err.Error(), "finding the function's bootstrap") {
		t.Errorf("error = %v, want a clear message about the bootstrap", err)
	}
}

func TestLargePayloads(t *testing.T) {
	t.Parallel()
	t.Run("a 1 MiB event comes back whole", func(t *testing.T) {
		t.Parallel()
		p, _ := newPool(t, "echo", function.WithLogs(discard{}))
		event := []byte(`"` + strings.Repeat("y", 1<<20) + `"`)
		got, err := p.Invoke(context.Background(), event)
		if err != nil || string(got) != string(event) {
			t.Errorf("echo of 1 MiB: %d bytes, %v", len(got), err)
		}
	})
	t.Run("a response over 6 MiB is Function.ResponseSizeTooLarge", func(t *testing.T) {
		t.Parallel()
		p, _ := newPool(t, "large")
		_, err := p.Invoke(context.Background(), []byte(`{"bytes":7000000}`))
		var fe *function.FunctionError
		if !errors.As(err, &fe) || fe.ErrorType != "Function.ResponseSizeTooLarge" {
			t.Errorf("error = %v, want Function.ResponseSizeTooLarge", err)
		}
	})
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }

func TestTwoConcurrentRequestsReachTwoProcessesThatShareNoState(t *testing.T) {
	t.Parallel()
	p, _ := newPool(t, "pid", function.WithMaxEnvironments(2))
	var wg sync.WaitGroup
	answers := make([]pidAnswer, 2)
	for i := range answers {
		wg.Add(1)
		go func() { defer wg.Done(); answers[i] = invokePID(t, p, `{"ms":1000}`) }()
	}
	wg.Wait()
	if answers[0].PID == answers[1].PID {
		t.Errorf("both requests ran in process %d", answers[0].PID)
	}
	for _, a := range answers {
		if a.Count != 1 {
			t.Errorf("process %d counted %d invokes, want 1 (global state must not be shared)", a.PID, a.Count)
		}
	}
}

func TestSixtyFourConcurrentClientsAreAllServed(t *testing.T) {
	t.Parallel()
	p, _ := newPool(t, "pid", function.WithMaxEnvironments(4))
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	pids := sync.Map{}
	for range 64 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			b, err := p.Invoke(context.Background(), []byte(`{"ms":20}`))
			var a pidAnswer
			if err == nil {
				err = json.Unmarshal(b, &a)
			}
			if err != nil {
				errs <- err
				return
			}
			pids.Store(a.PID, true)
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	n := 0
	pids.Range(func(any, any) bool { n++; return true })
	if n < 2 || n > 4 {
		t.Errorf("served by %d processes, want between 2 and the limit of 4", n)
	}
}

func TestRequestsBeyondTheLimitWaitBoundedByTheirContext(t *testing.T) {
	t.Parallel()
	p, _ := newPool(t, "sleep", function.WithMaxEnvironments(1))
	go func() { _, _ = p.Invoke(context.Background(), []byte(`{"ms":1000}`)) }()
	time.Sleep(200 * time.Millisecond)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err := p.Invoke(ctx, []byte(`{"ms":1}`))
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "waiting for a free execution environment") {
		t.Errorf("error = %v, want a deadline while waiting for an environment", err)
	}
}

func TestIdleEnvironmentsAreStopped(t *testing.T) {
	t.Parallel()
	p, _ := newPool(t, "pid", function.WithIdleTimeout(200*time.Millisecond))
	a := invokePID(t, p, `{}`)
	deadline := time.Now().Add(3 * time.Second)
	for len(p.PIDs()) > 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if len(p.PIDs()) > 0 {
		t.Fatalf("idle environment not reaped: %v", p.PIDs())
	}
	waitGone(t, a.PID)
}

func TestSwapSendsNewInvokesToTheNewBuildWhileInFlightOnesFinishOnTheOld(t *testing.T) {
	t.Parallel()
	p, _ := newPool(t, "sleep", function.WithMaxEnvironments(2))
	old := make(chan string, 1)
	go func() {
		b, err := p.Invoke(context.Background(), []byte(`{"ms":1500}`))
		old <- fmt.Sprintf("%s %v", b, err)
	}()
	deadline := time.Now().Add(10 * time.Second)
	for len(p.PIDs()) == 0 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	time.Sleep(100 * time.Millisecond) // the invoke reaches the started environment
	if err := p.Swap(bootstrap("pid")); err != nil {
		t.Fatal(err)
	}
	oldPIDs := p.PIDs()
	a := invokePID(t, p, `{}`)
	if a.Count != 1 {
		t.Errorf("new build answered %+v", a)
	}
	if got := <-old; got != `"slept" <nil>` {
		t.Errorf("in-flight invoke on the old build = %s, want \"slept\" <nil>", got)
	}
	waitGone(t, oldPIDs...)
	if pids := p.PIDs(); len(pids) != 1 || pids[0] != a.PID {
		t.Errorf("environments after the swap = %v, want only the new build's %d", pids, a.PID)
	}
}

func TestCloseLeavesNoProcessBehind(t *testing.T) {
	t.Parallel()
	p, _ := newPool(t, "sleep", function.WithMaxEnvironments(3))
	var wg sync.WaitGroup
	for range 3 {
		wg.Add(1)
		go func() { defer wg.Done(); _, _ = p.Invoke(context.Background(), []byte(`{"ms":3000}`)) }()
	}
	deadline := time.Now().Add(5 * time.Second)
	for len(p.PIDs()) < 3 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	pids := p.PIDs()
	if len(pids) != 3 {
		t.Fatalf("want 3 running environments, have %v", pids)
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	waitGone(t, pids...)
	wg.Wait()
	if _, err := p.Invoke(context.Background(), []byte(`{}`)); !errors.Is(err, function.ErrClosed) {
		t.Errorf("invoke after Close = %v, want ErrClosed", err)
	}
}

func TestStoppingAnEnvironmentAlsoEndsTheProcessesItStarted(t *testing.T) {
	t.Parallel()
	p, _ := newPool(t, "spawn")
	b, err := p.Invoke(context.Background(), []byte(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	var a struct{ PID, Child int }
	if err := json.Unmarshal(b, &a); err != nil || a.Child == 0 {
		t.Fatalf("answer %s: %v", b, err)
	}
	if !alive(a.Child) {
		t.Fatalf("the function's child %d is not running", a.Child)
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	waitGone(t, a.PID, a.Child)
}

func TestTheFunctionSeesLambdasEnvironmentAndNothingElseOfTheCallers(t *testing.T) {
	t.Parallel()
	p, _ := newPool(t, "clientcontext", function.WithFunctionName("orders"), function.WithEnv("TABLE=orders-dev"))
	b, err := p.Invoke(context.Background(), []byte(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	var a struct {
		FunctionARN string            `json:"functionArn"`
		HasDeadline bool              `json:"hasDeadline"`
		Env         map[string]string `json:"env"`
	}
	if err := json.Unmarshal(b, &a); err != nil {
		t.Fatal(err)
	}
	if a.FunctionARN != "arn:aws:lambda:us-east-1:012345678912:function:orders" || !a.HasDeadline {
		t.Errorf("ARN %q, deadline %v: want the function's ARN and a deadline", a.FunctionARN, a.HasDeadline)
	}
	want := map[string]string{
		"AWS_LAMBDA_FUNCTION_NAME": "orders", "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "128",
		"AWS_REGION": "us-east-1", "AWS_DEFAULT_REGION": "us-east-1", "AWS_LAMBDA_LOG_GROUP_NAME": "/aws/lambda/orders",
		"_HANDLER": "bootstrap", "LAMBDA_TASK_ROOT": filepath.Dir(bootstrap("clientcontext")), "TZ": ":UTC", "TABLE": "orders-dev",
	}
	for k, v := range want {
		if a.Env[k] != v {
			t.Errorf("%s = %q, want %q", k, a.Env[k], v)
		}
	}
	if !strings.HasPrefix(a.Env["AWS_LAMBDA_RUNTIME_API"], "127.0.0.1:") {
		t.Errorf("AWS_LAMBDA_RUNTIME_API = %q, want a loopback address", a.Env["AWS_LAMBDA_RUNTIME_API"])
	}
	allowed := map[string]bool{"PATH": true, "HOME": true, "AWS_LAMBDA_RUNTIME_API": true, "AWS_LAMBDA_LOG_STREAM_NAME": true,
		"LAMBDA_RUNTIME_DIR": true, "LANG": true, "AWS_LAMBDA_INITIALIZATION_TYPE": true, "_X_AMZN_TRACE_ID": true}
	for k := range a.Env {
		if _, ok := want[k]; !ok && !allowed[k] {
			t.Errorf("%s leaked into the function's environment", k)
		}
	}
}

func TestAnEnvironmentThatDiedWhileIdleIsReplacedWithoutFailingTheInvoke(t *testing.T) {
	t.Parallel()
	p, _ := newPool(t, "pid")
	first := invokePID(t, p, `{}`)
	if err := syscall.Kill(first.PID, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	// The process died a while ago, not during the invoke: the pool has reaped it.
	deadline := time.Now().Add(5 * time.Second)
	for alive(first.PID) && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	time.Sleep(100 * time.Millisecond)
	next := invokePID(t, p, `{}`)
	if next.PID == first.PID || next.Count != 1 {
		t.Errorf("after the idle process died: %+v, want a fresh process", next)
	}
}

package localdev

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/lambdalocal/lambdalocal/internal/testenv"
)

// functionHandlerSource is a REST API handler that answers "NAME VERSION PATH", so a test can
// tell which function, which build and which route answered.
const functionHandlerSource = `package main

import (
	"context"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
)

func main() {
	lambda.Start(func(_ context.Context, e events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {
		return events.APIGatewayProxyResponse{StatusCode: 200, Body: "NAME VERSION " + e.Path}, nil
	})
}
`

// functionSource returns the handler of function name at version v.
func functionSource(name, v string) string {
	return strings.NewReplacer("NAME", name, "VERSION", v).Replace(functionHandlerSource)
}

// functionsModule writes a module with one handler package per name (./<name>, answering
// "<name> 1 <path>"), scaffolds its localdev/ and returns its folder.
func functionsModule(t testing.TB, names ...string) string {
	t.Helper()
	dir := t.TempDir()
	copyTestFile(t, "../go.sum", filepath.Join(dir, "go.sum"))
	devWrite(t, filepath.Join(dir, "go.mod"), "module example.com/functions\n\ngo 1.26\n\nrequire github.com/aws/aws-lambda-go v1.55.1\n")
	for _, n := range names {
		devWrite(t, filepath.Join(dir, n, "main.go"), functionSource(n, "1"))
	}
	if err := Scaffold(Config{Dir: dir}); err != nil {
		t.Fatal(err)
	}
	return dir
}

// askFunction invokes the function at base URL with a REST API event for path and returns the body
// of its API Gateway response.
func askFunction(ctx context.Context, base, path string) (string, error) {
	event, err := json.Marshal(events.APIGatewayProxyRequest{HTTPMethod: "GET", Path: path, Resource: path})
	if err != nil {
		return "", err
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+InvokePath, bytes.NewReader(event))
	if err != nil {
		return "", err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("invoke API answered %s: %s", resp.Status, body)
	}
	var r events.APIGatewayProxyResponse
	if err := json.Unmarshal(body, &r); err != nil {
		return "", fmt.Errorf("decoding %q: %w", body, err)
	}
	return r.Body, nil
}

// awaitAnswer polls the function at base until it answers want for path, or fails after wait.
func awaitAnswer(t testing.TB, base, path, want string, wait time.Duration) time.Duration {
	t.Helper()
	start := time.Now()
	var got string
	var err error
	for time.Since(start) < wait {
		if got, err = askFunction(context.Background(), base, path); err == nil && got == want {
			return time.Since(start)
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("after %s the function at %s answers %q (error %v), want %q", wait, base, got, err, want)
	return 0
}

// startedAt returns when the container of a project's service last started.
func startedAt(t testing.TB, project, service string) string {
	t.Helper()
	ids, err := exec.Command("docker", "ps", "--all", "--quiet", "--filter", "label=com.docker.compose.project="+project,
		"--filter", "label=com.docker.compose.service="+service).Output()
	if err != nil || len(strings.Fields(string(ids))) != 1 {
		t.Fatalf("finding the container of service %s in project %s: %v %q", service, project, err, ids)
	}
	out, err := exec.Command("docker", "inspect", "--format", "{{.State.StartedAt}}", strings.TrimSpace(string(ids))).Output()
	if err != nil {
		t.Fatalf("inspecting the container of %s: %v", service, err)
	}
	return strings.TrimSpace(string(out))
}

// runningWatch is a Watch started by a test.
type runningWatch struct {
	out    *testenv.SyncBuffer
	cancel context.CancelFunc
	done   chan error
}

// startWatch runs Watch and waits until it watches; cleanup stops it (the project's own
// cleanup takes the stack down).
func startWatch(t testing.TB, cfg Config, opts ...Option) *runningWatch {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	w := &runningWatch{out: &testenv.SyncBuffer{}, cancel: cancel, done: make(chan error, 1)}
	go func() { w.done <- Watch(ctx, cfg, append(opts, WithOutput(w.out))...) }()
	t.Cleanup(func() {
		w.stop(t)
		if t.Failed() {
			t.Logf("watch output:\n%s", w.out)
		}
	})
	deadline := time.After(3 * time.Minute)
	for !strings.Contains(w.out.String(), "watch: watching") {
		select {
		case err := <-w.done:
			w.done <- err
			t.Fatalf("Watch ended before watching: %v\n%s", err, w.out)
		case <-deadline:
			t.Fatalf("Watch did not start watching in 3 minutes:\n%s", w.out)
		case <-time.After(100 * time.Millisecond):
		}
	}
	return w
}

// stop ends the Watch and checks it returned nil; a second call does nothing.
func (w *runningWatch) stop(t testing.TB) {
	t.Helper()
	if w.cancel == nil {
		return
	}
	w.cancel()
	w.cancel = nil
	select {
	case err := <-w.done:
		if err != nil {
			t.Errorf("Watch ended with %v, want nil when its context ends", err)
		}
	case <-time.After(30 * time.Second):
		t.Error("Watch did not end within 30s of its context")
	}
}

// Watch on one function, with each Compose: an edit is served by the same stack after a
// restart, and a build that fails leaves the previous build serving.
func TestWatchOnDockerOneFunction(t *testing.T) {
	testenv.RequireDocker(t)
	base := pushTestBase(t)
	for _, v := range []ComposeVersion{ComposeV2, ComposeV1} {
		t.Run(v.String(), func(t *testing.T) {
			requireCompose(t, v)
			ctx := context.Background()
			dir := functionsModule(t, "fa")
			cfg := Config{Dir: dir, Handler: "./fa", BaseImage: base.Ref, FunctionURL: "http://127.0.0.1:" + freePort(t)}.WithDefaults()
			if _, err := Pin(ctx, cfg, WithPinOutput(io.Discard)); err != nil {
				t.Fatal(err)
			}
			project := testProject(t, cfg, v)
			w := startWatch(t, cfg, WithProject(project), WithCompose(v))
			awaitAnswer(t, cfg.FunctionURL, "/x", "fa 1 /x", 10*time.Second)

			devWrite(t, filepath.Join(dir, "fa", "main.go"), "package main\n\nfunc main() { undefined() }\n")
			waitOutput(t, w.out, "the build of function failed", time.Minute)
			if got, err := askFunction(ctx, cfg.FunctionURL, "/x"); err != nil || got != "fa 1 /x" {
				t.Fatalf("after a failed build the function answers %q, %v; want the previous build's answer", got, err)
			}

			devWrite(t, filepath.Join(dir, "fa", "main.go"), functionSource("fa", "2"))
			took := awaitAnswer(t, cfg.FunctionURL, "/x", "fa 2 /x", time.Minute)
			t.Logf("edit to serving: %s", took)
			waitOutput(t, w.out, "watch: function serving the new build", time.Minute)
			w.stop(t)
			if err := Down(ctx, cfg, WithProject(project), WithCompose(v)); err != nil {
				t.Fatal(err)
			}
			assertNothingLeft(t, project)
		})
	}
}

// waitOutput waits until out holds want.
func waitOutput(t testing.TB, out *testenv.SyncBuffer, want string, wait time.Duration) {
	t.Helper()
	deadline := time.Now().Add(wait)
	for !strings.Contains(out.String(), want) {
		if time.Now().After(deadline) {
			t.Fatalf("output lacks %q after %s:\n%s", want, wait, out)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

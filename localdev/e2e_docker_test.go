package localdev

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/lambdalocal/lambdalocal/localdev/registrytest"

	"github.com/lambdalocal/lambdalocal/internal/testenv"
)

// End to end on the real Docker engine: a minimal Lambda base (static busybox, empty /var/task,
// linux/amd64 + linux/arm64) in an in-process registry on 127.0.0.1 → Pin → Build → Up → an API
// Gateway event invokes the example function → Down leaves no container or network behind.
// Once with Compose v2 (BuildKit) and once with Compose v1 (the legacy builder).
func TestEndToEndOnDocker(t *testing.T) {
	testenv.RequireDocker(t)
	base := pushTestBase(t)
	for _, v := range []ComposeVersion{ComposeV2, ComposeV1} {
		t.Run(v.String(), func(t *testing.T) {
			requireCompose(t, v)
			ctx := context.Background()
			cfg := exampleProject(t, base)
			project := testProject(t, cfg, v)
			log := &testWriter{t: t}

			if _, err := Pin(ctx, cfg, WithPinOutput(log)); err != nil {
				t.Fatalf("image:pin: %v", err)
			}
			if df, _ := os.ReadFile(DockerfilePath(cfg)); !strings.Contains(string(df), "FROM "+base.Pinned()+"\n") {
				t.Fatalf("Dockerfile does not pin %s:\n%s", base.Pinned(), df)
			}
			if err := Build(ctx, cfg, WithOutput(log)); err != nil {
				t.Fatalf("build: %v", err)
			}
			if err := Up(ctx, cfg, WithCompose(v), WithProject(project), WithOutput(log)); err != nil {
				t.Fatalf("up: %v", err)
			}

			event := apigwEvent(t, "/hello/json")
			resp := invoke(t, cfg, event)
			if resp.StatusCode != http.StatusOK {
				t.Errorf("statusCode = %d, want 200", resp.StatusCode)
			}
			assertJSONEqual(t, []byte(resp.Body), event)

			// up again while up: nothing to do, the port is ours.
			if err := Up(ctx, cfg, WithCompose(v), WithProject(project), WithOutput(log)); err != nil {
				t.Fatalf("second up: %v", err)
			}
			var logs bytes.Buffer
			if err := Logs(ctx, cfg, WithCompose(v), WithProject(project), WithOutput(&logs)); err != nil {
				t.Fatalf("logs: %v", err)
			}
			if !strings.Contains(logs.String(), "REPORT RequestId:") {
				t.Errorf("logs lack the RIE's REPORT line of the invoke:\n%s", logs.String())
			}
			// Following ends without error when its context does.
			follow, cancel := context.WithTimeout(ctx, time.Second)
			err := Logs(follow, cfg, WithCompose(v), WithProject(project), WithFollow(true), WithOutput(io.Discard))
			cancel()
			if err != nil {
				t.Errorf("logs --follow ended by its context: %v", err)
			}

			if err := Down(ctx, cfg, WithCompose(v), WithProject(project), WithOutput(log)); err != nil {
				t.Fatalf("down: %v", err)
			}
			assertNothingLeft(t, project)
		})
	}
}

// Up's preflight failures on the real machine, each forced, each with a message that says what
// to do.
func TestUpPreflightFailures(t *testing.T) {
	testenv.RequireDocker(t)
	ctx := context.Background()

	t.Run("no bootstrap built yet says to run build", func(t *testing.T) {
		cfg := Config{Dir: t.TempDir(), FunctionURL: "http://127.0.0.1:" + freePort(t)}
		err := Up(ctx, cfg, WithProject(testProject(t, cfg, ComposeAuto)))
		if !errors.Is(err, ErrNoBootstrap) || !strings.Contains(err.Error(), "go tool mage build") {
			t.Fatalf("Up = %v, want ErrNoBootstrap naming `go tool mage build`", err)
		}
		// The first up in a repository without localdev/ has written it.
		for _, a := range scaffoldAssets() {
			if _, err := os.Stat(filepath.Join(cfg.Dir, "localdev", a.name)); err != nil {
				t.Errorf("first up did not scaffold %s: %v", a.name, err)
			}
		}
	})

	t.Run("a taken host port is named with the variable that changes it", func(t *testing.T) {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		_, port, _ := net.SplitHostPort(l.Addr().String())
		cfg := Config{Dir: t.TempDir(), FunctionURL: "http://127.0.0.1:" + port}
		writeTestFile(t, BootstrapPath(cfg.Dir), "x")
		writeTestFile(t, RIEPath(cfg.Dir, cfg.WithDefaults().Arch), "x")
		err = Up(ctx, cfg, WithProject(testProject(t, cfg, ComposeAuto)))
		if !errors.Is(err, ErrPortInUse) || !strings.Contains(err.Error(), "port "+port) || !strings.Contains(err.Error(), "LAMBDALOCAL_FUNCTION_URL") {
			t.Fatalf("Up = %v, want ErrPortInUse naming port %s and LAMBDALOCAL_FUNCTION_URL", err, port)
		}
	})

	t.Run("a daemon that does not answer says how to start it", func(t *testing.T) {
		// A forced fault: DOCKER_HOST points at a socket nobody listens on.
		sock := "unix://" + filepath.Join(t.TempDir(), "docker.sock")
		cfg := Config{Dir: t.TempDir()}
		err := Up(ctx, cfg, WithCommandEnv("DOCKER_HOST="+sock))
		if !errors.Is(err, ErrDaemonDown) || !strings.Contains(err.Error(), "start it") {
			t.Fatalf("Up = %v, want ErrDaemonDown saying how to start it", err)
		}
	})

	t.Run("no docker binary says to install Docker", func(t *testing.T) {
		cfg := Config{Dir: t.TempDir()}
		err := Up(ctx, cfg, WithCommandEnv("PATH="+t.TempDir()))
		if !errors.Is(err, ErrNoDocker) || !strings.Contains(err.Error(), "install Docker") {
			t.Fatalf("Up = %v, want ErrNoDocker saying to install Docker", err)
		}
	})
}

// A function whose container stops at once: Up fails soon, well before its wait bound, with
// ErrNotReady and the container's last log lines.
func TestUpFailureShowsContainerLogs(t *testing.T) {
	testenv.RequireDocker(t)
	base := pushTestBase(t)
	ctx := context.Background()
	cfg := Config{Dir: t.TempDir(), BaseImage: base.Ref, FunctionURL: "http://127.0.0.1:" + freePort(t)}
	if err := Scaffold(cfg); err != nil {
		t.Fatal(err)
	}
	if _, err := Pin(ctx, cfg, WithPinOutput(io.Discard)); err != nil {
		t.Fatal(err)
	}
	// An "emulator" that fails the way a broken one would, and an unused bootstrap.
	writeExecutable(t, RIEPath(cfg.Dir, cfg.WithDefaults().Arch), "#!/bin/sh\necho 'lambdalocal-e2e: the emulator cannot start' >&2\nexit 3\n")
	writeExecutable(t, BootstrapPath(cfg.Dir), "#!/bin/sh\nexit 0\n")
	project := testProject(t, cfg, ComposeAuto)
	start := time.Now()
	err := Up(ctx, cfg, WithProject(project), WithWait(45*time.Second), WithOutput(&testWriter{t: t}))
	if !errors.Is(err, ErrNotReady) {
		t.Fatalf("Up = %v, want ErrNotReady", err)
	}
	t.Logf("Up failed as it should:\n%v", err)
	if !strings.Contains(err.Error(), "lambdalocal-e2e: the emulator cannot start") {
		t.Errorf("error does not carry the container's log lines:\n%v", err)
	}
	if d := time.Since(start); d > 40*time.Second {
		t.Errorf("Up took %s: a stopped container should end the wait early", d)
	}
}

// requireCompose skips when Compose v is missing, unless CI is set: then it fails.
func requireCompose(t testing.TB, v ComposeVersion) {
	t.Helper()
	prog, args := "docker", []string{"compose", "version"}
	if v == ComposeV1 {
		prog, args = "docker-compose", []string{"version"}
	}
	if out, err := exec.Command(prog, args...).CombinedOutput(); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("CI is set but %s is missing (run .ci/ensure-docker): %v\n%s", v, err, out)
		}
		t.Skipf("%s missing: %v", v, err)
	}
}

// pushTestBase serves the runnable test base in a registry on 127.0.0.1 for the test's life.
func pushTestBase(t testing.TB) registrytest.Pushed {
	t.Helper()
	reg := registrytest.New(t)
	base, err := reg.PushLambdaBase("lambda/provided:al2023")
	if err != nil {
		t.Fatal(err)
	}
	// The engine keeps what it pulled under this registry's port; runs after the projects' own
	// cleanups, which remove the images built on it.
	t.Cleanup(func() { _ = exec.Command("docker", "image", "rm", base.Pinned()).Run() })
	return base
}

// exampleProject makes a repository in a temporary folder that holds this module's go.mod and
// go.sum and a copy of the example function in ./lambda, with nothing in localdev/ yet; its
// base image is base and its invoke API gets a free port.
func exampleProject(t testing.TB, base registrytest.Pushed) Config {
	t.Helper()
	dir := exampleModule(t)
	if err := Scaffold(Config{Dir: dir}); err != nil {
		t.Fatal(err)
	}
	return Config{Dir: dir, Handler: "./lambda", BaseImage: base.Ref, FunctionURL: "http://127.0.0.1:" + freePort(t)}.WithDefaults()
}

// exampleModule copies this module's go.mod and go.sum and the example function's sources
// (./lambda) into a temporary folder and returns it.
func exampleModule(t testing.TB) string {
	t.Helper()
	dir := t.TempDir()
	for _, f := range []string{"go.mod", "go.sum"} {
		copyTestFile(t, filepath.Join("..", f), filepath.Join(dir, f))
	}
	srcs, err := filepath.Glob(filepath.Join("..", "lambda", "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	for _, src := range srcs {
		if !strings.HasSuffix(src, "_test.go") {
			copyTestFile(t, src, filepath.Join(dir, "lambda", filepath.Base(src)))
		}
	}
	return dir
}

// testProject returns a Compose project name unique to the test, and takes the project down and
// removes its images when the test ends, whatever happened.
func testProject(t testing.TB, cfg Config, v ComposeVersion) string {
	t.Helper()
	project := fmt.Sprintf("lltest%d", time.Now().UnixNano())
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if _, err := os.Stat(composeFile(cfg.Dir)); err == nil {
			_ = Down(ctx, cfg, WithCompose(v), WithProject(project))
		}
		// Compose v2 names a service's image <project>-<service>, v1 <project>_<service>.
		services := []string{service}
		if ins, err := Instances(cfg); err == nil {
			services = servicesOf(ins)
		}
		for _, s := range services {
			_ = exec.CommandContext(ctx, "docker", "image", "rm", "--force", project+"-"+s, project+"_"+s).Run()
		}
	})
	return project
}

// assertNothingLeft fails when any container or network of project remains.
func assertNothingLeft(t testing.TB, project string) {
	t.Helper()
	label := "label=com.docker.compose.project=" + project
	for _, args := range [][]string{
		{"ps", "--all", "--quiet", "--filter", label},
		{"network", "ls", "--quiet", "--filter", label},
		{"network", "ls", "--quiet", "--filter", "name=^" + project + "_default$"},
	} {
		out, err := exec.Command("docker", args...).Output()
		if err != nil {
			t.Fatalf("docker %s: %v", strings.Join(args, " "), err)
		}
		if left := strings.Fields(string(out)); len(left) > 0 {
			t.Errorf("after down, docker %s still lists %v", strings.Join(args, " "), left)
		}
	}
}

// apigwEvent returns aws-lambda-go's REST API (payload 1.0) test event with its path set.
func apigwEvent(t testing.TB, path string) []byte {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "lambda", "testdata", "apigw-request.json"))
	if err != nil {
		t.Fatal(err)
	}
	var e map[string]any
	if err := json.Unmarshal(raw, &e); err != nil {
		t.Fatal(err)
	}
	e["path"] = path
	out, err := json.Marshal(e)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// invoke sends event to the function's invoke API and decodes the API Gateway response.
func invoke(t testing.TB, cfg Config, event []byte) events.APIGatewayProxyResponse {
	t.Helper()
	resp, err := http.Post(cfg.FunctionURL+InvokePath, "application/json", bytes.NewReader(event))
	if err != nil {
		t.Fatalf("invoking: %v", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("invoke API answered %s: %s", resp.Status, body)
	}
	var out events.APIGatewayProxyResponse
	if err := json.Unmarshal(body, &out); err != nil {
		t.Fatalf("decoding the function's answer %q: %v", body, err)
	}
	return out
}

func assertJSONEqual(t testing.TB, got, want []byte) {
	t.Helper()
	var g, w any
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("decoding %q: %v", got, err)
	}
	if err := json.Unmarshal(want, &w); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(g, w) {
		t.Errorf("JSON differs:\n got  %s\n want %s", got, want)
	}
}

// freePort returns a TCP port on 127.0.0.1 that was free a moment ago.
func freePort(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	_, port, _ := net.SplitHostPort(l.Addr().String())
	return port
}

func copyTestFile(t testing.TB, src, dst string) {
	t.Helper()
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func writeExecutable(t testing.TB, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o755); err != nil {
		t.Fatal(err)
	}
}

// testWriter sends output lines to the test log.
type testWriter struct {
	t   testing.TB
	mu  sync.Mutex
	buf []byte
}

func (w *testWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf = append(w.buf, p...)
	for {
		i := bytes.IndexByte(w.buf, '\n')
		if i < 0 {
			break
		}
		w.t.Log(string(w.buf[:i]))
		w.buf = w.buf[i+1:]
	}
	return len(p), nil
}

// Targets run with Config.Dir "." (the repository root); Compose runs in localdev/, so the
// compose file's path must be resolved first. Down of a project that is not up is a no-op.
func TestDownWithRelativeDir(t *testing.T) {
	testenv.RequireDocker(t)
	dir := t.TempDir()
	t.Chdir(dir)
	cfg := Config{Dir: "."}
	if err := Scaffold(cfg); err != nil {
		t.Fatal(err)
	}
	if err := Down(context.Background(), cfg, WithProject(testProject(t, cfg, ComposeAuto))); err != nil {
		t.Fatalf("Down from the repository root: %v", err)
	}
}

// When Compose itself fails (here the base image's registry is down), Up's error names the
// Compose used and carries the end of its output.
func TestUpComposeFailureCarriesItsOutput(t *testing.T) {
	testenv.RequireDocker(t)
	cfg := Config{Dir: t.TempDir(), FunctionURL: "http://127.0.0.1:" + freePort(t)}
	if err := Scaffold(cfg); err != nil {
		t.Fatal(err)
	}
	closed := "127.0.0.1:" + freePort(t)
	dockerfile := filepath.Join(cfg.Dir, "localdev", "Dockerfile")
	df, err := os.ReadFile(dockerfile)
	if err != nil {
		t.Fatal(err)
	}
	df = []byte(strings.Replace(string(df), "FROM "+DefaultBaseImage, "FROM "+closed+"/lambda/base:gone@sha256:"+strings.Repeat("0", 64), 1))
	writeTestFile(t, dockerfile, string(df))
	writeExecutable(t, RIEPath(cfg.Dir, cfg.WithDefaults().Arch), "#!/bin/sh\n")
	writeExecutable(t, BootstrapPath(cfg.Dir), "#!/bin/sh\n")
	err = Up(context.Background(), cfg, WithProject(testProject(t, cfg, ComposeAuto)))
	if err == nil || !strings.Contains(err.Error(), "starting the function with Compose") || !strings.Contains(err.Error(), closed) {
		t.Fatalf("Up = %v, want a Compose failure that mentions the unreachable %s", err, closed)
	}
	t.Logf("Up failed as it should:\n%v", err)
}

// Compose itself reads the embedded compose file: both implementations accept it, and v2's
// rendering shows the safety rules hold with the values up passes.
func TestComposeFileAsComposeReadsIt(t *testing.T) {
	testenv.RequireDocker(t)
	dir := t.TempDir()
	cfg := Config{Dir: dir, Arch: "arm64", FunctionURL: "http://127.0.0.1:9123", Timeout: 90 * time.Second}.WithDefaults()
	if err := Scaffold(cfg); err != nil {
		t.Fatal(err)
	}
	env, err := composeEnv(cfg)
	if err != nil {
		t.Fatal(err)
	}
	project := renderCompose(t, "lltestconfig", composeFiles(dir, false), env)
	fn, ok := project.Services[service]
	if !ok {
		t.Fatalf("no %q service in the rendered file", service)
	}
	if len(fn.Ports) != 1 || fn.Ports[0].HostIP != "127.0.0.1" || fn.Ports[0].Published != "9123" || fn.Ports[0].Target != 8080 {
		t.Errorf("ports = %+v, want only 127.0.0.1:9123 -> 8080", fn.Ports)
	}
	if fn.Platform != "linux/arm64" {
		t.Errorf("platform = %q, want linux/arm64", fn.Platform)
	}
	if fn.Privileged || fn.Pid != "" {
		t.Errorf("privileged = %v, pid = %q; want neither", fn.Privileged, fn.Pid)
	}
	if got := fn.Environment["AWS_LAMBDA_FUNCTION_TIMEOUT"]; got != "90" {
		t.Errorf("AWS_LAMBDA_FUNCTION_TIMEOUT = %q, want 90", got)
	}
	if _, set := fn.Environment["_LAMBDA_SERVER_PORT"]; set {
		t.Error("_LAMBDA_SERVER_PORT is set")
	}
	if len(fn.Volumes) != 1 || fn.Volumes[0].Target != "/var/runtime" || !fn.Volumes[0].ReadOnly {
		t.Errorf("volumes = %+v, want var-runtime read-only at /var/runtime", fn.Volumes)
	}
}

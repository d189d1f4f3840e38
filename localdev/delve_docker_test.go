package localdev

import (
	"bytes"
	"context"
	"errors"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lambdalocal/lambdalocal/proxy"

	"github.com/lambdalocal/lambdalocal/internal/testenv"
)

// Up with Debug on the real engine, with each Compose: the debug override merges over the
// compose file, the RIE starts the debug build under Delve on the first invoke, and a debugger
// stops the example function at a breakpoint in handle while a request through the gateway waits
// past the configured 1 s timeout, then gets its answer.
func TestUpDebugStopsAtABreakpointOnDocker(t *testing.T) {
	testenv.RequireDocker(t)
	base := pushTestBase(t)
	for _, v := range []ComposeVersion{ComposeV2, ComposeV1} {
		t.Run(v.String(), func(t *testing.T) {
			requireCompose(t, v)
			ctx := context.Background()
			cfg := exampleProject(t, base)
			port, _ := strconv.Atoi(freePort(t))
			cfg.Debug, cfg.DebugPort, cfg.Timeout = true, port, time.Second
			cfg = cfg.WithDefaults()
			project := testProject(t, cfg, v)
			log := &testWriter{t: t}

			if _, err := Pin(ctx, cfg, WithPinOutput(log)); err != nil {
				t.Fatalf("image:pin: %v", err)
			}
			if err := Build(ctx, cfg, WithOutput(log)); err != nil {
				t.Fatalf("build: %v", err)
			}
			var out bytes.Buffer
			if err := Up(ctx, cfg, WithCompose(v), WithProject(project), WithOutput(&out)); err != nil {
				t.Fatalf("up: %v\n%s", err, out.String())
			}
			t.Logf("up output:\n%s", out.String())
			for _, want := range []string{"debug: Delve " + DelveVersion + " (headless, API v2) will listen on " + DebugAddr(cfg), "timeouts are 15m0s"} {
				if !strings.Contains(out.String(), want) {
					t.Errorf("up output lacks %q", want)
				}
			}

			gw := httptest.NewServer(&proxy.Server{FunctionURL: cfg.FunctionURL, Timeout: cfg.Timeout, AccessLog: log})
			defer gw.Close()
			// The RIE starts the function, and with it Delve, on the first invoke.
			if status, body, err := devGet(gw.URL + "/hello"); err != nil || status != 200 {
				t.Fatalf("first request: %d %q %v", status, body, err)
			}
			if pid := debugSession(t, DebugAddr(cfg), gw.URL, cfg.Dir); pid == 0 {
				t.Error("Delve reported no pid")
			}
			if err := Down(ctx, cfg, WithCompose(v), WithProject(project), WithOutput(log)); err != nil {
				t.Fatalf("down: %v", err)
			}
			assertNothingLeft(t, project)
		})
	}
}

// Compose v2 renders the compose file with the debug override merged as up runs it: Delve's port
// is added on 127.0.0.1 only, Delve is mounted read-only, the timeout is AWS's maximum, and the
// container gets SYS_PTRACE and nothing more. Compose v1 accepts the pair too.
func TestDebugComposeOverrideAsComposeReadsIt(t *testing.T) {
	testenv.RequireDocker(t)
	dir := t.TempDir()
	cfg := Config{Dir: dir, Arch: "arm64", FunctionURL: "http://127.0.0.1:9123", Debug: true, DebugPort: 40002}.WithDefaults()
	if err := Scaffold(cfg); err != nil {
		t.Fatal(err)
	}
	env, err := composeEnv(cfg)
	if err != nil {
		t.Fatal(err)
	}
	project := renderCompose(t, "lltestdebug", composeFiles(dir, true), env)
	fn := project.Services[service]
	ports := map[string]int{}
	for _, p := range fn.Ports {
		if p.HostIP != "127.0.0.1" {
			t.Errorf("port %s -> %d is published on %q, want 127.0.0.1 only", p.Published, p.Target, p.HostIP)
		}
		ports[p.Published] = p.Target
	}
	if len(ports) != 2 || ports["9123"] != 8080 || ports["40002"] != 2345 {
		t.Errorf("ports = %+v, want 9123 -> 8080 and Delve's 40002 -> 2345", fn.Ports)
	}
	if fn.Privileged || fn.Pid != "" || len(fn.SecurityOpt) != 0 {
		t.Errorf("privileged = %v, pid = %q, security_opt = %q; want none", fn.Privileged, fn.Pid, fn.SecurityOpt)
	}
	if len(fn.CapAdd) != 1 || fn.CapAdd[0] != "SYS_PTRACE" {
		t.Errorf("cap_add = %q, want only SYS_PTRACE", fn.CapAdd)
	}
	if fn.Environment["LAMBDALOCAL_DEBUG"] != "1" || fn.Environment["AWS_LAMBDA_FUNCTION_TIMEOUT"] != "900" {
		t.Errorf("LAMBDALOCAL_DEBUG = %q, AWS_LAMBDA_FUNCTION_TIMEOUT = %q; want 1 and 900",
			fn.Environment["LAMBDALOCAL_DEBUG"], fn.Environment["AWS_LAMBDA_FUNCTION_TIMEOUT"])
	}
	mounted := false
	for _, v := range fn.Volumes {
		if v.Target == "/usr/local/bin/dlv" {
			mounted = v.ReadOnly && strings.HasSuffix(v.Source, filepath.Join("localdev", ".rie", "arm64", "dlv"))
		}
	}
	if !mounted {
		t.Errorf("volumes = %+v, want .rie/arm64/dlv read-only at /usr/local/bin/dlv", fn.Volumes)
	}
}

// down with LAMBDALOCAL_DEBUG set works in a repository scaffolded before the debug override
// existed: it needs nothing from it.
func TestDownWithDebugWithoutTheOverride(t *testing.T) {
	testenv.RequireDocker(t)
	cfg := Config{Dir: t.TempDir(), Debug: true}
	if err := Scaffold(cfg); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(debugComposeFile(cfg.Dir)); err != nil {
		t.Fatal(err)
	}
	if err := Down(context.Background(), cfg, WithProject(testProject(t, cfg, ComposeAuto))); err != nil {
		t.Fatalf("Down with Debug and no override: %v", err)
	}
}

// up with LAMBDALOCAL_DEBUG after a build without it says to build for debugging.
func TestUpDebugWithoutADebugBuildSaysHowToMakeOne(t *testing.T) {
	testenv.RequireDocker(t)
	cfg := Config{Dir: t.TempDir(), Debug: true, FunctionURL: "http://127.0.0.1:" + freePort(t)}
	writeExecutable(t, BootstrapPath(cfg.Dir), "#!/bin/sh\n")
	writeExecutable(t, RIEPath(cfg.Dir, cfg.WithDefaults().Arch), "#!/bin/sh\n")
	err := Up(context.Background(), cfg, WithProject(testProject(t, cfg, ComposeAuto)))
	if !errors.Is(err, ErrNoDebugBuild) || !strings.Contains(err.Error(), "LAMBDALOCAL_DEBUG=1 go tool mage build") {
		t.Fatalf("Up = %v, want ErrNoDebugBuild saying to run LAMBDALOCAL_DEBUG=1 go tool mage build", err)
	}
}

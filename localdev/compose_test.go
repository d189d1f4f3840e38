package localdev

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestComposeArgs(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		version  ComposeVersion
		debug    bool
		action   []string
		wantProg string
		wantArgs []string
	}{
		{"v2 is the docker CLI plugin", ComposeV2, false, upAction(), "docker",
			[]string{"compose", "--project-name", "p", "--file", "/r/localdev/docker-compose.yml", "up", "--detach", "--build", "--remove-orphans"}},
		{"v1 is the standalone docker-compose", ComposeV1, false, upAction(), "docker-compose",
			[]string{"--project-name", "p", "--file", "/r/localdev/docker-compose.yml", "up", "--detach", "--build", "--remove-orphans"}},
		{"down removes orphans, network and anonymous volumes", ComposeV2, false, downAction(), "docker",
			[]string{"compose", "--project-name", "p", "--file", "/r/localdev/docker-compose.yml", "down", "--remove-orphans", "--volumes", "--timeout", "5"}},
		{"logs of the function service, tail and follow", ComposeV1, false, logsAction(40, true, "function"), "docker-compose",
			[]string{"--project-name", "p", "--file", "/r/localdev/docker-compose.yml", "logs", "--no-color", "--tail", "40", "--follow", "function"}},
		{"logs without a tail show everything", ComposeV2, false, logsAction(0, false, "function"), "docker",
			[]string{"compose", "--project-name", "p", "--file", "/r/localdev/docker-compose.yml", "logs", "--no-color", "function"}},
		{"logs of several functions name each service", ComposeV2, false, logsAction(0, false, "items", "users"), "docker",
			[]string{"compose", "--project-name", "p", "--file", "/r/localdev/docker-compose.yml", "logs", "--no-color", "items", "users"}},
		{"debug merges the debug override over the main file (v2)", ComposeV2, true, upAction(), "docker",
			[]string{"compose", "--project-name", "p", "--file", "/r/localdev/docker-compose.yml", "--file", "/r/localdev/docker-compose.debug.yml", "up", "--detach", "--build", "--remove-orphans"}},
		{"debug merges the debug override over the main file (v1)", ComposeV1, true, downAction(), "docker-compose",
			[]string{"--project-name", "p", "--file", "/r/localdev/docker-compose.yml", "--file", "/r/localdev/docker-compose.debug.yml", "down", "--remove-orphans", "--volumes", "--timeout", "5"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			prog, args := composeArgs(tt.version, "p", composeFiles("/r", tt.debug), tt.action...)
			if prog != tt.wantProg || !reflect.DeepEqual(args, tt.wantArgs) {
				t.Errorf("composeArgs = %q %q, want %q %q", prog, args, tt.wantProg, tt.wantArgs)
			}
		})
	}
}

func TestComposeEnvFromConfig(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		cfg  Config
		want []string
	}{
		{"defaults publish 9000 with a 30 s timeout", Config{Arch: "amd64"}.WithDefaults(),
			[]string{"LAMBDALOCAL_ARCH=amd64", "LAMBDALOCAL_PORT=9000", "LAMBDALOCAL_TIMEOUT_SECONDS=30"}},
		{"the port follows the function URL", Config{Arch: "arm64", FunctionURL: "http://127.0.0.1:9123"}.WithDefaults(),
			[]string{"LAMBDALOCAL_ARCH=arm64", "LAMBDALOCAL_PORT=9123", "LAMBDALOCAL_TIMEOUT_SECONDS=30"}},
		{"a fractional timeout rounds up to whole seconds", Config{Arch: "amd64", Timeout: 1500 * time.Millisecond}.WithDefaults(),
			[]string{"LAMBDALOCAL_ARCH=amd64", "LAMBDALOCAL_PORT=9000", "LAMBDALOCAL_TIMEOUT_SECONDS=2"}},
		{"a sub-second timeout is one second, Lambda's least", Config{Arch: "amd64", Timeout: time.Millisecond}.WithDefaults(),
			[]string{"LAMBDALOCAL_ARCH=amd64", "LAMBDALOCAL_PORT=9000", "LAMBDALOCAL_TIMEOUT_SECONDS=1"}},
		{"debug raises the timeout to AWS's 15 minutes and passes Delve's port", Config{Arch: "amd64", Debug: true}.WithDefaults(),
			[]string{"LAMBDALOCAL_ARCH=amd64", "LAMBDALOCAL_PORT=9000", "LAMBDALOCAL_TIMEOUT_SECONDS=900", "LAMBDALOCAL_DEBUG_PORT=2345"}},
		{"debug keeps Delve's chosen port", Config{Arch: "amd64", Debug: true, DebugPort: 40000}.WithDefaults(),
			[]string{"LAMBDALOCAL_ARCH=amd64", "LAMBDALOCAL_PORT=9000", "LAMBDALOCAL_TIMEOUT_SECONDS=900", "LAMBDALOCAL_DEBUG_PORT=40000"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := composeEnv(tt.cfg)
			if err != nil || !reflect.DeepEqual(got, tt.want) {
				t.Errorf("composeEnv = %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

func TestProjectNameIsPerRepositoryAndValid(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, dir, want string }{
		{"the folder name, lower-cased", "/src/MyService", "myservice-lambdalocal"},
		{"characters Compose refuses become dashes", "/src/my.service v2", "my-service-v2-lambdalocal"},
		{"a leading dash or underscore is dropped", "/src/_x", "x-lambdalocal"},
		{"a name of nothing usable falls back", "/src/...", "function-lambdalocal"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := ProjectName(tt.dir); got != tt.want {
				t.Errorf("ProjectName(%q) = %q, want %q", tt.dir, got, tt.want)
			}
		})
	}
}

// The compose file's safety rules, read from the embedded copy.
func TestComposeFileIsSafeByDefault(t *testing.T) {
	t.Parallel()
	data, err := assets.ReadFile("docker-compose.yml")
	if err != nil {
		t.Fatal(err)
	}
	file := string(data)
	tests := []struct {
		name, text string
		present    bool
	}{
		{"the port is published on 127.0.0.1 only", `"127.0.0.1:${LAMBDALOCAL_PORT:-9000}:8080"`, true},
		{"the handler is mounted read-only at /var/runtime", "./var-runtime:/var/runtime:ro", true},
		{"the platform follows the arch", "platform: linux/${LAMBDALOCAL_ARCH:-amd64}", true},
		{"the function's own variables come from an env file", "- function.env", true},
		{"the RIE gets the function timeout", "AWS_LAMBDA_FUNCTION_TIMEOUT:", true},
		{"the RIE gets the memory size", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE:", true},
		{"the RIE gets the function name", "AWS_LAMBDA_FUNCTION_NAME:", true},
		{"the RIE gets the region", "AWS_REGION:", true},
		{"the RIE gets a log level", "LOG_LEVEL:", true},
		{"no host PID namespace", "pid:", false},
		{"not privileged", "privileged:", false},
		{"never the legacy RPC switch", "_LAMBDA_SERVER_PORT", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := strings.Contains(file, tt.text); got != tt.present {
				t.Errorf("compose file contains %q = %v, want %v", tt.text, got, tt.present)
			}
		})
	}
}

func TestEntrypointRunsRIEOnlyOutsideLambda(t *testing.T) {
	t.Parallel()
	data, err := assets.ReadFile("entrypoint.sh")
	if err != nil {
		t.Fatal(err)
	}
	script := string(data)
	for _, want := range []string{
		"#!/bin/sh\n",
		`if [ -z "${AWS_LAMBDA_RUNTIME_API:-}" ]; then`,
		`exec /usr/local/bin/aws-lambda-rie /var/runtime/bootstrap "$@"`,
		`exec /var/runtime/bootstrap "$@"`,
	} {
		if !strings.Contains(script, want) {
			t.Errorf("entrypoint.sh lacks %q", want)
		}
	}
}

// The entrypoint under busybox sh, as in the test base image, with the RIE and the bootstrap
// replaced by scripts that print what they were given.
func TestEntrypointUnderBusyboxSh(t *testing.T) {
	t.Parallel()
	busybox, err := exec.LookPath("busybox")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("CI is set but busybox is missing (run .ci/ensure-docker): %v", err)
		}
		t.Skipf("busybox not installed: %v", err)
	}
	data, err := assets.ReadFile("entrypoint.sh")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	rie, bootstrap := filepath.Join(dir, "rie"), filepath.Join(dir, "bootstrap")
	for path, name := range map[string]string{rie: "rie", bootstrap: "bootstrap"} {
		writeTestFile(t, path, "#!"+busybox+" sh\necho "+name+" \"$@\"\n")
		if err := os.Chmod(path, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	script := strings.NewReplacer("/usr/local/bin/aws-lambda-rie", rie, "/var/runtime/bootstrap", bootstrap).Replace(string(data))
	entry := filepath.Join(dir, "entrypoint.sh")
	writeTestFile(t, entry, script)

	tests := []struct {
		name string
		env  []string
		want string
	}{
		{"outside Lambda the RIE runs in front of the bootstrap", nil, "rie " + bootstrap + " arg\n"},
		{"an empty AWS_LAMBDA_RUNTIME_API counts as unset", []string{"AWS_LAMBDA_RUNTIME_API="}, "rie " + bootstrap + " arg\n"},
		{"under a runtime API the bootstrap runs alone", []string{"AWS_LAMBDA_RUNTIME_API=127.0.0.1:9001"}, "bootstrap arg\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cmd := exec.Command(busybox, "sh", entry, "arg")
			cmd.Env = append([]string{"PATH=/nonexistent"}, tt.env...)
			out, err := cmd.CombinedOutput()
			if err != nil || string(out) != tt.want {
				t.Errorf("entrypoint = %q, %v; want %q", out, err, tt.want)
			}
		})
	}
}

func TestArchHintOnlyForForeignArch(t *testing.T) {
	t.Parallel()
	if got := archHint("amd64", "amd64"); got != "" {
		t.Errorf("archHint for the host's arch = %q, want none", got)
	}
	if got := archHint("arm64", "amd64"); !strings.Contains(got, "QEMU") || !strings.Contains(got, "LAMBDALOCAL_ARCH=amd64") {
		t.Errorf("archHint for a foreign arch = %q, want QEMU and LAMBDALOCAL_ARCH named", got)
	}
}

func TestUnpinnedWarning(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, dockerfile string
		warn             bool
	}{
		{"a tag alone is not pinned", "FROM base:latest\n", true},
		{"a digest is pinned", "FROM base:latest@sha256:abc\n", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			writeTestFile(t, filepath.Join(dir, "localdev", "Dockerfile"), tt.dockerfile)
			got := unpinnedWarning(Config{Dir: dir})
			if (got != "") != tt.warn || (tt.warn && !strings.Contains(got, "go tool mage image:pin")) {
				t.Errorf("unpinnedWarning = %q, want a warning: %v", got, tt.warn)
			}
		})
	}
}

// The image build needs no network and no secrets: no RUN (nothing executes while building),
// no ADD (it can fetch URLs), no secret mounts. Only the base is pulled.
func TestDockerfileNeedsNoNetworkOrSecrets(t *testing.T) {
	t.Parallel()
	data, err := assets.ReadFile("Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	for i, line := range strings.Split(string(data), "\n") {
		f := strings.Fields(line)
		if len(f) == 0 || strings.HasPrefix(f[0], "#") {
			continue
		}
		switch strings.ToUpper(f[0]) {
		case "RUN", "ADD":
			t.Errorf("line %d: %s needs the build to run or fetch: %s", i+1, f[0], line)
		}
		if strings.Contains(line, "type=secret") || strings.Contains(line, "type=ssh") {
			t.Errorf("line %d mounts a secret: %s", i+1, line)
		}
	}
}

func TestLastLines(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in string
		n        int
		want     string
	}{
		{"fewer lines than asked are all kept", "a\nb", 10, "a\nb"},
		{"only the last n lines are kept", "a\nb\nc\nd", 2, "c\nd"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := lastLines(tt.in, tt.n); got != tt.want {
				t.Errorf("lastLines = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestDownAndLogsWithoutComposeFileSayToInit(t *testing.T) {
	t.Parallel()
	for name, verb := range map[string]func(context.Context, Config, ...Option) error{"Down": Down, "Logs": Logs} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			err := verb(context.Background(), Config{Dir: t.TempDir()})
			if err == nil || !strings.Contains(err.Error(), "no localdev/docker-compose.yml: run `go tool mage init`") {
				t.Errorf("%s without a compose file = %v, want a message naming init", name, err)
			}
		})
	}
}

package localdev

import (
	"context"
	"errors"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestLookPathSearchesTheGivenPath(t *testing.T) {
	t.Parallel()
	bin := t.TempDir()
	writeTestFile(t, filepath.Join(bin, "tool"), "#!/bin/sh\n")
	if err := os.Chmod(filepath.Join(bin, "tool"), 0o755); err != nil {
		t.Fatal(err)
	}
	writeTestFile(t, filepath.Join(bin, "plain"), "not executable")
	tests := []struct {
		name, prog string
		env        []string
		want       string
	}{
		{"an executable in PATH is found", "tool", []string{"PATH=/nonexistent:" + bin}, filepath.Join(bin, "tool")},
		{"the last PATH entry wins", "tool", []string{"PATH=" + bin, "PATH=/nonexistent"}, ""},
		{"a file without the executable bit is not a command", "plain", []string{"PATH=" + bin}, ""},
		{"a relative PATH folder is never searched", "tool", []string{"PATH=."}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := lookPath(tt.prog, tt.env)
			if got != tt.want || (tt.want == "") != errors.Is(err, exec.ErrNotFound) {
				t.Errorf("lookPath = %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

func TestHostPortComesFromFunctionURL(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, url, want string
		wantErr         bool
	}{
		{"the explicit port", "http://127.0.0.1:9000", "9000", false},
		{"http's default port", "http://localhost", "80", false},
		{"https's default port", "https://localhost/", "443", false},
		{"a URL without a host is refused", "127.0.0.1:9000", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := hostPort(tt.url)
			if got != tt.want || (err != nil) != tt.wantErr {
				t.Errorf("hostPort(%q) = %q, %v; want %q (error %v)", tt.url, got, err, tt.want, tt.wantErr)
			}
		})
	}
}

func TestCheckPortNamesPortAndVariable(t *testing.T) {
	t.Parallel()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	_, port, _ := net.SplitHostPort(l.Addr().String())
	err = checkPort(port)
	if !errors.Is(err, ErrPortInUse) {
		t.Fatalf("checkPort on a taken port = %v, want ErrPortInUse", err)
	}
	for _, want := range []string{"port " + port + " on 127.0.0.1", "LAMBDALOCAL_FUNCTION_URL"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
	l.Close()
	if err := checkPort(port); err != nil {
		t.Errorf("checkPort on a free port = %v", err)
	}
}

func TestCheckBuiltSaysWhichTargetToRun(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cfg := Config{Dir: dir, Arch: "amd64"}
	err := checkBuilt(cfg)
	if !errors.Is(err, ErrNoBootstrap) || !strings.Contains(err.Error(), "localdev/var-runtime/bootstrap is missing: run `go tool mage build`") {
		t.Fatalf("checkBuilt with nothing built = %v", err)
	}
	writeTestFile(t, BootstrapPath(dir), "x")
	if err := checkBuilt(cfg); !errors.Is(err, ErrNoBootstrap) || !strings.Contains(err.Error(), "localdev/.rie/amd64/aws-lambda-rie is missing") {
		t.Fatalf("checkBuilt without the RIE = %v", err)
	}
	writeTestFile(t, RIEPath(dir, "amd64"), "x")
	if err := checkBuilt(cfg); err != nil {
		t.Fatalf("checkBuilt with both built = %v", err)
	}
}

func TestUpWithoutDockerSaysHowToInstallIt(t *testing.T) {
	t.Parallel()
	err := Up(context.Background(), Config{Dir: t.TempDir()}, WithCommandEnv("PATH="+t.TempDir()))
	if !errors.Is(err, ErrNoDocker) || !strings.Contains(err.Error(), "install Docker") {
		t.Fatalf("Up with no docker on PATH = %v, want ErrNoDocker saying to install Docker", err)
	}
}

func TestDockerCLICheckDaemonDownSaysHowToStartIt(t *testing.T) {
	t.Parallel()
	requireDockerBinary(t)
	// A forced fault: DOCKER_HOST points at a socket nobody listens on.
	sock := "unix://" + filepath.Join(t.TempDir(), "closed.sock")
	err := dockerCLI{env: []string{"DOCKER_HOST=" + sock}}.checkDaemon(context.Background())
	if !errors.Is(err, ErrDaemonDown) {
		t.Fatalf("checkDaemon = %v, want ErrDaemonDown", err)
	}
	for _, want := range []string{"DOCKER_HOST=" + sock, "sudo systemctl start docker", "Docker Desktop"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
}

// requireDockerBinary skips when the docker CLI is missing, unless CI is set: CI has it.
func requireDockerBinary(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("docker"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("CI is set but the docker CLI is missing (run .ci/ensure-docker): %v", err)
		}
		t.Skipf("docker CLI not installed: %v", err)
	}
}

package localdev

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// Causes of Up's preflight failures. Each comes wrapped in a message that says what was wrong
// and what to do; branch on them with errors.Is.
var (
	ErrNoDocker    = errors.New("docker is not installed")
	ErrNoCompose   = errors.New("docker compose is not installed")
	ErrDaemonDown  = errors.New("the Docker daemon is not running")
	ErrPortInUse   = errors.New("host port in use")
	ErrNoBootstrap = errors.New("nothing built yet")
)

// dockerCLI runs the docker command with the options' environment.
type dockerCLI struct {
	env []string
}

// path finds the docker command, or says how to install it.
func (d dockerCLI) path() (string, error) {
	p, err := lookPath("docker", d.env)
	if err != nil {
		return "", fmt.Errorf("%w: no docker command on PATH: install Docker Engine or Docker Desktop (https://docs.docker.com/get-docker/) and try again", ErrNoDocker)
	}
	return p, nil
}

// output runs docker with args and returns its standard output; a failure carries its
// standard error.
func (d dockerCLI) output(ctx context.Context, args ...string) ([]byte, error) {
	p, err := d.path()
	if err != nil {
		return nil, err
	}
	return runOutput(ctx, d.env, p, args...)
}

// checkDaemon fails with ErrDaemonDown, saying how to start it, when no Docker daemon answers.
func (d dockerCLI) checkDaemon(ctx context.Context) error {
	if _, err := d.output(ctx, "info", "--format", "{{.ServerVersion}}"); err != nil {
		if errors.Is(err, ErrNoDocker) {
			return err
		}
		where := "the default socket"
		if host := envValue(d.env, "DOCKER_HOST"); host != "" {
			where = "DOCKER_HOST=" + host
		}
		return fmt.Errorf("%w (no answer at %s): start it — on Linux `sudo systemctl start docker` (or run `sudo dockerd`), on macOS or Windows open Docker Desktop — then try again\n%v",
			ErrDaemonDown, where, err)
	}
	return nil
}

// projectContainers returns the IDs of the containers of a Compose project, running or not.
func (d dockerCLI) projectContainers(ctx context.Context, project string, filters ...string) ([]string, error) {
	args := []string{"ps", "--all", "--quiet", "--filter", "label=com.docker.compose.project=" + project}
	for _, f := range filters {
		args = append(args, "--filter", f)
	}
	out, err := d.output(ctx, args...)
	if err != nil {
		return nil, fmt.Errorf("listing containers of project %s: %w", project, err)
	}
	return strings.Fields(string(out)), nil
}

// checkBuilt fails with ErrNoBootstrap when a function's bootstrap or the RIE the image needs
// is missing.
func checkBuilt(cfg Config) error {
	ins, err := Instances(cfg)
	if err != nil {
		return err
	}
	return checkBuiltAll(cfg, ins)
}

// checkPort fails with ErrPortInUse when nothing can listen on 127.0.0.1:port, the address the
// compose file publishes the invoke API on.
func checkPort(port string) error {
	l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", port))
	if err != nil {
		return fmt.Errorf("%w: port %s on 127.0.0.1, where the function's invoke API is published, is taken by another program: stop it, or choose another port with LAMBDALOCAL_FUNCTION_URL (e.g. LAMBDALOCAL_FUNCTION_URL=http://127.0.0.1:9001)",
			ErrPortInUse, port)
	}
	return l.Close()
}

// hostPort returns the port of the function URL, the host port the compose file publishes.
func hostPort(functionURL string) (string, error) {
	u, err := url.Parse(functionURL)
	if err != nil || u.Host == "" {
		return "", fmt.Errorf("reading LAMBDALOCAL_FUNCTION_URL %q: want a URL such as http://127.0.0.1:9000", functionURL)
	}
	if p := u.Port(); p != "" {
		return p, nil
	}
	if u.Scheme == "https" {
		return "443", nil
	}
	return "80", nil
}

// lookPath finds an executable named name in the PATH of env (the last PATH= entry), else in the
// process's PATH.
func lookPath(name string, env []string) (string, error) {
	path, ok := os.LookupEnv("PATH")
	if v, set := lookupEnv(env, "PATH"); set {
		path, ok = v, true
	}
	if !ok {
		return "", exec.ErrNotFound
	}
	for _, dir := range filepath.SplitList(path) {
		if dir == "" || !filepath.IsAbs(dir) {
			continue // never run a program from the current folder by accident
		}
		p := filepath.Join(dir, name)
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0 {
			return p, nil
		}
	}
	return "", exec.ErrNotFound
}

// lookupEnv returns the last value of key in env.
func lookupEnv(env []string, key string) (string, bool) {
	for i := len(env) - 1; i >= 0; i-- {
		if k, v, ok := strings.Cut(env[i], "="); ok && k == key {
			return v, true
		}
	}
	return "", false
}

// envValue returns key's value in env, else in the process's environment.
func envValue(env []string, key string) string {
	if v, ok := lookupEnv(env, key); ok {
		return v
	}
	return os.Getenv(key)
}

// runOutput runs the program at path and returns its standard output; a failure carries its
// standard error.
func runOutput(ctx context.Context, env []string, path string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, path, args...)
	cmd.Env = append(os.Environ(), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		msg := strings.TrimSpace(stderr.String())
		if msg == "" {
			return nil, fmt.Errorf("running %s %s: %w", filepath.Base(path), strings.Join(args, " "), err)
		}
		return nil, fmt.Errorf("running %s %s: %w: %s", filepath.Base(path), strings.Join(args, " "), err, msg)
	}
	return stdout.Bytes(), nil
}

// relPath returns p relative to dir when it can, for messages.
func relPath(dir, p string) string {
	if r, err := filepath.Rel(dir, p); err == nil && !strings.HasPrefix(r, "..") {
		return r
	}
	return p
}

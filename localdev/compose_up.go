package localdev

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"
)

// ErrNotReady is the cause of Up's failure when the function's invoke API did not answer in
// time or its container stopped; the error carries the container's last log lines.
var ErrNotReady = errors.New("the function did not start")

// InvokePath is the RIE's invoke API path, under Config.FunctionURL.
const InvokePath = "/2015-03-31/functions/function/invocations"

// Up writes the local environment's files when missing (see Scaffold), checks what it needs
// (docker, Compose, a running daemon, a built bootstrap and RIE, a free host port), then builds
// the image and starts the function with Docker Compose, and returns once the RIE answers on
// cfg.FunctionURL. It waits at most WithWait's bound; when the function does not come up it
// fails with ErrNotReady and the container's last log lines.
//
// With several cfg.Functions it runs one service per function from
// localdev/docker-compose.functions.yml, which it derives from docker-compose.yml (see
// Instances for the ports and folders), and waits until each answers.
//
// With cfg.Debug it merges docker-compose.debug.yml over the compose file: the function runs
// under a headless Delve published on 127.0.0.1:cfg.DebugPort, and Up prints how to attach. It
// needs a debug build first (ErrNoDebugBuild says so).
func Up(ctx context.Context, cfg Config, opts ...Option) error {
	cfg = cfg.WithDefaults()
	o := newOptions(opts)
	ins, err := Instances(cfg)
	if err != nil {
		return err
	}
	if err := checkDebugOne(cfg, ins); err != nil {
		return err
	}
	if err := Scaffold(cfg, WithOutput(o.out)); err != nil {
		return err
	}
	c, err := daemonCompose(ctx, cfg, o)
	if err != nil {
		return err
	}
	if err := checkBuilt(cfg); err != nil {
		return err
	}
	if cfg.Debug {
		if err := checkDebugBuilt(cfg); err != nil {
			return err
		}
	}
	running, err := c.docker.projectContainers(ctx, c.project, "status=running")
	if err != nil {
		return err
	}
	if len(running) == 0 { // a running project of ours holds the port itself
		if err := checkPorts(ins); err != nil {
			return err
		}
		if cfg.Debug {
			if err := checkDebugPort(cfg.DebugPort); err != nil {
				return err
			}
		}
	}
	if w := unpinnedWarning(cfg); w != "" {
		fmt.Fprintln(o.out, w)
	}
	if w := debugArchWarning(cfg, runtime.GOARCH); w != "" {
		fmt.Fprintln(o.out, w)
	}
	fmt.Fprintf(o.out, "up: %s, project %s\n", c.version, c.project)
	if err := c.run(ctx, o.out, "starting the function", upAction()...); err != nil {
		return err
	}
	if len(ins) > 1 {
		fmt.Fprintf(o.out, "up: waiting for %s to answer\n", strings.Join(instanceNames(ins), ", "))
	} else {
		fmt.Fprintf(o.out, "up: waiting for the function to answer at %s\n", strings.TrimRight(cfg.FunctionURL, "/"))
	}
	if err := c.waitAllReady(ctx, ins, o.wait); err != nil {
		return fmt.Errorf("%w: %v%s\nthe container's last %d log lines (`go tool mage logs` shows all, `go tool mage down` removes it):\n%s",
			ErrNotReady, err, archHint(cfg.Arch, runtime.GOARCH), o.tail, c.logs(context.WithoutCancel(ctx), o.tail))
	}
	for _, in := range ins {
		if len(ins) > 1 {
			fmt.Fprintf(o.out, "up: function %s answers at %s%s\n", in.Name, in.URL, InvokePath)
		} else {
			fmt.Fprintf(o.out, "up: the function answers at %s%s\n", in.URL, InvokePath)
		}
	}
	if cfg.Debug {
		fmt.Fprint(o.out, debugBanner(cfg, true))
	}
	return nil
}

// Down stops and removes everything Up made for the repository: its containers (and any
// orphans of the project), its network and anonymous volumes. The built image is kept as the
// layer cache for the next Up.
func Down(ctx context.Context, cfg Config, opts ...Option) error {
	cfg = cfg.WithDefaults()
	o := newOptions(opts)
	c, err := scaffoldedCompose(ctx, cfg, o)
	if err != nil {
		return err
	}
	return c.run(ctx, o.out, "taking the function down", downAction()...)
}

// Logs writes the function container's log lines to WithOutput's writer: the last
// WithLogLines of them (all when 0), following new ones until ctx ends when WithFollow is set.
func Logs(ctx context.Context, cfg Config, opts ...Option) error {
	cfg = cfg.WithDefaults()
	o := newOptions(opts)
	c, err := scaffoldedCompose(ctx, cfg, o)
	if err != nil {
		return err
	}
	err = c.run(ctx, o.out, "reading the function's logs", logsAction(o.tail, o.follow, c.services...)...)
	if o.follow && ctx.Err() != nil {
		return nil // an interrupt or a deadline ends following; that is not a failure
	}
	return err
}

// waitReady polls the RIE until it answers an HTTP request, the container stops, or wait passes.
//
// The probe is a GET of a path the RIE does not serve: any HTTP answer (its 404) proves the
// RIE is listening behind the published port. The invoke path itself would run the user's
// function, because the RIE accepts any method there, and up must not have side effects.
func (c *compose) waitReady(ctx context.Context, functionURL string, wait time.Duration) error {
	probe := strings.TrimRight(functionURL, "/") + "/lambdalocal/ready"
	client := &http.Client{Timeout: 2 * time.Second}
	deadline := time.Now().Add(wait)
	for i := 0; ; i++ {
		if answers(ctx, client, probe) {
			return nil
		}
		if i%10 == 9 { // about once a second, ask whether the container has stopped
			stopped, err := c.docker.projectContainers(ctx, c.project, "status=exited")
			if err == nil && len(stopped) > 0 {
				return fmt.Errorf("its container stopped")
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("no answer at %s within %s", functionURL, wait)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// answers reports whether an HTTP server answered a GET of url with any status.
func answers(ctx context.Context, client *http.Client, url string) bool {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return false
	}
	resp, err := client.Do(req)
	if err != nil {
		return false
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	return true
}

// ensureEnvFile creates the function's empty env file when missing: docker-compose.yml names it,
// and Compose v1 refuses a missing env_file.
func ensureEnvFile(dir string) error {
	p := filepath.Join(dir, "localdev", "function.env")
	if _, err := os.Stat(p); err == nil {
		return nil
	}
	if err := os.WriteFile(p, []byte(envFileHeader), 0o644); err != nil {
		return fmt.Errorf("writing %s: %w", p, err)
	}
	return nil
}

// envFileHeader is the content of a new function.env.
const envFileHeader = `# The function's own environment variables, KEY=value, one a line. Docker Compose passes them
# to the function container; this file is git-ignored and never goes into the image.
`

// unpinnedWarning returns a warning when the Dockerfile's FROM lines carry no digest, else "".
func unpinnedWarning(cfg Config) string {
	df, err := os.ReadFile(filepath.Join(cfg.Dir, "localdev", "Dockerfile"))
	if err != nil {
		return ""
	}
	for _, line := range strings.Split(string(df), "\n") {
		if isFrom(line) && !strings.Contains(line, "@sha256:") {
			return "up: warning: localdev/Dockerfile's base is not pinned by digest (" + strings.TrimSpace(line) + "): run `go tool mage image:pin`"
		}
	}
	return ""
}

// archHint explains the likely cause when a function built for another architecture than the
// engine's does not start: the engine cannot run foreign binaries without QEMU emulation.
func archHint(arch, host string) string {
	if arch == host {
		return ""
	}
	return fmt.Sprintf("\nthe function is built for linux/%s and this machine is %s: the engine needs QEMU emulation for it (Docker Desktop has it; on Linux install binfmt handlers, e.g. the qemu-user-static package), or set LAMBDALOCAL_ARCH=%s", arch, host, host)
}

// daemonCompose returns the repository's Compose once the Docker daemon answers.
func daemonCompose(ctx context.Context, cfg Config, o options) (*compose, error) {
	c, err := newCompose(ctx, cfg, o)
	if err != nil {
		return nil, err
	}
	if err := c.docker.checkDaemon(ctx); err != nil {
		return nil, err
	}
	return c, nil
}

// scaffoldedCompose is daemonCompose for targets that act on a stack up made: without a
// compose file there is nothing to act on, and it says which target writes one.
func scaffoldedCompose(ctx context.Context, cfg Config, o options) (*compose, error) {
	if _, err := os.Stat(composeFile(cfg.Dir)); err != nil {
		return nil, errNoComposeFile(cfg)
	}
	return daemonCompose(ctx, cfg, o)
}

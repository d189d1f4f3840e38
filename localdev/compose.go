package localdev

import (
	"context"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
)

// ComposeVersion is a Docker Compose implementation.
type ComposeVersion int

// The Compose implementations Up, Down and Logs drive.
const (
	// ComposeAuto uses Compose v2 (`docker compose`) where present, else Compose v1.
	ComposeAuto ComposeVersion = iota
	// ComposeV2 is the `docker compose` CLI plugin, what Docker ships today.
	ComposeV2
	// ComposeV1 is the standalone `docker-compose` (1.29), the fallback.
	ComposeV1
)

func (v ComposeVersion) String() string {
	switch v {
	case ComposeV2:
		return "Compose v2 (docker compose)"
	case ComposeV1:
		return "Compose v1 (docker-compose)"
	default:
		return "Compose (detect)"
	}
}

// service is the compose file's one service.
const service = "function"

// composeFile returns the compose file of the repository at dir.
func composeFile(dir string) string { return filepath.Join(dir, "localdev", "docker-compose.yml") }

// debugComposeFile returns the debug override of the repository at dir: Compose merges it over
// composeFile when Config.Debug is set.
func debugComposeFile(dir string) string {
	return filepath.Join(dir, "localdev", "docker-compose.debug.yml")
}

// composeFiles returns the compose files of the repository at dir, in the order Compose merges
// them: the main file, then the debug override when debug is set.
func composeFiles(dir string, debug bool) []string {
	if debug {
		return []string{composeFile(dir), debugComposeFile(dir)}
	}
	return []string{composeFile(dir)}
}

// composeArgs returns the program (relative to PATH) and arguments that run a Compose action
// on project with files, each later one merged over the ones before.
func composeArgs(v ComposeVersion, project string, files []string, action ...string) (string, []string) {
	args := []string{"--project-name", project}
	for _, f := range files {
		args = append(args, "--file", f)
	}
	if v == ComposeV1 {
		return "docker-compose", append(args, action...)
	}
	return "docker", append(append([]string{"compose"}, args...), action...)
}

// upAction builds the image (cached layers are reused) and starts the service in the background,
// removing containers of services no longer in the file.
func upAction() []string { return []string{"up", "--detach", "--build", "--remove-orphans"} }

// downAction removes the containers, the network and anonymous volumes up made. The built image
// stays: it is the layer cache that makes the next up fast.
func downAction() []string {
	return []string{"down", "--remove-orphans", "--volumes", "--timeout", "5"}
}

// logsAction shows the services' last tail lines (all when tail is 0), following when asked.
func logsAction(tail int, follow bool, services ...string) []string {
	a := []string{"logs", "--no-color"}
	if tail > 0 {
		a = append(a, "--tail", strconv.Itoa(tail))
	}
	if follow {
		a = append(a, "--follow")
	}
	return append(a, services...)
}

// composeEnv returns the variables docker-compose.yml reads, from cfg.
func composeEnv(cfg Config) ([]string, error) {
	port, err := hostPort(cfg.FunctionURL)
	if err != nil {
		return nil, err
	}
	// Lambda takes the timeout in whole seconds, at least 1.
	secs := int(math.Max(1, math.Ceil(cfg.Timeout.Seconds())))
	env := []string{
		"LAMBDALOCAL_ARCH=" + cfg.Arch,
		"LAMBDALOCAL_PORT=" + port,
		"LAMBDALOCAL_TIMEOUT_SECONDS=" + strconv.Itoa(secs),
	}
	if cfg.Debug { // read by docker-compose.debug.yml
		env = append(env, "LAMBDALOCAL_DEBUG_PORT="+strconv.Itoa(cfg.DebugPort))
	}
	return env, nil
}

// ProjectName returns the default Compose project name of the repository at dir: its folder's
// name, lower-cased, with characters Compose refuses replaced, and "-lambdalocal" appended.
// A name per repository keeps `down --remove-orphans` in one repository from touching another's
// containers, as the compose file's folder name ("localdev") alone would.
func ProjectName(dir string) string {
	abs, err := filepath.Abs(dir)
	if err != nil {
		abs = dir
	}
	name := strings.ToLower(filepath.Base(abs))
	name = regexp.MustCompile(`[^a-z0-9_-]+`).ReplaceAllString(name, "-")
	name = strings.TrimLeft(name, "_-")
	if name == "" {
		name = "function"
	}
	return name + "-lambdalocal"
}

// compose runs Compose actions for one repository.
type compose struct {
	version  ComposeVersion
	project  string
	files    []string // the main compose file first
	services []string // the functions' services, one per function
	env      []string
	docker   dockerCLI
}

// newCompose checks that docker and a Compose are installed and picks the Compose to use.
func newCompose(ctx context.Context, cfg Config, o options) (*compose, error) {
	d := dockerCLI{env: o.env}
	if _, err := d.path(); err != nil {
		return nil, err
	}
	v := o.compose
	if v == ComposeAuto {
		var err error
		if v, err = detectCompose(ctx, d); err != nil {
			return nil, err
		}
	}
	env, err := composeEnv(cfg)
	if err != nil {
		return nil, err
	}
	project := o.project
	if project == "" {
		project = ProjectName(cfg.Dir)
	}
	dir, err := filepath.Abs(cfg.Dir) // Compose runs in localdev/, so the file's path must not be relative
	if err != nil {
		return nil, fmt.Errorf("resolving %q: %w", cfg.Dir, err)
	}
	// The debug override when debugging: up has written it (Scaffold); down and logs in a
	// repository scaffolded before it existed do without it, as they need none of it.
	_, err = os.Stat(debugComposeFile(dir))
	debug := cfg.Debug && err == nil
	abs := cfg
	abs.Dir = dir
	ins, err := Instances(abs)
	if err != nil {
		return nil, err
	}
	files, err := stackFiles(dir, debug, ins)
	if err != nil {
		return nil, err
	}
	return &compose{version: v, project: project, files: files, services: servicesOf(ins), env: append(append([]string{}, o.env...), env...), docker: d}, nil
}

// detectCompose returns ComposeV2 when `docker compose version` works, else ComposeV1 when
// docker-compose is on PATH.
func detectCompose(ctx context.Context, d dockerCLI) (ComposeVersion, error) {
	if _, err := d.output(ctx, "compose", "version"); err == nil {
		return ComposeV2, nil
	}
	if _, err := lookPath("docker-compose", d.env); err == nil {
		return ComposeV1, nil
	}
	return 0, fmt.Errorf("%w: neither `docker compose` (Compose v2) nor `docker-compose` (v1) works: install the Compose plugin (https://docs.docker.com/compose/install/)", ErrNoCompose)
}

// command returns the command for a Compose action, its output going to out.
func (c *compose) command(ctx context.Context, out io.Writer, action ...string) (*exec.Cmd, error) {
	name, args := composeArgs(c.version, c.project, c.files, action...)
	path, err := lookPath(name, c.env)
	if err != nil {
		return nil, fmt.Errorf("%w: %s is not on PATH", ErrNoCompose, name)
	}
	cmd := exec.CommandContext(ctx, path, args...)
	cmd.Dir = filepath.Dir(c.files[0])
	cmd.Env = append(os.Environ(), c.env...)
	cmd.Stdout, cmd.Stderr = out, out
	return cmd, nil
}

// run runs a Compose action, copying its output to out and keeping the tail of it for the error.
func (c *compose) run(ctx context.Context, out io.Writer, what string, action ...string) error {
	var tail tailBuffer
	cmd, err := c.command(ctx, io.MultiWriter(out, &tail), action...)
	if err != nil {
		return err
	}
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("%s: %w", what, ctx.Err())
		}
		return fmt.Errorf("%s with %s: %w\n%s", what, c.version, err, lastLines(tail.String(), 10))
	}
	return nil
}

// logs returns the last n log lines of each function's service.
func (c *compose) logs(ctx context.Context, n int) string {
	var buf tailBuffer
	cmd, err := c.command(ctx, &buf, logsAction(n, false, c.services...)...)
	if err != nil {
		return err.Error()
	}
	if err := cmd.Run(); err != nil && buf.Len() == 0 {
		return fmt.Sprintf("(reading the logs failed: %v)", err)
	}
	return buf.String()
}

// tailBuffer keeps the last 16 KiB written to it.
type tailBuffer struct{ b []byte }

const tailSize = 16 << 10

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.b = append(t.b, p...)
	if len(t.b) > tailSize {
		t.b = t.b[len(t.b)-tailSize:]
	}
	return len(p), nil
}

// lastLines returns the last n lines of s.
func lastLines(s string, n int) string {
	lines := strings.Split(s, "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

func (t *tailBuffer) Len() int { return len(t.b) }

func (t *tailBuffer) String() string { return strings.TrimRight(string(t.b), "\n") }

// errNoComposeFile says what to do when the repository has no compose file.
func errNoComposeFile(cfg Config) error {
	return fmt.Errorf("no %s: run `go tool mage init` to write the local environment's files", relPath(cfg.Dir, composeFile(cfg.Dir)))
}

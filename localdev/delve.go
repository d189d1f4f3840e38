package localdev

import (
	"context"
	"debug/buildinfo"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Delve, the Go debugger lambdalocal builds for Config.Debug: its Go module, the pinned version
// (the one in delve/go.mod.txt) and the command package.
const (
	DelveModule  = "github.com/go-delve/delve"
	DelveVersion = "v1.27.2"
	delvePackage = DelveModule + "/cmd/dlv"
)

// DebugGCFlags are the compiler flags of a debug build: no optimisation and no inlining, in
// every package, so that each source line and variable is where the debugger looks for it.
const DebugGCFlags = "all=-N -l"

// ErrNoDebugBuild is the cause of Up's failure with Config.Debug when Delve or a debug build of
// the bootstrap is missing.
var ErrNoDebugBuild = errors.New("no debug build")

// delveTool is Delve as a goTool.
func delveTool() goTool {
	return goTool{name: "dlv", what: "Delve", module: DelveModule, version: DelveVersion, pkg: delvePackage, files: "delve"}
}

// DelvePath returns where BuildDelve puts Delve for arch: <dir>/localdev/.rie/<arch>/dlv, beside
// the RIE in the git-ignored folder. The debug compose file mounts it into the container.
func DelvePath(dir, arch string) string {
	return filepath.Join(dir, "localdev", ".rie", arch, "dlv")
}

// BuildDelve builds a static (CGO_ENABLED=0) Delve for linux/arch into DelvePath(dir, arch),
// from its module at DelveVersion verified by the embedded go.sum, and reports whether it did any
// work (see BuildRIE: the two are built the same way).
func BuildDelve(ctx context.Context, dir, arch string, opts ...Option) (bool, error) {
	dir, err := filepath.Abs(dir) // the go command runs in the build module's folder
	if err != nil {
		return false, fmt.Errorf("resolving %q: %w", dir, err)
	}
	return delveTool().build(ctx, DelvePath(dir, arch), arch, newOptions(opts))
}

// delveArgs returns the arguments of a headless Delve that starts program and runs it at once
// (--continue), serving API v2 on addr to any number of clients, one after another or at once
// (--accept-multiclient, which --continue needs). The command comes first: --continue is a flag
// of exec only, and put before it, Delve's CLI takes the next word for its value, so
// `dlv --continue exec prog` fails with "unknown command prog". entrypoint.sh runs the same in
// the container.
func delveArgs(addr, program string) []string {
	return []string{"exec", program, "--headless", "--listen=" + addr, "--api-version=2", "--accept-multiclient", "--continue"}
}

// DebugAddr returns the address Delve listens on for cfg: 127.0.0.1:DebugPort.
func DebugAddr(cfg Config) string {
	return net.JoinHostPort("127.0.0.1", strconv.Itoa(cfg.WithDefaults().DebugPort))
}

// debugBanner returns the lines that tell the user where Delve listens and how to attach. With
// onFirstInvoke, Delve starts with the function on the first invoke (the RIE starts functions on
// demand), and the banner says so.
func debugBanner(cfg Config, onFirstInvoke bool) string {
	addr := DebugAddr(cfg)
	when := "listens on " + addr + "; the function runs until a debugger stops it"
	if onFirstInvoke {
		when = "will listen on " + addr + " once the first invoke starts the function (the RIE starts it on demand): send one request, then attach"
	}
	return fmt.Sprintf(`debug: Delve %s (headless, API v2) %s
debug: attach with `+"`dlv connect %s`"+`, VS Code ("request": "attach", "mode": "remote", "port": %d) or GoLand (Go Remote, port %d): see docs/debugging.md
debug: the function and gateway timeouts are %s while debugging (AWS's maximum is 15m0s), so a breakpoint does not time the invoke out
`, DelveVersion, when, addr, cfg.DebugPort, cfg.DebugPort, cfg.Timeout)
}

// checkDebugBuilt fails with ErrNoDebugBuild when Delve for cfg.Arch is missing or the
// bootstrap was not built with DebugGCFlags (its build information records the flags).
func checkDebugBuilt(cfg Config) error {
	const fix = "run `LAMBDALOCAL_DEBUG=1 go tool mage build` first"
	if _, err := os.Stat(DelvePath(cfg.Dir, cfg.Arch)); err != nil {
		return fmt.Errorf("%w: %s is missing: %s", ErrNoDebugBuild, relPath(cfg.Dir, DelvePath(cfg.Dir, cfg.Arch)), fix)
	}
	if !isDebugBuild(BootstrapPath(cfg.Dir)) {
		return fmt.Errorf("%w: %s was not built with -gcflags=%q, so the debugger would see optimised code: %s",
			ErrNoDebugBuild, relPath(cfg.Dir, BootstrapPath(cfg.Dir)), DebugGCFlags, fix)
	}
	return nil
}

// isDebugBuild reports whether the Go executable at path was built with DebugGCFlags.
func isDebugBuild(path string) bool {
	info, err := buildinfo.ReadFile(path)
	if err != nil {
		return false
	}
	for _, s := range info.Settings {
		if s.Key == "-gcflags" && strings.Contains(s.Value, DebugGCFlags) {
			return true
		}
	}
	return false
}

// buildDelveReporting builds Delve for arch like BuildDelve and says on out what it did and, when
// it did any work, how long that took (BuildDelve itself says when a compile starts).
func buildDelveReporting(ctx context.Context, dir, arch string, out io.Writer, opts ...Option) error {
	path := DelvePath(dir, arch)
	start := time.Now()
	built, err := BuildDelve(ctx, dir, arch, opts...)
	if err != nil {
		return err
	}
	took := ""
	if built {
		took = fmt.Sprintf(" in %s", time.Since(start).Round(time.Millisecond))
	}
	fmt.Fprintf(out, "dlv: %s%s (%s for linux/%s) %s\n", state(built), took, DelveVersion, arch, relPath(dir, path))
	return nil
}

// checkDebugPort fails with ErrPortInUse when nothing can listen on 127.0.0.1:port, where
// Delve's port is published.
func checkDebugPort(port int) error {
	l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
	if err != nil {
		return fmt.Errorf("%w: port %d on 127.0.0.1, where Delve's port is published, is taken by another program (a debugger session still up?): stop it, or choose another port with LAMBDALOCAL_DEBUG_PORT (e.g. LAMBDALOCAL_DEBUG_PORT=2346)",
			ErrPortInUse, port)
	}
	return l.Close()
}

// debugArchWarning warns when a debugged function is built for another arch than host's: the
// engine runs it under QEMU user emulation, which does not implement ptrace, so Delve cannot
// start it.
func debugArchWarning(cfg Config, host string) string {
	if !cfg.Debug || cfg.Arch == host {
		return ""
	}
	return fmt.Sprintf("up: warning: debugging a linux/%s function on a %s machine: emulated containers (QEMU) give Delve no ptrace, so it will likely fail to start the bootstrap; set LAMBDALOCAL_ARCH=%s to debug", cfg.Arch, host, host)
}

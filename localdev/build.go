package localdev

import (
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// BootstrapPath returns where Build puts the handler: <dir>/localdev/var-runtime/bootstrap,
// the git-ignored folder docker-compose.yml mounts read-only at /var/runtime.
func BootstrapPath(dir string) string {
	return filepath.Join(dir, "localdev", "var-runtime", "bootstrap")
}

// Build cross-compiles the handler package cfg.Handler (relative to cfg.Dir) for linux/cfg.Arch
// into BootstrapPath(cfg.Dir) with Lambda's flags (see Compile), then builds the RIE for the same
// arch (see BuildRIE). It prints one line for each to WithOutput's writer. With several
// cfg.Functions it builds each into localdev/var-runtime/<name>/bootstrap (see Instances).
//
// With cfg.Debug the handler is built for a debugger instead (-gcflags=all=-N -l, symbols kept;
// see DebugGCFlags), and Delve is built for the same arch (see BuildDelve).
//
// Staleness: the go command is the judge. It compares the build ID recorded in an existing
// output with the one its inputs (sources, dependencies, flags, toolchain, GOOS/GOARCH) hash to,
// and leaves an up-to-date output untouched; with its build cache the check costs a fraction of
// a second and can never miss a change the way a file-list or mtime heuristic could. Build
// reports "up to date" when the output's bytes did not change. A compile error is a
// *CompileError naming the package, with the compiler's output.
func Build(ctx context.Context, cfg Config, opts ...Option) error {
	cfg = cfg.WithDefaults()
	o := newOptions(opts)
	ins, err := Instances(cfg)
	if err != nil {
		return err
	}
	if err := checkDebugOne(cfg, ins); err != nil {
		return err
	}
	for _, in := range ins {
		if _, err := compileInstance(ctx, cfg, in, o.out, o.env); err != nil {
			return err
		}
	}

	built, err := BuildRIE(ctx, cfg.Dir, cfg.Arch, opts...)
	if err != nil {
		return err
	}
	fmt.Fprintf(o.out, "aws-lambda-rie: %s (%s for linux/%s) %s\n", state(built), RIEVersion, cfg.Arch, relPath(cfg.Dir, RIEPath(cfg.Dir, cfg.Arch)))
	if cfg.Debug {
		return buildDelveReporting(ctx, cfg.Dir, cfg.Arch, o.out, opts...)
	}
	return nil
}

func state(built bool) string {
	if built {
		return "built"
	}
	return "up to date"
}

// fileHash returns the SHA-256 of the file at path ("" when it cannot be read).
func fileHash(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return fmt.Sprintf("%x", h.Sum(nil)), nil
}

package localdev

import (
	"context"
	"fmt"
	"io"
)

// compileInstance cross-compiles one function for linux/cfg.Arch into its bootstrap (see
// Build), prints one line saying whether its bytes changed, and reports whether they did.
func compileInstance(ctx context.Context, cfg Config, in Instance, out io.Writer, env []string) (bool, error) {
	before, _ := fileHash(in.Bootstrap)
	copts := []CompileOption{WithArch(cfg.Arch), WithEnv(env...)}
	kind := ""
	if cfg.Debug {
		copts = append(copts, WithGCFlags(DebugGCFlags))
		kind = ", debug build -gcflags=" + DebugGCFlags
	}
	if err := Compile(ctx, cfg.Dir, in.Handler, in.Bootstrap, copts...); err != nil {
		return false, err
	}
	if err := checkExecutable(in.Bootstrap, in.Handler); err != nil {
		return false, err
	}
	after, err := fileHash(in.Bootstrap)
	if err != nil {
		return false, fmt.Errorf("reading the built bootstrap of %s: %w", in.Name, err)
	}
	what := "bootstrap"
	if in.Service != service {
		what = in.Name + " bootstrap"
	}
	fmt.Fprintf(out, "%s: %s (%s for linux/%s%s) %s\n", what, state(before != after), in.Handler, cfg.Arch, kind, relPath(cfg.Dir, in.Bootstrap))
	return before != after, nil
}

// ErrDebugSeveral is the cause of the refusal to debug several functions at once.
var ErrDebugSeveral = fmt.Errorf("%w: debugging runs one function", ErrBadFunctions)

// checkDebugOne refuses Debug with several functions: Delve's one port and the debug compose
// override serve one function.
func checkDebugOne(cfg Config, ins []Instance) error {
	if cfg.Debug && len(ins) > 1 {
		return fmt.Errorf("%w: set LAMBDALOCAL_FUNCTIONS to the one function to debug, e.g. LAMBDALOCAL_FUNCTIONS=%s=%s", ErrDebugSeveral, ins[0].Name, ins[0].Handler)
	}
	return nil
}

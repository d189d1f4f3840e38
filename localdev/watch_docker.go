package localdev

import (
	"context"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"
)

// restartAction restarts services in place: the container keeps its port and mounts, and the
// RIE starts the bootstrap afresh from the read-only mount. The RIE stops on SIGTERM at once;
// the short timeout bounds a function that does not.
func restartAction(services ...string) []string {
	return append([]string{"restart", "--timeout", "2"}, services...)
}

// Watch is up that follows the sources: it builds (see Build) and starts the stack (see Up),
// then polls the Go sources of each function's module and, on a change, rebuilds every
// function of that module and restarts only the services whose bootstrap bytes changed — the
// go command decides what a change affects, so a function whose inputs did not change is not
// restarted. No image is rebuilt: the bootstrap is mounted, not copied in. A build that fails
// is printed and the running container keeps serving the previous build. Watch returns nil
// when ctx ends and leaves the stack running (Down removes it).
func Watch(ctx context.Context, cfg Config, opts ...Option) error {
	cfg = cfg.WithDefaults()
	o := newOptions(opts)
	ins, err := Instances(cfg)
	if err != nil {
		return err
	}
	roots, err := moduleGroups(cfg.Dir, ins)
	if err != nil {
		return err
	}
	if err := Build(ctx, cfg, opts...); err != nil {
		return err
	}
	if err := Up(ctx, cfg, opts...); err != nil {
		return err
	}
	c, err := newCompose(ctx, cfg, o)
	if err != nil {
		return err
	}
	w := &dockerWatcher{cfg: cfg, c: c, o: o}
	fmt.Fprintf(o.out, "watch: watching %s; a change rebuilds the functions of that module and restarts the changed ones; Ctrl-C stops watching (the stack keeps running: `go tool mage down` removes it)\n", strings.Join(slices.Sorted(maps.Keys(roots)), ", "))
	errc := make(chan error, len(roots))
	for root, group := range roots {
		go func() {
			errc <- watchSources(ctx, root, DefaultPollInterval, func(changed []string) { w.rebuild(ctx, group, changed) })
		}()
	}
	var first error
	for range roots {
		if err := <-errc; err != nil && first == nil {
			first = err
		}
	}
	fmt.Fprintln(o.out, "watch: stopped")
	return first
}

// moduleGroups groups the functions by the Go module that holds their handler: the folder
// watched for them.
func moduleGroups(dir string, ins []Instance) (map[string][]Instance, error) {
	groups := map[string][]Instance{}
	for _, in := range ins {
		root, err := moduleRootOf(filepath.Join(dir, in.Handler))
		if err != nil {
			return nil, fmt.Errorf("function %s: %w", in.Name, err)
		}
		groups[root] = append(groups[root], in)
	}
	return groups, nil
}

// dockerWatcher rebuilds and restarts functions of a running Compose stack, one change at a
// time.
type dockerWatcher struct {
	cfg Config
	c   *compose
	o   options
	mu  sync.Mutex
}

// rebuild compiles each function of group after a change to its module and restarts the
// services of those whose bootstrap changed, then waits for each to answer again.
func (w *dockerWatcher) rebuild(ctx context.Context, group []Instance, changed []string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	start := time.Now()
	out := w.o.out
	fmt.Fprintf(out, "watch: %s changed, rebuilding %s\n", describeChange(w.cfg.Dir, changed), strings.Join(instanceNames(group), ", "))
	var restart []Instance
	failed := false
	for _, in := range group {
		built, err := compileInstance(ctx, w.cfg, in, out, w.o.env)
		if err != nil {
			if ctx.Err() == nil {
				fmt.Fprintf(out, "watch: the build of %s failed; its container keeps serving the previous build:\n%v\n", in.Name, err)
			}
			failed = true
			continue
		}
		if built {
			restart = append(restart, in)
		}
	}
	if len(restart) == 0 {
		if !failed {
			fmt.Fprintln(out, "watch: no bootstrap changed; nothing restarted")
		}
		return
	}
	built := time.Since(start)
	services := make([]string, len(restart))
	for i, in := range restart {
		services[i] = in.Service
	}
	fmt.Fprintf(out, "watch: built in %s; restarting %s\n", built.Round(time.Millisecond), strings.Join(services, ", "))
	if err := w.c.run(ctx, out, "restarting "+strings.Join(services, ", "), restartAction(services...)...); err != nil {
		if ctx.Err() == nil {
			fmt.Fprintf(out, "watch: %v\n", err)
		}
		return
	}
	for _, in := range restart {
		if err := w.c.waitReady(ctx, in.URL, w.o.wait); err != nil {
			if ctx.Err() == nil {
				fmt.Fprintf(out, "watch: %s did not answer after its restart: %v\n%s\n", in.Name, err, w.c.logs(context.WithoutCancel(ctx), w.o.tail))
			}
			return
		}
	}
	fmt.Fprintf(out, "watch: %s serving the new build, %s after the change was seen\n", strings.Join(instanceNames(restart), ", "), time.Since(start).Round(time.Millisecond))
}

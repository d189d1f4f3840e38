package localdev

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// DefaultPollInterval is how often dev looks for changed Go sources.
const DefaultPollInterval = 250 * time.Millisecond

// sourceState is what a poll remembers of one file.
type sourceState struct {
	mod  time.Time
	size int64
}

// mageOutputFile is the file mage writes beside a magefile while it compiles it, and removes
// after: running any target (say, invoke while dev runs) would otherwise look like an edit.
const mageOutputFile = "mage_output_file.go"

// isWatchedSource reports whether a change to the file name can change the handler's build:
// Go sources (not tests, not mage's generated file) and the module files.
func isWatchedSource(name string) bool {
	switch {
	case name == "go.mod", name == "go.sum":
		return true
	case strings.HasSuffix(name, "_test.go"), name == mageOutputFile:
		return false
	}
	return strings.HasSuffix(name, ".go")
}

// skipWatchDir reports whether a folder below the module root is left out: hidden folders,
// testdata, node_modules, and nested modules (a folder with its own go.mod).
func skipWatchDir(path, name string) bool {
	if strings.HasPrefix(name, ".") || name == "testdata" || name == "node_modules" {
		return true
	}
	_, err := os.Stat(filepath.Join(path, "go.mod"))
	return err == nil
}

// scanSources returns the watched files below root with their modification time and size.
func scanSources(root string) (map[string]sourceState, error) {
	files := map[string]sourceState{}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) && path != root {
				return nil // removed while walking
			}
			return err
		}
		if d.IsDir() {
			if path != root && skipWatchDir(path, d.Name()) {
				return filepath.SkipDir
			}
			return nil
		}
		if !isWatchedSource(d.Name()) {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return nil // removed while walking
		}
		files[path] = sourceState{mod: info.ModTime(), size: info.Size()}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("scanning %s for Go sources: %w", root, err)
	}
	return files, nil
}

// changedSources returns the files added, removed or modified between two scans, sorted.
func changedSources(before, after map[string]sourceState) []string {
	var changed []string
	for path, a := range after {
		if b, ok := before[path]; !ok || b != a {
			changed = append(changed, path)
		}
	}
	for path := range before {
		if _, ok := after[path]; !ok {
			changed = append(changed, path)
		}
	}
	sort.Strings(changed)
	return changed
}

// watchSources polls the Go sources below root every interval and calls onChange with the
// changed paths, one call at a time (a change made during a call is seen by the next poll),
// until ctx ends. It uses only the standard library: no fsnotify, so it works the same on
// every OS and on network and container file systems.
func watchSources(ctx context.Context, root string, every time.Duration, onChange func([]string)) error {
	last, err := scanSources(root)
	if err != nil {
		return err
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
		now, err := scanSources(root)
		if err != nil {
			continue // e.g. an editor replacing a folder: try again on the next tick
		}
		if changed := changedSources(last, now); len(changed) > 0 {
			last = now
			onChange(changed)
		}
	}
}

package localdev

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"testing"
	"time"
)

func TestIsWatchedSource(t *testing.T) {
	t.Parallel()
	for name, want := range map[string]bool{
		"main.go":      true,
		"go.mod":       true,
		"go.sum":       true,
		"main_test.go": false,
		"README.md":    false,
		"main.go~":     false,
		mageOutputFile: false,
	} {
		if got := isWatchedSource(name); got != want {
			t.Errorf("isWatchedSource(%q) = %v, want %v", name, got, want)
		}
	}
}

func TestScanSourcesSkipsWhatCannotChangeTheBuild(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	for _, f := range []string{"go.mod", "main.go", "internal/a.go", "main_test.go", ".git/x.go",
		"testdata/h/main.go", "node_modules/m.go", "nested/go.mod", "nested/n.go", "notes.txt"} {
		writeTestFile(t, filepath.Join(root, f), "x")
	}
	files, err := scanSources(root)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for path := range files {
		rel, _ := filepath.Rel(root, path)
		got = append(got, filepath.ToSlash(rel))
	}
	want := []string{"go.mod", "internal/a.go", "main.go"}
	if !reflect.DeepEqual(sortedStrings(got), want) {
		t.Errorf("watched = %q, want %q", sortedStrings(got), want)
	}
}

func sortedStrings(s []string) []string {
	out := append([]string(nil), s...)
	sort.Strings(out)
	return out
}

func TestChangedSourcesSeesAddedRemovedAndModifiedFiles(t *testing.T) {
	t.Parallel()
	t0 := time.Unix(100, 0)
	before := map[string]sourceState{"a.go": {t0, 1}, "b.go": {t0, 1}, "c.go": {t0, 1}}
	after := map[string]sourceState{"a.go": {t0, 1}, "b.go": {t0.Add(time.Millisecond), 1}, "d.go": {t0, 1}}
	got := changedSources(before, after)
	want := []string{"b.go", "c.go", "d.go"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("changed = %q, want %q", got, want)
	}
}

func TestWatchSourcesReportsAnEdit(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	writeTestFile(t, filepath.Join(root, "main.go"), "package main")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	changes := make(chan []string, 1)
	done := make(chan error, 1)
	go func() {
		done <- watchSources(ctx, root, 20*time.Millisecond, func(c []string) {
			select {
			case changes <- c:
			default:
			}
		})
	}()
	time.Sleep(50 * time.Millisecond)
	writeTestFile(t, filepath.Join(root, "main.go"), "package main // edited")
	select {
	case c := <-changes:
		if len(c) != 1 || filepath.Base(c[0]) != "main.go" {
			t.Errorf("changes = %q, want main.go", c)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the edit was not seen")
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("watchSources = %v, want nil after cancel", err)
	}
	_ = os.Remove(filepath.Join(root, "main.go"))
}

package testenv

import (
	"strings"
	"sync"
	"testing"
)

func TestSyncBufferKeepsEveryConcurrentWrite(t *testing.T) {
	t.Parallel()
	var b SyncBuffer
	var wg sync.WaitGroup
	for range 50 {
		wg.Go(func() {
			for range 20 {
				b.Write([]byte("x\n"))
			}
		})
	}
	wg.Wait()
	if n := strings.Count(b.String(), "x\n"); n != 1000 {
		t.Fatalf("the buffer holds %d writes, want 1000", n)
	}
}

func TestRequireDockerFailsInCIWhenNoDaemonAnswers(t *testing.T) {
	t.Setenv("DOCKER_HOST", "unix:///nonexistent/docker.sock")
	t.Setenv("CI", "true")
	ft := &fakeT{TB: t}
	func() {
		defer func() { recover() }() // Fatalf ends the fake test with a panic
		RequireDocker(ft)
	}()
	if !ft.failed || ft.skipped {
		t.Fatalf("in CI with no daemon: failed = %v, skipped = %v; want a failure", ft.failed, ft.skipped)
	}
}

func TestRequireDockerSkipsOutsideCIWhenNoDaemonAnswers(t *testing.T) {
	t.Setenv("DOCKER_HOST", "unix:///nonexistent/docker.sock")
	t.Setenv("CI", "")
	ft := &fakeT{TB: t}
	func() {
		defer func() { recover() }()
		RequireDocker(ft)
	}()
	if ft.failed || !ft.skipped {
		t.Fatalf("outside CI with no daemon: failed = %v, skipped = %v; want a skip", ft.failed, ft.skipped)
	}
}

// fakeT records how RequireDocker ends a test instead of ending the real one.
type fakeT struct {
	testing.TB
	failed, skipped bool
}

func (f *fakeT) Helper() {}
func (f *fakeT) Fatalf(string, ...any) {
	f.failed = true
	panic("fatal")
}
func (f *fakeT) Skipf(string, ...any) {
	f.skipped = true
	panic("skip")
}

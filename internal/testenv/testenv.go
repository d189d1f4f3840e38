// Package testenv holds what this module's tests share about their environment: whether the
// real Docker engine they need is there, and a log sink several goroutines write to.
package testenv

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"sync"
	"testing"
	"time"
)

// RequireDocker skips t when no Docker daemon answers `docker info`, unless the CI variable is
// set: in CI the engine is part of the machine, so its absence fails the test.
func RequireDocker(t testing.TB) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, "docker", "info", "--format", "{{.ServerVersion}}").CombinedOutput()
	if err == nil {
		return
	}
	if os.Getenv("CI") != "" {
		t.Fatalf("CI is set but Docker does not answer (run .ci/ensure-docker): %v\n%s", err, out)
	}
	t.Skipf("Docker does not answer: %v", err)
}

// SyncBuffer is a bytes.Buffer that several goroutines may write to and read at once.
type SyncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *SyncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

// String returns everything written so far.
func (s *SyncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

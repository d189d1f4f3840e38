package localdev

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// A consumer module made in a temporary folder imports the targets through mage the way the
// README says (tool line, require + replace onto this checkout, //mage:import), lists them,
// and builds its own aws-lambda-go handler and the RIE. Its go.sum is its own: the RIE builds
// from lambdalocal's embedded module, not from the consumer's checksums.
func TestConsumerModuleImportsTargets(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a consumer module with mage (about a minute cold)")
	}
	checkout, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	writeTestFile(t, filepath.Join(dir, "go.mod"), `module example.com/consumer

go 1.26

tool github.com/magefile/mage

require github.com/lambdalocal/lambdalocal v0.0.0

replace github.com/lambdalocal/lambdalocal => `+checkout+"\n")
	writeTestFile(t, filepath.Join(dir, "main.go"), `package main

import (
	"context"

	"github.com/aws/aws-lambda-go/lambda"
)

func main() {
	lambda.Start(func(ctx context.Context, event map[string]any) (string, error) { return "hello", nil })
}
`)
	writeTestFile(t, filepath.Join(dir, "magefiles", "magefile.go"), `//go:build mage

package main

import (
	//mage:import
	_ "github.com/lambdalocal/lambdalocal/magefiles/targets"
)
`)

	run := func(args ...string) string {
		t.Helper()
		start := time.Now()
		cmd := exec.Command("go", args...)
		cmd.Dir = dir
		// The module cache is warm; GOPROXY comes from the environment for anything missing.
		cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOWORK=off", "LAMBDALOCAL_ARCH=", "LAMBDALOCAL_HANDLER=")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("go %s in the consumer: %v\n%s", strings.Join(args, " "), err, out)
		}
		t.Logf("go %s (%s):\n%s", strings.Join(args, " "), time.Since(start).Round(time.Millisecond), out)
		return string(out)
	}

	run("mod", "tidy")
	if sum, err := os.ReadFile(filepath.Join(dir, "go.sum")); err == nil {
		t.Logf("consumer go.sum holds the RIE's module checksum: %v",
			strings.Contains(string(sum), RIEModule+" "+RIEVersion+" h1:"))
	}

	// The targets a consumer gets through //mage:import; add each new one here when it lands.
	consumerTargets := []string{"image:pin", "image:check", "build", "up", "down", "logs", "proxy", "dev", "invoke", "init", "initForce"}
	list := run("tool", "mage", "-l")
	for _, target := range consumerTargets {
		if !containsTarget(list, target) {
			t.Errorf("mage -l in the consumer does not list %s", target)
		}
	}

	out := run("tool", "mage", "build")
	assertStaticELF(t, BootstrapPath(dir), runtime.GOARCH)
	assertStaticELF(t, RIEPath(dir, runtime.GOARCH), runtime.GOARCH)
	if !strings.Contains(out, "bootstrap: built (. for linux/"+runtime.GOARCH+")") {
		t.Errorf("mage build output lacks the bootstrap line:\n%s", out)
	}

	// Nothing changed: both parts are up to date.
	if out := run("tool", "mage", "build"); strings.Count(out, ": up to date") != 2 {
		t.Errorf("second mage build did work again:\n%s", out)
	}
}

// containsTarget reports whether mage -l output lists target as a target name.
func containsTarget(list, target string) bool {
	for _, line := range strings.Split(list, "\n") {
		if f := strings.Fields(line); len(f) > 0 && strings.TrimSuffix(f[0], "*") == target {
			return true
		}
	}
	return false
}

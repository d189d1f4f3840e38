package rietest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
)

// RIEPackage is the Go package of the RIE command, pinned by the module's go.mod.
const RIEPackage = "github.com/aws/aws-lambda-runtime-interface-emulator/cmd/aws-lambda-rie"

// Binaries are the paths of a built RIE and a built function bootstrap.
type Binaries struct {
	RIE       string
	Bootstrap string
}

// Build compiles the RIE and the example function into dir and returns their paths. Both are
// static (CGO_ENABLED=0); the function is built with -tags lambda.norpc, as on Lambda. Each
// binary is built beside its final name and renamed into place, so test binaries building
// into the same dir at once (see SharedDir) never run a half-written file.
func Build(ctx context.Context, dir string) (Binaries, error) {
	root, err := ModuleRoot()
	if err != nil {
		return Binaries{}, err
	}
	b := Binaries{RIE: filepath.Join(dir, "aws-lambda-rie"), Bootstrap: filepath.Join(dir, "bootstrap")}
	for out, args := range buildArgs(b, "."+strconv.Itoa(os.Getpid())) {
		if err := goBuild(ctx, root, args); err != nil {
			return Binaries{}, err
		}
		if err := os.Rename(out+"."+strconv.Itoa(os.Getpid()), out); err != nil {
			return Binaries{}, fmt.Errorf("putting the built %s in place: %w", filepath.Base(out), err)
		}
	}
	return b, nil
}

// SharedDir is a folder for Build that test binaries of one checkout share and reuse across
// runs: one per module root, in the temp dir, so builds do not pile up there.
func SharedDir() (string, error) {
	root, err := ModuleRoot()
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256([]byte(root))
	dir := filepath.Join(os.TempDir(), "lambdalocal-rietest-"+hex.EncodeToString(sum[:8]))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("making the shared build folder: %w", err)
	}
	return dir, nil
}

// buildArgs returns, for each of b's two binaries, the go command arguments that build it
// to its path plus suffix.
func buildArgs(b Binaries, suffix string) map[string][]string {
	return map[string][]string{
		b.RIE:       {"build", "-o", b.RIE + suffix, RIEPackage},
		b.Bootstrap: {"build", "-tags", "lambda.norpc", "-o", b.Bootstrap + suffix, "./lambda"},
	}
}

func goBuild(ctx context.Context, root string, args []string) error {
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("building with go %v in %s: %w\n%s", args, root, err, out.Bytes())
	}
	return nil
}

// ModuleRoot returns the nearest directory at or above the working directory that holds a
// go.mod file.
func ModuleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("finding the module root: %w", err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("finding the module root: no go.mod at or above the working directory")
		}
		dir = parent
	}
}

package rietest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
)

// RIEPackage is the Go package of the RIE command, pinned by the module's go.mod.
const RIEPackage = "github.com/aws/aws-lambda-runtime-interface-emulator/cmd/aws-lambda-rie"

// Binaries are the paths of a built RIE and a built function bootstrap.
type Binaries struct {
	RIE       string
	Bootstrap string
}

// Build compiles the RIE and the example function into dir and returns their paths. Both are
// static (CGO_ENABLED=0); the function is built with -tags lambda.norpc, as on Lambda.
func Build(ctx context.Context, dir string) (Binaries, error) {
	root, err := ModuleRoot()
	if err != nil {
		return Binaries{}, err
	}
	b := Binaries{RIE: filepath.Join(dir, "aws-lambda-rie"), Bootstrap: filepath.Join(dir, "bootstrap")}
	for _, args := range buildArgs(b) {
		if err := goBuild(ctx, root, args); err != nil {
			return Binaries{}, err
		}
	}
	return b, nil
}

// buildArgs returns the go command arguments that build b's two binaries.
func buildArgs(b Binaries) [][]string {
	return [][]string{
		{"build", "-o", b.RIE, RIEPackage},
		{"build", "-tags", "lambda.norpc", "-o", b.Bootstrap, "./lambda"},
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

//go:build mage

// This repository's own magefile: it imports the same target library that consumers import,
// and adds repo-only targets.
package main

import (
	"github.com/magefile/mage/sh"

	//mage:import
	"github.com/lambdalocal/lambdalocal/magefiles/targets"
)

func init() {
	// The example function lives in ./lambda.
	targets.Settings.Handler = "./lambda"
}

// Test runs the whole test suite; Docker-backed tests need a running engine (see .ci/ensure-docker).
func Test() error {
	return sh.RunV("go", "test", "-count=1", "./...")
}

// Bench runs the benchmarks and prints their figures.
func Bench() error {
	return sh.RunV("go", "test", "-run", "^$", "-bench", ".", "-benchtime", "2s", "./...")
}

// Lint checks formatting with gofmt and runs go vet.
func Lint() error {
	out, err := sh.Output("gofmt", "-l", ".")
	if err != nil {
		return err
	}
	if out != "" {
		return &unformattedError{files: out}
	}
	return sh.RunV("go", "vet", "./...")
}

type unformattedError struct{ files string }

func (e *unformattedError) Error() string {
	return "gofmt would change these files (run gofmt -w .):\n" + e.files
}

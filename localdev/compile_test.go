package localdev

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"
)

func TestCompileArgs(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		gcflags string
		want    []string
	}{
		{"release build strips symbols and uses the norpc runtime", "",
			[]string{"build", "-trimpath", "-tags", "lambda.norpc", "-o", "/out/bootstrap", "-ldflags", "-s -w", "./lambda"}},
		{"debug build keeps symbols and passes gcflags", "all=-N -l",
			[]string{"build", "-trimpath", "-tags", "lambda.norpc", "-o", "/out/bootstrap", "-gcflags", "all=-N -l", "./lambda"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := compileArgs("./lambda", "/out/bootstrap", tt.gcflags); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("compileArgs = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestCompileEnvDisablesCgoAndSetsTarget(t *testing.T) {
	t.Parallel()
	got := compileEnv(compileOptions{goos: "linux", goarch: "arm64"})
	want := []string{"CGO_ENABLED=0", "GOOS=linux", "GOARCH=arm64", "GOFLAGS=-buildvcs=false"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("compileEnv = %q, want %q", got, want)
	}
}

func TestCompileBuildsStaticLinuxExecutable(t *testing.T) {
	t.Parallel()
	out := filepath.Join(t.TempDir(), "bootstrap")
	if err := Compile(context.Background(), "..", "./lambda", out, WithArch("arm64")); err != nil {
		t.Fatal(err)
	}
	f, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	// ELF header: class 64-bit, e_machine at offset 18 is 0xB7 (183) for aarch64.
	if string(f[1:4]) != "ELF" || f[18] != 0xB7 {
		t.Fatalf("output is not a linux/arm64 ELF executable (machine byte %#x)", f[18])
	}
}

func TestCompileErrorNamesPackageAndShowsCompilerOutput(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeTestFile(t, filepath.Join(dir, "go.mod"), "module example.com/broken\n\ngo 1.22\n")
	writeTestFile(t, filepath.Join(dir, "main.go"), "package main\n\nfunc main() { undefinedThing() }\n")
	err := Compile(context.Background(), dir, ".", filepath.Join(dir, "out"), WithArch(runtime.GOARCH))
	var ce *CompileError
	if !errors.As(err, &ce) {
		t.Fatalf("Compile error = %v, want *CompileError", err)
	}
	for _, want := range []string{"compiling handler package .", "undefined: undefinedThing"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not contain %q", err, want)
		}
	}
}

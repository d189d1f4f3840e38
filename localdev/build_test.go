package localdev

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
)

// newHandlerModule writes a module holding a trivial main package in ./fn and returns its folder.
func newHandlerModule(t *testing.T, body string) string {
	t.Helper()
	dir := t.TempDir()
	writeTestFile(t, filepath.Join(dir, "go.mod"), "module example.com/fn\n\ngo 1.22\n")
	writeTestFile(t, filepath.Join(dir, "fn", "main.go"), "package main\n\nfunc main() {"+body+"}\n")
	return dir
}

func TestBuildWritesBootstrapAndRIEThenReportsUpToDate(t *testing.T) {
	t.Parallel()
	dir := newHandlerModule(t, "")
	cfg := Config{Dir: dir, Handler: "./fn", Arch: "arm64"}
	var out bytes.Buffer
	if err := Build(context.Background(), cfg, WithOutput(&out)); err != nil {
		t.Fatal(err)
	}
	assertStaticELF(t, BootstrapPath(dir), "arm64")
	assertStaticELF(t, RIEPath(dir, "arm64"), "arm64")
	for _, want := range []string{"bootstrap: built (./fn for linux/arm64) localdev/var-runtime/bootstrap",
		"aws-lambda-rie: built (" + RIEVersion + " for linux/arm64) localdev/.rie/arm64/aws-lambda-rie"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("first build output %q lacks %q", out.String(), want)
		}
	}

	out.Reset()
	if err := Build(context.Background(), cfg, WithOutput(&out)); err != nil {
		t.Fatal(err)
	}
	if got := strings.Count(out.String(), ": up to date"); got != 2 {
		t.Errorf("second build output %q: want both parts up to date", out.String())
	}

	// A changed source is rebuilt.
	writeTestFile(t, filepath.Join(dir, "fn", "main.go"), "package main\n\nfunc main() { println(1) }\n")
	out.Reset()
	if err := Build(context.Background(), cfg, WithOutput(&out)); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "bootstrap: built") {
		t.Errorf("build after an edit: output %q, want the bootstrap rebuilt", out.String())
	}
}

func TestBuildCompileErrorNamesPackage(t *testing.T) {
	t.Parallel()
	dir := newHandlerModule(t, " undefinedThing() ")
	err := Build(context.Background(), Config{Dir: dir, Handler: "./fn"})
	var ce *CompileError
	if !errors.As(err, &ce) || ce.Package != "./fn" || !strings.Contains(err.Error(), "undefined: undefinedThing") {
		t.Fatalf("Build = %v, want a *CompileError for ./fn with the compiler's output", err)
	}
}

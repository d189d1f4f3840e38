package localdev

import (
	"bufio"
	"bytes"
	"context"
	"debug/elf"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"
)

func TestRIEBuildArgsAreReadonlyStaticAndStripped(t *testing.T) {
	t.Parallel()
	want := []string{"build", "-mod=readonly", "-trimpath", "-ldflags", "-s -w", "-o", "/out/rie",
		"github.com/aws/aws-lambda-runtime-interface-emulator/cmd/aws-lambda-rie"}
	if got := toolBuildArgs(rieTool().pkg, "/out/rie"); !reflect.DeepEqual(got, want) {
		t.Errorf("toolBuildArgs = %q, want %q", got, want)
	}
}

func TestRIEBuildEnvOverridesConsumerSettings(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, key, want string
	}{
		{"cgo is off so the RIE is static", "CGO_ENABLED", "0"},
		{"the target is linux", "GOOS", "linux"},
		{"the arch is the function's", "GOARCH", "arm64"},
		{"a consumer's GOFLAGS=-mod=mod cannot resolve modules afresh", "GOFLAGS", "-buildvcs=false"},
		{"a go.work cannot pull the scratch module in", "GOWORK", "off"},
	}
	env := append([]string{"GOFLAGS=-mod=mod", "GOWORK=/x/go.work"}, toolBuildEnv("linux", "arm64")...)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got, _ := lookupEnv(env, tt.key); got != tt.want {
				t.Errorf("%s = %q, want %q", tt.key, got, tt.want)
			}
		})
	}
}

// The embedded build module must pin what this repository pins: each go.sum line is one of the
// repository's own, and go.mod requires the RIE at RIEVersion.
func TestRIEModuleAgreesWithRepositoryGoSum(t *testing.T) {
	t.Parallel()
	gomod, gosum, err := rieTool().moduleFiles()
	if err != nil {
		t.Fatal(err)
	}
	repo, err := os.ReadFile(filepath.Join("..", "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	have := map[string]bool{}
	for _, line := range strings.Split(string(repo), "\n") {
		have[line] = true
	}
	s := bufio.NewScanner(strings.NewReader(string(gosum)))
	n := 0
	for s.Scan() {
		if line := s.Text(); line != "" {
			n++
			if !have[line] {
				t.Errorf("rie/go.sum.txt line not in the repository's go.sum: %s", line)
			}
		}
	}
	if n == 0 {
		t.Error("rie/go.sum.txt is empty")
	}
	if !strings.Contains(string(gomod), RIEModule+" "+RIEVersion) {
		t.Errorf("rie/go.mod.txt does not require %s %s", RIEModule, RIEVersion)
	}
	if !strings.Contains(string(gosum), RIEModule+" "+RIEVersion+" h1:") {
		t.Errorf("rie/go.sum.txt has no checksum for %s %s", RIEModule, RIEVersion)
	}
}

func TestBuildRIEBuildsStaticExecutableOnceThenSkips(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	ctx := context.Background()
	built, err := BuildRIE(ctx, dir, runtime.GOARCH)
	if err != nil {
		t.Fatal(err)
	}
	if !built {
		t.Fatal("first BuildRIE reported no work")
	}
	assertStaticELF(t, RIEPath(dir, runtime.GOARCH), runtime.GOARCH)

	if built, err = BuildRIE(ctx, dir, runtime.GOARCH); err != nil || built {
		t.Fatalf("second BuildRIE = built %v, %v; want up to date", built, err)
	}

	// A stamp from another build module (an older lambdalocal) means rebuild.
	writeTestFile(t, RIEPath(dir, runtime.GOARCH)+".stamp", "old\n")
	if built, err = BuildRIE(ctx, dir, runtime.GOARCH); err != nil || !built {
		t.Fatalf("BuildRIE after a stale stamp = built %v, %v; want a rebuild", built, err)
	}
}

// With no build in the user cache dir (here a fresh one), the go command is needed.
func TestBuildRIEWithoutGoSaysInstallGo(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	_, err := BuildRIE(context.Background(), t.TempDir(), "amd64", WithCommandEnv("PATH="+t.TempDir()))
	if err == nil || !strings.Contains(err.Error(), "install Go") {
		t.Fatalf("BuildRIE without go on PATH = %v, want a message that says to install Go", err)
	}
}

// assertStaticELF checks that path is a linux ELF executable for goarch with no program
// interpreter, i.e. statically linked: it must run in an image with no libc.
func assertStaticELF(t *testing.T, path, goarch string) {
	t.Helper()
	f, err := elf.Open(path)
	if err != nil {
		t.Fatalf("opening %s: %v", path, err)
	}
	defer f.Close()
	machine := map[string]elf.Machine{"amd64": elf.EM_X86_64, "arm64": elf.EM_AARCH64}[goarch]
	if f.Machine != machine {
		t.Errorf("%s is for %v, want %v", path, f.Machine, machine)
	}
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			t.Errorf("%s is dynamically linked (it has a program interpreter)", path)
		}
	}
}

// The go command runs in the build module's folder: a relative repository folder must still
// get the RIE, not the build module.
func TestBuildRIEWithRelativeDir(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	if _, err := BuildRIE(context.Background(), ".", runtime.GOARCH); err != nil {
		t.Fatal(err)
	}
	assertStaticELF(t, filepath.Join(dir, "localdev", ".rie", runtime.GOARCH, "aws-lambda-rie"), runtime.GOARCH)
}

// A build that compiles (here: no copy in a fresh user cache dir) says so first, since the first
// one downloads and compiles a module; one that copies the cached executable is silent until done.
func TestToolBuildSaysWhenItCompiles(t *testing.T) {
	goCache, err := exec.Command("go", "env", "GOCACHE").Output()
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("GOCACHE", strings.TrimSpace(string(goCache))) // keep the go build cache warm
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	ctx := context.Background()
	var out bytes.Buffer
	if _, err := BuildRIE(ctx, t.TempDir(), runtime.GOARCH, WithOutput(&out)); err != nil {
		t.Fatal(err)
	}
	want := "aws-lambda-rie: building the Runtime Interface Emulator " + RIEVersion + " for linux/" + runtime.GOARCH + " from its Go module"
	if !strings.Contains(out.String(), want) {
		t.Errorf("first build said %q, want %q", out.String(), want)
	}
	out.Reset()
	if built, err := BuildRIE(ctx, t.TempDir(), runtime.GOARCH, WithOutput(&out)); err != nil || !built {
		t.Fatalf("BuildRIE into a second folder = %v, %v; want a copy", built, err)
	}
	if out.Len() != 0 {
		t.Errorf("a copy from the cache said %q, want nothing", out.String())
	}
}

package localdev

import (
	"bytes"
	"context"
	"errors"
	"net"
	"os/exec"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"time"
)

func TestDelveArgsRunTheProgramHeadlessAtOnce(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, addr, program string
		want                []string
	}{
		{"dev listens on loopback and runs the host build", "127.0.0.1:2345", "/tmp/lambdalocal-dev-1/build-1/bootstrap",
			[]string{"exec", "/tmp/lambdalocal-dev-1/build-1/bootstrap", "--headless", "--listen=127.0.0.1:2345", "--api-version=2", "--accept-multiclient", "--continue"}},
		{"the container listens on all its interfaces (published on 127.0.0.1) and runs /var/runtime/bootstrap", ":2345", "/var/runtime/bootstrap",
			[]string{"exec", "/var/runtime/bootstrap", "--headless", "--listen=:2345", "--api-version=2", "--accept-multiclient", "--continue"}},
		{"another port", "127.0.0.1:40000", "bootstrap",
			[]string{"exec", "bootstrap", "--headless", "--listen=127.0.0.1:40000", "--api-version=2", "--accept-multiclient", "--continue"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := delveArgs(tt.addr, tt.program); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("delveArgs = %q, want %q", got, tt.want)
			}
		})
	}
}

// The container runs Delve from entrypoint.sh: its command line must be delveArgs' (on :2345).
func TestEntrypointRunsDelveWithDelveArgs(t *testing.T) {
	t.Parallel()
	script, err := assets.ReadFile("entrypoint.sh")
	if err != nil {
		t.Fatal(err)
	}
	flat := strings.Join(strings.Fields(strings.ReplaceAll(string(script), "\\\n", " ")), " ")
	want := "exec /usr/local/bin/dlv " + strings.Join(delveArgs(":2345", "/var/runtime/bootstrap"), " ")
	if !strings.Contains(flat, want) {
		t.Errorf("entrypoint.sh does not run %q:\n%s", want, script)
	}
}

func TestConfigDebugDefaults(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		cfg         Config
		wantTimeout time.Duration
		wantPort    int
	}{
		{"without debug the timeout stays", Config{Timeout: time.Minute}, time.Minute, DefaultDebugPort},
		{"debug raises a shorter timeout to AWS's 15 minutes", Config{Debug: true, Timeout: time.Minute}, 15 * time.Minute, DefaultDebugPort},
		{"debug raises the default timeout too", Config{Debug: true}, 15 * time.Minute, DefaultDebugPort},
		{"debug keeps a longer timeout", Config{Debug: true, Timeout: time.Hour}, time.Hour, DefaultDebugPort},
		{"a chosen debug port stays", Config{Debug: true, DebugPort: 40000}, 15 * time.Minute, 40000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := tt.cfg.WithDefaults()
			if got.Timeout != tt.wantTimeout || got.DebugPort != tt.wantPort {
				t.Errorf("WithDefaults() timeout %s port %d, want %s %d", got.Timeout, got.DebugPort, tt.wantTimeout, tt.wantPort)
			}
		})
	}
}

func TestDebugArchWarning(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		cfg  Config
		host string
		want string // substring; "" means no warning
	}{
		{"no debug, no warning", Config{Arch: "arm64"}, "amd64", ""},
		{"debugging the host's arch, no warning", Config{Arch: "amd64", Debug: true}, "amd64", ""},
		{"debugging a foreign arch warns and names the fix", Config{Arch: "arm64", Debug: true}, "amd64", "LAMBDALOCAL_ARCH=amd64"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := debugArchWarning(tt.cfg, tt.host)
			if (tt.want == "") != (got == "") || !strings.Contains(got, tt.want) {
				t.Errorf("debugArchWarning = %q, want one containing %q", got, tt.want)
			}
		})
	}
}

// The embedded build module pins Delve at DelveVersion with a checksum.
func TestDelveModulePinsDelveVersion(t *testing.T) {
	t.Parallel()
	gomod, gosum, err := delveTool().moduleFiles()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(gomod), DelveModule+" "+DelveVersion) {
		t.Errorf("delve/go.mod.txt does not require %s %s", DelveModule, DelveVersion)
	}
	if !strings.Contains(string(gomod), "tool "+delvePackage+"\n") {
		t.Errorf("delve/go.mod.txt has no tool line for %s", delvePackage)
	}
	if !strings.Contains(string(gosum), DelveModule+" "+DelveVersion+" h1:") {
		t.Errorf("delve/go.sum.txt has no checksum for %s %s", DelveModule, DelveVersion)
	}
}

// BuildDelve gives a static Delve of the pinned version that runs; a second call does nothing.
func TestBuildDelveBuildsStaticDelveOnceThenSkips(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	ctx := context.Background()
	start := time.Now()
	built, err := BuildDelve(ctx, dir, runtime.GOARCH)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("BuildDelve took %s", time.Since(start))
	if !built {
		t.Fatal("first BuildDelve reported no work")
	}
	path := DelvePath(dir, runtime.GOARCH)
	assertStaticELF(t, path, runtime.GOARCH)
	out, err := exec.Command(path, "version").CombinedOutput()
	if err != nil || !strings.Contains(string(out), "Version: "+strings.TrimPrefix(DelveVersion, "v")) {
		t.Errorf("dlv version = %v\n%s\nwant Version: %s", err, out, DelveVersion)
	}
	if built, err = BuildDelve(ctx, dir, runtime.GOARCH); err != nil || built {
		t.Fatalf("second BuildDelve = built %v, %v; want up to date", built, err)
	}
}

// BuildDelve for the other Lambda arch gives an executable for that arch.
func TestBuildDelveCrossArch(t *testing.T) {
	t.Parallel()
	other := map[string]string{"amd64": "arm64", "arm64": "amd64"}[runtime.GOARCH]
	if other == "" {
		t.Skipf("host arch %s is not a Lambda arch", runtime.GOARCH)
	}
	dir := t.TempDir()
	if _, err := BuildDelve(context.Background(), dir, other); err != nil {
		t.Fatal(err)
	}
	assertStaticELF(t, DelvePath(dir, other), other)
}

// Build with Debug compiles the handler for the debugger and builds Delve, saying so.
func TestBuildWithDebugBuildsForTheDebuggerAndBuildsDelve(t *testing.T) {
	t.Parallel()
	cfg := Config{Dir: exampleModule(t), Handler: "./lambda", Debug: true}.WithDefaults()
	var out bytes.Buffer
	if err := Build(context.Background(), cfg, WithOutput(&out)); err != nil {
		t.Fatal(err)
	}
	t.Logf("build output:\n%s", out.String())
	if !isDebugBuild(BootstrapPath(cfg.Dir)) {
		t.Error("the bootstrap's build information lacks -gcflags=" + DebugGCFlags)
	}
	for _, want := range []string{"debug build -gcflags=all=-N -l", "dlv: built", DelveVersion, "localdev/.rie/" + cfg.Arch + "/dlv"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("build output lacks %q:\n%s", want, out.String())
		}
	}
	if err := checkDebugBuilt(cfg); err != nil {
		t.Errorf("checkDebugBuilt after a debug build: %v", err)
	}
}

// Up with Debug needs Delve and a debug build of the bootstrap: each missing piece is named with
// the command that makes it.
func TestCheckDebugBuiltSaysHowToBuild(t *testing.T) {
	t.Parallel()
	dir := exampleModule(t)
	cfg := Config{Dir: dir, Handler: "./lambda", Debug: true}.WithDefaults()
	ctx := context.Background()
	if err := Compile(ctx, dir, "./lambda", BootstrapPath(dir), WithArch(cfg.Arch)); err != nil {
		t.Fatal(err)
	}
	err := checkDebugBuilt(cfg)
	if !errors.Is(err, ErrNoDebugBuild) || !strings.Contains(err.Error(), "localdev/.rie/"+cfg.Arch+"/dlv is missing") || !strings.Contains(err.Error(), "LAMBDALOCAL_DEBUG=1 go tool mage build") {
		t.Errorf("without Delve: %v, want ErrNoDebugBuild naming dlv and the build command", err)
	}
	writeExecutable(t, DelvePath(dir, cfg.Arch), "#!/bin/sh\n")
	err = checkDebugBuilt(cfg)
	if !errors.Is(err, ErrNoDebugBuild) || !strings.Contains(err.Error(), "-gcflags") || !strings.Contains(err.Error(), "LAMBDALOCAL_DEBUG=1 go tool mage build") {
		t.Errorf("with an optimised bootstrap: %v, want ErrNoDebugBuild naming -gcflags and the build command", err)
	}
	if err := Compile(ctx, dir, "./lambda", BootstrapPath(dir), WithArch(cfg.Arch), WithGCFlags(DebugGCFlags)); err != nil {
		t.Fatal(err)
	}
	if err := checkDebugBuilt(cfg); err != nil {
		t.Errorf("with Delve and a debug bootstrap: %v", err)
	}
}

func TestCheckDebugPortNamesTheVariable(t *testing.T) {
	t.Parallel()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	n := l.Addr().(*net.TCPAddr).Port
	if err := checkDebugPort(n); !errors.Is(err, ErrPortInUse) || !strings.Contains(err.Error(), "LAMBDALOCAL_DEBUG_PORT") {
		t.Errorf("checkDebugPort(taken) = %v, want ErrPortInUse naming LAMBDALOCAL_DEBUG_PORT", err)
	}
	l.Close()
	if err := checkDebugPort(n); err != nil {
		t.Errorf("checkDebugPort(free) = %v", err)
	}
}

func TestDebugBannerSaysWhereAndHow(t *testing.T) {
	t.Parallel()
	cfg := Config{Debug: true, DebugPort: 40000}.WithDefaults()
	for _, b := range []string{debugBanner(cfg, false), debugBanner(cfg, true)} {
		for _, want := range []string{"127.0.0.1:40000", "dlv connect 127.0.0.1:40000", `"mode": "remote"`, "Go Remote", "docs/debugging.md", "15m0s"} {
			if !strings.Contains(b, want) {
				t.Errorf("banner lacks %q:\n%s", want, b)
			}
		}
	}
	if b := debugBanner(cfg, true); !strings.Contains(b, "once the first invoke starts the function") {
		t.Errorf("up's banner does not say Delve starts with the first invoke:\n%s", b)
	}
}

// What a second repository (or a fresh checkout) pays for Delve once one build is in the user
// cache dir: a copy. The first build of all is not measured here (about 30 s cold; see
// docs/debugging.md).
// go test ./localdev -run '^$' -bench BuildDelveIntoAFreshFolder
func BenchmarkBuildDelveIntoAFreshFolder(b *testing.B) {
	ctx := context.Background()
	if _, err := BuildDelve(ctx, b.TempDir(), runtime.GOARCH); err != nil { // fill the cache
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := BuildDelve(ctx, b.TempDir(), runtime.GOARCH); err != nil {
			b.Fatal(err)
		}
	}
}

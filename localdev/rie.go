package localdev

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
)

// The Runtime Interface Emulator lambdalocal builds: its Go module, the pinned version (the one
// in rie/go.mod.txt) and the command package.
const (
	RIEModule  = "github.com/aws/aws-lambda-runtime-interface-emulator"
	RIEVersion = "v0.0.0-20261030222936-bef5c4ba774d"
	riePackage = RIEModule + "/cmd/aws-lambda-rie"
)

// rieTool is the RIE as a goTool.
func rieTool() goTool {
	return goTool{name: "aws-lambda-rie", what: "the Runtime Interface Emulator", module: RIEModule, version: RIEVersion, pkg: riePackage, files: "rie"}
}

// RIEPath returns where BuildRIE puts the RIE for arch: <dir>/localdev/.rie/<arch>/aws-lambda-rie,
// the git-ignored folder the Dockerfile copies it from.
func RIEPath(dir, arch string) string {
	return filepath.Join(dir, "localdev", ".rie", arch, "aws-lambda-rie")
}

// BuildRIE builds a static (CGO_ENABLED=0) RIE for linux/arch into RIEPath(dir, arch) and reports
// whether it did any work. See goTool.build for how.
func BuildRIE(ctx context.Context, dir, arch string, opts ...Option) (bool, error) {
	dir, err := filepath.Abs(dir) // the go command runs in the build module's folder
	if err != nil {
		return false, fmt.Errorf("resolving %q: %w", dir, err)
	}
	return rieTool().build(ctx, RIEPath(dir, arch), arch, newOptions(opts))
}

// goTool is a Go command lambdalocal builds from its module at a pinned version: the RIE, Delve.
type goTool struct {
	name    string // the command's name, the prefix of progress lines: "aws-lambda-rie"
	what    string // for messages: "the Runtime Interface Emulator"
	module  string // Go module path
	version string // the version the embedded go.mod requires
	pkg     string // the command's package
	files   string // folder of the embedded go.mod.txt and go.sum.txt (see assets.go)
}

// build builds a static (CGO_ENABLED=0) t for linux/arch into out and reports whether it did
// any work.
//
// It builds in a scratch module under the user cache dir whose go.mod and go.sum are embedded
// (<files>/go.mod.txt, <files>/go.sum.txt), with -mod=readonly: every module is verified against
// those checksums, and the build works the same in a repository whose own go.sum lacks the
// tool's entries. The executable is kept in that module's folder (bin/linux_<arch>/) and copied
// to out, so a second repository, or a test's fresh folder, gets it without a build. A stamp
// beside each copy records the module's hash and the arch; when the copy exists and the stamp
// matches, nothing is built or copied. Each copy is renamed into place, so a reader never sees
// half an executable.
func (t goTool) build(ctx context.Context, out, arch string, o options) (bool, error) {
	stamp := t.stamp("linux", arch)
	if upToDate(out, stamp) {
		return false, nil
	}
	cached, err := t.cached(ctx, "linux", arch, o)
	if err != nil {
		return false, err
	}
	if err := copyExecutable(cached, out); err != nil {
		return false, fmt.Errorf("copying %s into place: %w", t.what, err)
	}
	if err := os.WriteFile(out+".stamp", []byte(stamp), 0o644); err != nil {
		return false, fmt.Errorf("writing the stamp of %s: %w", t.what, err)
	}
	return true, nil
}

// cached returns the path of t built for goos/arch in its build module's folder
// (bin/<goos>_<arch>/), building it first when missing or stale.
func (t goTool) cached(ctx context.Context, goos, arch string, o options) (string, error) {
	mod, err := t.writeModule()
	if err != nil {
		return "", err
	}
	stamp := t.stamp(goos, arch)
	path := filepath.Join(mod, "bin", goos+"_"+arch, t.name)
	if upToDate(path, stamp) {
		return path, nil
	}
	if err := t.compile(ctx, mod, path, goos, arch, o); err != nil {
		return "", err
	}
	if err := os.WriteFile(path+".stamp", []byte(stamp), 0o644); err != nil {
		return "", fmt.Errorf("writing the stamp of %s: %w", t.what, err)
	}
	return path, nil
}

// compile runs the go command in the build module mod to build t for goos/arch into out,
// saying on WithOutput's writer that it starts: the first build downloads and compiles the
// module, which takes a while.
func (t goTool) compile(ctx context.Context, mod, out, goos, arch string, o options) error {
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return fmt.Errorf("creating the folder for %s: %w", t.what, err)
	}
	goCmd, err := lookPath("go", o.env)
	if err != nil {
		return fmt.Errorf("building %s: the go command is not on PATH: install Go from https://go.dev/dl/", t.what)
	}
	tmp, err := tempPath(filepath.Dir(out), filepath.Base(out)+"-*.tmp")
	if err != nil {
		return err
	}
	fmt.Fprintf(o.out, "%s: building %s %s for %s/%s from its Go module (the first time downloads and compiles it: half a minute or more)...\n", t.name, t.what, t.version, goos, arch)
	cmd := exec.CommandContext(ctx, goCmd, toolBuildArgs(t.pkg, tmp)...)
	cmd.Dir = mod
	cmd.Env = append(append(os.Environ(), o.env...), toolBuildEnv(goos, arch)...)
	var output bytes.Buffer
	cmd.Stdout, cmd.Stderr = &output, &output
	if err := cmd.Run(); err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("building %s %s@%s for %s/%s: %w\n%s",
			t.what, t.module, t.version, goos, arch, err, bytes.TrimSpace(output.Bytes()))
	}
	if err := os.Rename(tmp, out); err != nil {
		return fmt.Errorf("moving %s into place: %w", t.what, err)
	}
	return nil
}

// copyExecutable copies the file src to dst with mode 0755 (the image runs it) through a
// temporary file beside dst.
func copyExecutable(src, dst string) error {
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	tmp, err := tempPath(filepath.Dir(dst), filepath.Base(dst)+"-*.tmp")
	if err != nil {
		return err
	}
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_TRUNC, 0)
	if err == nil {
		_, err = io.Copy(f, in)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}
	if err == nil {
		err = os.Chmod(tmp, 0o755) // CreateTemp made it 0600
	}
	if err == nil {
		err = os.Rename(tmp, dst)
	}
	if err != nil {
		_ = os.Remove(tmp)
	}
	return err
}

// toolBuildArgs returns the go command's arguments for building the command package pkg into out.
func toolBuildArgs(pkg, out string) []string {
	return []string{"build", "-mod=readonly", "-trimpath", "-ldflags", "-s -w", "-o", out, pkg}
}

// toolBuildEnv returns the environment a tool's build gets on top of the caller's. It replaces
// GOFLAGS (a consumer's -mod=mod must not let the build resolve modules afresh) and turns off
// workspaces, which would otherwise pull the scratch module into a go.work.
func toolBuildEnv(goos, arch string) []string {
	return []string{"CGO_ENABLED=0", "GOOS=" + goos, "GOARCH=" + arch, "GOFLAGS=-buildvcs=false", "GOWORK=off"}
}

// moduleFiles returns the embedded go.mod and go.sum of t's build module.
func (t goTool) moduleFiles() (gomod, gosum []byte, err error) {
	if gomod, err = toolModules.ReadFile(t.files + "/go.mod.txt"); err != nil {
		return nil, nil, fmt.Errorf("reading the embedded go.mod of %s: %w", t.what, err)
	}
	if gosum, err = toolModules.ReadFile(t.files + "/go.sum.txt"); err != nil {
		return nil, nil, fmt.Errorf("reading the embedded go.sum of %s: %w", t.what, err)
	}
	return gomod, gosum, nil
}

// stamp identifies a build of t: the hash of the module files, which pin every input by
// checksum, and the target.
func (t goTool) stamp(goos, arch string) string {
	gomod, gosum, err := t.moduleFiles()
	if err != nil {
		return "" // never matches a written stamp, so the build runs and reports the error
	}
	h := sha256.New()
	h.Write(gomod)
	h.Write(gosum)
	return fmt.Sprintf("%s %s %s/%s sha256:%s\n", t.module, t.version, goos, arch, hex.EncodeToString(h.Sum(nil)))
}

// upToDate reports whether out is a regular file with stamp beside it.
func upToDate(out, stamp string) bool {
	if stamp == "" {
		return false
	}
	if fi, err := os.Stat(out); err != nil || !fi.Mode().IsRegular() {
		return false
	}
	got, err := os.ReadFile(out + ".stamp")
	return err == nil && string(got) == stamp
}

// writeModule writes t's embedded build module into a folder of the user cache dir named by
// its hash, and returns the folder.
func (t goTool) writeModule() (string, error) {
	gomod, gosum, err := t.moduleFiles()
	if err != nil {
		return "", err
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("finding the user cache dir for the build module of %s: %w", t.what, err)
	}
	sum := sha256.Sum256(append(append([]byte{}, gomod...), gosum...))
	dir := filepath.Join(cache, "lambdalocal", t.files+"-"+hex.EncodeToString(sum[:6]))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("creating the build module of %s: %w", t.what, err)
	}
	for name, data := range map[string][]byte{"go.mod": gomod, "go.sum": gosum} {
		if err := writeIfChanged(filepath.Join(dir, name), data, 0o644); err != nil {
			return "", fmt.Errorf("writing the build module of %s: %w", t.what, err)
		}
	}
	return dir, nil
}

// tempPath returns the path of a new empty file in dir, for writing output that is then renamed
// into place so that a reader never sees half a file.
func tempPath(dir, pattern string) (string, error) {
	f, err := os.CreateTemp(dir, pattern)
	if err != nil {
		return "", fmt.Errorf("creating a temporary file in %s: %w", dir, err)
	}
	return f.Name(), f.Close()
}

// writeIfChanged writes data to path unless the file already holds exactly data. The write is
// atomic: a build running at the same time (another test, another terminal) never reads half a
// go.mod.
func writeIfChanged(path string, data []byte, mode os.FileMode) error {
	if old, err := os.ReadFile(path); err == nil && bytes.Equal(old, data) {
		return nil
	}
	return writeFileAtomic(path, data, mode)
}

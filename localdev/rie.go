package localdev

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
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

// RIEPath returns where BuildRIE puts the RIE for arch: <dir>/localdev/.rie/<arch>/aws-lambda-rie,
// the git-ignored folder the Dockerfile copies it from.
func RIEPath(dir, arch string) string {
	return filepath.Join(dir, "localdev", ".rie", arch, "aws-lambda-rie")
}

// BuildRIE builds a static (CGO_ENABLED=0) RIE for linux/arch into RIEPath(dir, arch) and reports
// whether it did any work.
//
// It builds in a scratch module under the user cache dir whose go.mod and go.sum are embedded
// (rie/go.mod.txt, rie/go.sum.txt), with -mod=readonly: every module is verified against those
// checksums, and the build works the same in a repository whose own go.sum lacks the RIE's
// entries. A stamp beside the output records the module's hash and the arch; when the output
// exists and the stamp matches, nothing is built.
func BuildRIE(ctx context.Context, dir, arch string, opts ...Option) (bool, error) {
	o := newOptions(opts)
	dir, err := filepath.Abs(dir) // the go command runs in the build module's folder
	if err != nil {
		return false, fmt.Errorf("resolving %q: %w", dir, err)
	}
	out := RIEPath(dir, arch)
	stamp := rieStamp(arch)
	if rieUpToDate(out, stamp) {
		return false, nil
	}
	mod, err := writeRIEModule()
	if err != nil {
		return false, err
	}
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return false, fmt.Errorf("creating RIE folder: %w", err)
	}
	goCmd, err := lookPath("go", o.env)
	if err != nil {
		return false, fmt.Errorf("building the Runtime Interface Emulator: the go command is not on PATH: install Go from https://go.dev/dl/")
	}
	tmp, err := tempPath(filepath.Dir(out), "aws-lambda-rie-*.tmp")
	if err != nil {
		return false, err
	}
	cmd := exec.CommandContext(ctx, goCmd, rieBuildArgs(tmp)...)
	cmd.Dir = mod
	cmd.Env = append(append(os.Environ(), o.env...), rieBuildEnv(arch)...)
	var output bytes.Buffer
	cmd.Stdout, cmd.Stderr = &output, &output
	if err := cmd.Run(); err != nil {
		_ = os.Remove(tmp)
		return false, fmt.Errorf("building the Runtime Interface Emulator %s@%s for linux/%s: %w\n%s",
			RIEModule, RIEVersion, arch, err, bytes.TrimSpace(output.Bytes()))
	}
	if err := os.Chmod(tmp, 0o755); err != nil { // CreateTemp made it 0600; the image runs it
		return false, fmt.Errorf("making the RIE executable: %w", err)
	}
	if err := os.Rename(tmp, out); err != nil {
		return false, fmt.Errorf("moving the RIE into place: %w", err)
	}
	if err := os.WriteFile(out+".stamp", []byte(stamp), 0o644); err != nil {
		return false, fmt.Errorf("writing the RIE stamp: %w", err)
	}
	return true, nil
}

// rieBuildArgs returns the go command's arguments for building the RIE into out.
func rieBuildArgs(out string) []string {
	return []string{"build", "-mod=readonly", "-trimpath", "-ldflags", "-s -w", "-o", out, riePackage}
}

// rieBuildEnv returns the environment the RIE build gets on top of the caller's. It replaces
// GOFLAGS (a consumer's -mod=mod must not let the build resolve modules afresh) and turns off
// workspaces, which would otherwise pull the scratch module into a go.work.
func rieBuildEnv(arch string) []string {
	return []string{"CGO_ENABLED=0", "GOOS=linux", "GOARCH=" + arch, "GOFLAGS=-buildvcs=false", "GOWORK=off"}
}

// rieModuleFiles returns the embedded go.mod and go.sum of the RIE build module.
func rieModuleFiles() (gomod, gosum []byte, err error) {
	if gomod, err = rieModule.ReadFile("rie/go.mod.txt"); err != nil {
		return nil, nil, fmt.Errorf("reading embedded RIE go.mod: %w", err)
	}
	if gosum, err = rieModule.ReadFile("rie/go.sum.txt"); err != nil {
		return nil, nil, fmt.Errorf("reading embedded RIE go.sum: %w", err)
	}
	return gomod, gosum, nil
}

// rieStamp identifies an RIE build: the hash of the module files, which pin every input by
// checksum, and the arch.
func rieStamp(arch string) string {
	gomod, gosum, err := rieModuleFiles()
	if err != nil {
		return "" // never matches a written stamp, so the build runs and reports the error
	}
	h := sha256.New()
	h.Write(gomod)
	h.Write(gosum)
	return fmt.Sprintf("%s %s linux/%s sha256:%s\n", RIEModule, RIEVersion, arch, hex.EncodeToString(h.Sum(nil)))
}

func rieUpToDate(out, stamp string) bool {
	if stamp == "" {
		return false
	}
	if fi, err := os.Stat(out); err != nil || !fi.Mode().IsRegular() {
		return false
	}
	got, err := os.ReadFile(out + ".stamp")
	return err == nil && string(got) == stamp
}

// writeRIEModule writes the embedded build module into a folder of the user cache dir named by
// its hash, and returns the folder.
func writeRIEModule() (string, error) {
	gomod, gosum, err := rieModuleFiles()
	if err != nil {
		return "", err
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("finding the user cache dir for the RIE build module: %w", err)
	}
	sum := sha256.Sum256(append(append([]byte{}, gomod...), gosum...))
	dir := filepath.Join(cache, "lambdalocal", "rie-"+hex.EncodeToString(sum[:6]))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("creating the RIE build module: %w", err)
	}
	for name, data := range map[string][]byte{"go.mod": gomod, "go.sum": gosum} {
		if err := writeIfChanged(filepath.Join(dir, name), data, 0o644); err != nil {
			return "", fmt.Errorf("writing the RIE build module: %w", err)
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

package registrytest

import (
	"archive/tar"
	"bytes"
	"fmt"
	"io"
	"os"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

// BusyboxPath is where Debian's busybox-static package installs its static binary.
const BusyboxPath = "/bin/busybox"

// busyboxApplets get a symlink to busybox in /bin, so that scripts find the usual commands.
var busyboxApplets = []string{
	"sh", "ash", "cat", "chmod", "echo", "env", "false", "kill", "ls", "mkdir",
	"printf", "ps", "rm", "sleep", "test", "true", "wget",
}

// LambdaConfig is the run configuration of the Lambda provided.al2023 base images, reduced to
// what a busybox base can honour: the Lambda environment variables and /var/task as the working
// directory. It sets no entrypoint; the Dockerfile that builds on the base does.
func LambdaConfig() v1.Config {
	return v1.Config{
		Env: []string{
			"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
			"LANG=en_US.UTF-8",
			"TZ=:/etc/localtime",
			"LAMBDA_TASK_ROOT=/var/task",
			"LAMBDA_RUNTIME_DIR=/var/runtime",
		},
		WorkingDir: "/var/task",
	}
}

// BusyboxLayer returns a layer holding the static busybox binary read from busyboxPath as
// /bin/busybox, /bin/sh and a few other applets as symlinks to it, an empty /var/task and a
// world-writable /tmp. The binary must be static: nothing else is in the image. File times are
// the Unix epoch, so the same binary gives the same layer digest.
func BusyboxLayer(busyboxPath string) (v1.Layer, error) {
	bin, err := os.ReadFile(busyboxPath)
	if err != nil {
		return nil, fmt.Errorf("reading busybox binary (install busybox-static): %w", err)
	}
	tb, err := busyboxTar(bin)
	if err != nil {
		return nil, err
	}
	return layerFromBytes(tb)
}

// LambdaBaseIndex returns a minimal, runnable Lambda base image for linux/amd64 and linux/arm64:
// BusyboxLayer(BusyboxPath) with LambdaConfig. Both entries hold this machine's amd64 busybox;
// see LayersIndex.
func LambdaBaseIndex() (v1.ImageIndex, error) {
	layer, err := BusyboxLayer(BusyboxPath)
	if err != nil {
		return nil, err
	}
	return LayersIndex(LambdaConfig(), layer)
}

func busyboxTar(bin []byte) ([]byte, error) {
	epoch := time.Unix(0, 0)
	entries := []tar.Header{
		{Typeflag: tar.TypeDir, Name: "bin/", Mode: 0o755},
		{Typeflag: tar.TypeDir, Name: "tmp/", Mode: 0o1777},
		{Typeflag: tar.TypeDir, Name: "var/", Mode: 0o755},
		{Typeflag: tar.TypeDir, Name: "var/task/", Mode: 0o755},
		{Typeflag: tar.TypeReg, Name: "bin/busybox", Mode: 0o755, Size: int64(len(bin))},
	}
	for _, applet := range busyboxApplets {
		entries = append(entries, tar.Header{Typeflag: tar.TypeSymlink, Name: "bin/" + applet, Linkname: "busybox", Mode: 0o777})
	}
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, h := range entries {
		h.ModTime = epoch
		h.Format = tar.FormatPAX
		if err := tw.WriteHeader(&h); err != nil {
			return nil, fmt.Errorf("writing tar header %s: %w", h.Name, err)
		}
		if h.Typeflag == tar.TypeReg {
			if _, err := tw.Write(bin); err != nil {
				return nil, fmt.Errorf("writing %s: %w", h.Name, err)
			}
		}
	}
	if err := tw.Close(); err != nil {
		return nil, fmt.Errorf("closing tar: %w", err)
	}
	return buf.Bytes(), nil
}

func layerFromBytes(b []byte) (v1.Layer, error) {
	layer, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(b)), nil
	})
	if err != nil {
		return nil, fmt.Errorf("making layer: %w", err)
	}
	return layer, nil
}

package registrytest_test

import (
	"archive/tar"
	"context"
	"errors"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/lambdalocal/lambdalocal/localdev/registrytest"

	"github.com/lambdalocal/lambdalocal/internal/testenv"
)

func TestPushIndexListsOnlyRunnablePlatforms(t *testing.T) {
	t.Parallel()
	reg := registrytest.New(t)
	idx, err := registrytest.RandomIndex("linux/amd64", "linux/arm64")
	if err != nil {
		t.Fatal(err)
	}
	if idx, err = registrytest.AddAttestations(idx); err != nil {
		t.Fatal(err)
	}
	pushed, err := reg.Push("lambda/base:latest", idx)
	if err != nil {
		t.Fatal(err)
	}
	if want := reg.Host + "/lambda/base:latest"; pushed.Ref != want {
		t.Errorf("Ref = %q, want %q", pushed.Ref, want)
	}
	if len(pushed.Platforms) != 2 || pushed.Platforms["linux/amd64"] == "" || pushed.Platforms["linux/arm64"] == "" {
		t.Errorf("Platforms = %v, want linux/amd64 and linux/arm64 only", pushed.Platforms)
	}

	desc := get(t, pushed.Ref)
	if !desc.MediaType.IsIndex() || desc.Digest.String() != pushed.Digest {
		t.Fatalf("registry serves %s %s, want an index %s", desc.MediaType, desc.Digest, pushed.Digest)
	}
	served, err := desc.ImageIndex()
	if err != nil {
		t.Fatal(err)
	}
	m, err := served.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Manifests) != 4 {
		t.Errorf("index has %d manifests, want 2 images and 2 attestations", len(m.Manifests))
	}
}

func TestPushImageIsSinglePlatform(t *testing.T) {
	t.Parallel()
	reg := registrytest.New(t)
	img, err := registrytest.RandomImage("linux/amd64")
	if err != nil {
		t.Fatal(err)
	}
	pushed, err := reg.Push("single:v1", img)
	if err != nil {
		t.Fatal(err)
	}
	desc := get(t, pushed.Ref)
	if !desc.MediaType.IsImage() || desc.Digest.String() != pushed.Digest || pushed.Platforms != nil {
		t.Errorf("registry serves %s %s (platforms %v), want the image %s", desc.MediaType, desc.Digest, pushed.Platforms, pushed.Digest)
	}
}

func TestDenyCredentialsRefusesOnlyAuthorizedRequests(t *testing.T) {
	t.Parallel()
	reg := registrytest.New(t, registrytest.WithMiddleware(registrytest.DenyCredentials))
	for _, tc := range []struct {
		name, auth string
		want       int
	}{
		{"anonymous passes", "", http.StatusOK},
		{"credentials are refused", "Basic dXNlcjpwYXNz", http.StatusForbidden},
	} {
		req, err := http.NewRequest(http.MethodGet, reg.URL+"/v2/", nil)
		if err != nil {
			t.Fatal(err)
		}
		if tc.auth != "" {
			req.Header.Set("Authorization", tc.auth)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tc.want {
			t.Errorf("%s: status %d, want %d", tc.name, resp.StatusCode, tc.want)
		}
	}
}

func TestBusyboxLayerHoldsShellAndTaskRoot(t *testing.T) {
	t.Parallel()
	info, err := os.Stat(registrytest.BusyboxPath)
	if err != nil {
		t.Fatalf("this test needs busybox-static: %v", err)
	}
	layer, err := registrytest.BusyboxLayer(registrytest.BusyboxPath)
	if err != nil {
		t.Fatal(err)
	}
	rc, err := layer.Uncompressed()
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	got := map[string]*tar.Header{}
	tr := tar.NewReader(rc)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		got[h.Name] = h
	}
	if h := got["bin/busybox"]; h == nil || h.Size != info.Size() || h.Mode&0o111 == 0 {
		t.Errorf("bin/busybox = %+v, want an executable of %d bytes", h, info.Size())
	}
	if h := got["bin/sh"]; h == nil || h.Typeflag != tar.TypeSymlink || h.Linkname != "busybox" {
		t.Errorf("bin/sh = %+v, want a symlink to busybox", h)
	}
	if h := got["var/task/"]; h == nil || h.Typeflag != tar.TypeDir {
		t.Errorf("var/task/ = %+v, want a directory", h)
	}
}

// TestLambdaBaseRunsOnDocker pulls the test base image into the real Docker engine and runs its
// shell: the image other packages' end-to-end tests build on must really run.
func TestLambdaBaseRunsOnDocker(t *testing.T) {
	t.Parallel()
	testenv.RequireDocker(t)
	reg := registrytest.New(t)
	pushed, err := reg.PushLambdaBase("lambda/base:test")
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"linux/amd64", "linux/arm64"} {
		if pushed.Platforms[p] == "" {
			t.Errorf("index lacks %s: %v", p, pushed.Platforms)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	pinned := pushed.Pinned()
	t.Cleanup(func() { _ = exec.Command("docker", "rmi", "-f", pinned).Run() })
	if out, err := exec.CommandContext(ctx, "docker", "pull", pinned).CombinedOutput(); err != nil {
		t.Fatalf("docker pull %s: %v\n%s", pinned, err, out)
	}
	out, err := exec.CommandContext(ctx, "docker", "run", "--rm", "--platform", "linux/amd64", pinned,
		"/bin/sh", "-c", `test -d /var/task && echo "$LAMBDA_TASK_ROOT $(pwd)"`).CombinedOutput()
	if err != nil {
		t.Fatalf("docker run: %v\n%s", err, out)
	}
	if got := strings.TrimSpace(string(out)); got != "/var/task /var/task" {
		t.Errorf("container printed %q, want %q", got, "/var/task /var/task")
	}
}

func get(t *testing.T, ref string) *remote.Descriptor {
	t.Helper()
	r, err := name.ParseReference(ref, name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	desc, err := remote.Get(r)
	if err != nil {
		t.Fatalf("fetching %s: %v", ref, err)
	}
	return desc
}

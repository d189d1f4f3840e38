package localdev

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"

	"github.com/lambdalocal/lambdalocal/localdev/registrytest"

	"github.com/lambdalocal/lambdalocal/internal/testenv"
)

// pinDockerfile is a consumer Dockerfile with everything image:pin must leave alone around the FROM.
const pinDockerfile = `# syntax=docker/dockerfile:1
# The Lambda base image; image:pin rewrites the next line.
FROM --platform=linux/amd64 %s AS runtime
ARG ARCH=amd64
COPY entrypoint.sh /usr/local/bin/
ENTRYPOINT ["/usr/local/bin/entrypoint.sh"]
`

// pinRepo is a consumer repository in a temporary folder holding localdev/Dockerfile with from as
// its base image.
func pinRepo(t *testing.T, from string) (dir, path string) {
	t.Helper()
	dir = t.TempDir()
	path = filepath.Join(dir, "localdev", "Dockerfile")
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, fmt.Appendf(nil, pinDockerfile, from), 0o640); err != nil {
		t.Fatal(err)
	}
	return dir, path
}

// pinPushIndex pushes an index of random images for platforms (plus attestations) to repoTag.
func pinPushIndex(t *testing.T, reg *registrytest.Registry, repoTag string, platforms ...string) registrytest.Pushed {
	t.Helper()
	idx, err := registrytest.RandomIndex(platforms...)
	if err != nil {
		t.Fatal(err)
	}
	if idx, err = registrytest.AddAttestations(idx); err != nil {
		t.Fatal(err)
	}
	pushed, err := reg.Push(repoTag, idx)
	if err != nil {
		t.Fatal(err)
	}
	return pushed
}

// pinOpts are the options every test passes: output captured, no saved credentials from this
// machine, one attempt, a short bound.
func pinOpts(out *bytes.Buffer, more ...ImageOption) []ImageOption {
	return append([]ImageOption{
		WithPinOutput(out),
		WithKeychain(authn.NewMultiKeychain()),
		WithRegistryAttempts(1),
		WithRegistryTimeout(20 * time.Second),
	}, more...)
}

func TestPinRewritesFromAndReportsPlatformDigests(t *testing.T) {
	t.Parallel()
	reg := registrytest.New(t)
	pushed := pinPushIndex(t, reg, "lambda/base:latest", "linux/amd64", "linux/arm64")
	dir, path := pinRepo(t, "ghcr.io/northwood-labs/lambda-provided-al2023:latest")
	var out bytes.Buffer

	res, err := Pin(context.Background(), Config{Dir: dir, BaseImage: pushed.Ref}, pinOpts(&out)...)
	if err != nil {
		t.Fatalf("Pin: %v", err)
	}

	if res.Digest != pushed.Digest || res.Pinned != pushed.Pinned() || !res.Changed || res.Dockerfile != path {
		t.Errorf("PinResult = %+v, want digest %s pinned %s changed in %s", res, pushed.Digest, pushed.Pinned(), path)
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if want := fmt.Sprintf(pinDockerfile, pushed.Pinned()); string(got) != want {
		t.Errorf("Dockerfile\n got %q\nwant %q", got, want)
	}
	if info, err := os.Stat(path); err != nil || info.Mode().Perm() != 0o640 {
		t.Errorf("Dockerfile mode = %v (%v), want 0640 kept", info.Mode(), err)
	}
	if len(res.Platforms) != 2 {
		t.Errorf("Platforms = %+v, want linux/amd64 and linux/arm64 only (no attestations)", res.Platforms)
	}
	for _, p := range res.Platforms {
		if pushed.Platforms[p.Platform] != p.Digest {
			t.Errorf("platform %s digest %s, pushed %s", p.Platform, p.Digest, pushed.Platforms[p.Platform])
		}
		if !strings.Contains(out.String(), p.Platform) || !strings.Contains(out.String(), p.Digest) {
			t.Errorf("output does not show %s %s:\n%s", p.Platform, p.Digest, out.String())
		}
	}
	t.Logf("output:\n%s", out.String())
	if !strings.Contains(out.String(), pushed.Digest) || strings.Contains(out.String(), "unknown") {
		t.Errorf("output should show the index digest and no attestation entry:\n%s", out.String())
	}
}

func TestPinTwiceChangesNothing(t *testing.T) {
	t.Parallel()
	reg := registrytest.New(t)
	pushed := pinPushIndex(t, reg, "lambda/base:latest", "linux/amd64", "linux/arm64")
	dir, path := pinRepo(t, pushed.Ref)
	var out bytes.Buffer
	if _, err := Pin(context.Background(), Config{Dir: dir, BaseImage: pushed.Ref}, pinOpts(&out)...); err != nil {
		t.Fatal(err)
	}
	first, _ := os.ReadFile(path)
	res, err := Pin(context.Background(), Config{Dir: dir, BaseImage: pushed.Ref}, pinOpts(&out)...)
	if err != nil {
		t.Fatal(err)
	}
	second, _ := os.ReadFile(path)
	if res.Changed || !bytes.Equal(first, second) {
		t.Errorf("second Pin changed the Dockerfile (Changed=%v)", res.Changed)
	}
	if !strings.Contains(out.String(), "already pinned") {
		t.Errorf("output does not say it was already pinned:\n%s", out.String())
	}
}

func TestPinResolvesTheTagOfAPinnedBaseImage(t *testing.T) {
	t.Parallel()
	reg := registrytest.New(t)
	pushed := pinPushIndex(t, reg, "lambda/base:latest", "linux/amd64", "linux/arm64")
	stale := pushed.Ref + "@" + pinOldDigest
	dir, path := pinRepo(t, stale)
	res, err := Pin(context.Background(), Config{Dir: dir, BaseImage: stale}, pinOpts(&bytes.Buffer{})...)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(path)
	if res.Pinned != pushed.Pinned() || !strings.Contains(string(got), "FROM --platform=linux/amd64 "+pushed.Pinned()+" AS runtime\n") {
		t.Errorf("pinned %s, Dockerfile:\n%s\nwant the tag's current digest %s", res.Pinned, got, pushed.Digest)
	}
}

// pinRequestLog records the method and path of each manifest request a registry receives.
type pinRequestLog struct {
	mu   sync.Mutex
	reqs []string
}

func (l *pinRequestLog) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.Contains(r.URL.Path, "/manifests/") {
			l.mu.Lock()
			l.reqs = append(l.reqs, r.Method+" "+r.URL.Path[strings.LastIndex(r.URL.Path, "/")+1:])
			l.mu.Unlock()
		}
		next.ServeHTTP(w, r)
	})
}

func (l *pinRequestLog) reset() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.reqs = nil
}

func (l *pinRequestLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.reqs, ", ")
}

func TestPinAsksWithHeadThenFetchesTheDigest(t *testing.T) {
	t.Parallel()
	var log pinRequestLog
	reg := registrytest.New(t, registrytest.WithMiddleware(log.middleware))
	pushed := pinPushIndex(t, reg, "lambda/base:latest", "linux/amd64", "linux/arm64")
	log.reset()
	dir, _ := pinRepo(t, pushed.Ref)
	if _, err := Pin(context.Background(), Config{Dir: dir, BaseImage: pushed.Ref}, pinOpts(&bytes.Buffer{})...); err != nil {
		t.Fatal(err)
	}
	if want := "HEAD latest, GET " + pushed.Digest; log.String() != want {
		t.Errorf("manifest requests: %s, want %s", log.String(), want)
	}
}

func TestPinFallsBackToGetWhenHeadFails(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		rule  string
		fault func(w http.ResponseWriter) http.ResponseWriter
	}{
		{"HEAD not allowed", func(w http.ResponseWriter) http.ResponseWriter {
			w.WriteHeader(http.StatusMethodNotAllowed)
			return nil
		}},
		{"HEAD answers without Docker-Content-Digest", func(w http.ResponseWriter) http.ResponseWriter {
			return noDigestWriter{w}
		}},
	} {
		t.Run(tc.rule, func(t *testing.T) {
			t.Parallel()
			var log pinRequestLog
			var armed atomic.Bool // the fault starts once the index is pushed
			headFault := func(next http.Handler) http.Handler {
				return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					if armed.Load() && r.Method == http.MethodHead && strings.Contains(r.URL.Path, "/manifests/") {
						if w = tc.fault(w); w == nil {
							return
						}
					}
					next.ServeHTTP(w, r)
				})
			}
			reg := registrytest.New(t, registrytest.WithMiddleware(log.middleware), registrytest.WithMiddleware(headFault))
			pushed := pinPushIndex(t, reg, "lambda/base:latest", "linux/amd64", "linux/arm64")
			log.reset()
			armed.Store(true)
			dir, _ := pinRepo(t, pushed.Ref)
			res, err := Pin(context.Background(), Config{Dir: dir, BaseImage: pushed.Ref}, pinOpts(&bytes.Buffer{})...)
			if err != nil {
				t.Fatal(err)
			}
			if res.Digest != pushed.Digest {
				t.Errorf("digest %s, want %s", res.Digest, pushed.Digest)
			}
			if want := "HEAD latest, GET latest"; log.String() != want {
				t.Errorf("manifest requests: %s, want %s", log.String(), want)
			}
		})
	}
}

// noDigestWriter drops the Docker-Content-Digest header, as some registries do on HEAD.
type noDigestWriter struct{ http.ResponseWriter }

func (w noDigestWriter) WriteHeader(code int) {
	w.Header().Del("Docker-Content-Digest")
	w.ResponseWriter.WriteHeader(code)
}

// closedPort returns a 127.0.0.1 address nothing listens on.
func closedPort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

func TestPinErrorsSayWhatIsWrong(t *testing.T) {
	t.Parallel()
	reg := registrytest.New(t)
	good := pinPushIndex(t, reg, "lambda/base:latest", "linux/amd64", "linux/arm64")
	amd64Only := pinPushIndex(t, reg, "lambda/base:amd64", "linux/amd64", "linux/s390x")
	img, err := registrytest.RandomImage("linux/amd64")
	if err != nil {
		t.Fatal(err)
	}
	single, err := reg.Push("lambda/base:single", img)
	if err != nil {
		t.Fatal(err)
	}
	unreachable := closedPort(t)

	for _, tc := range []struct {
		rule       string
		base       string
		dockerfile string // "" writes none
		is         error
		says       []string
	}{
		{rule: "malformed reference", base: "127.0.0.1:1/Bad Name:tag", dockerfile: "FROM x\n",
			says: []string{"parsing base image reference", "Bad Name"}},
		{rule: "digest without tag", base: reg.Ref("lambda/base@" + pinOldDigest), dockerfile: "FROM x\n",
			says: []string{"names a digest but no tag"}},
		{rule: "unknown tag", base: reg.Ref("lambda/base:nope"), dockerfile: "FROM x\n", is: ErrUnknownTag,
			says: []string{`no tag "nope"`, "lambda/base"}},
		{rule: "unknown repository", base: reg.Ref("no/such:latest"), dockerfile: "FROM x\n", is: ErrUnknownTag},
		{rule: "single-platform image where an index was expected", base: single.Ref, dockerfile: "FROM x\n", is: ErrNotMultiArch,
			says: []string{"single-platform image", "linux/amd64 and linux/arm64"}},
		{rule: "missing platform names what is present", base: amd64Only.Ref, dockerfile: "FROM x\n",
			says: []string{"lacks linux/arm64", "lists linux/amd64, linux/s390x"}},
		{rule: "registry unreachable", base: unreachable + "/lambda/base:latest", dockerfile: "FROM x\n", is: ErrRegistryUnreachable,
			says: []string{unreachable, "connection refused"}},
		{rule: "Dockerfile missing", base: good.Ref, is: os.ErrNotExist,
			says: []string{filepath.Join("localdev", "Dockerfile"), "scaffold"}},
		{rule: "Dockerfile without FROM", base: good.Ref, dockerfile: "# empty\nRUN true\n", is: ErrNoFrom},
	} {
		t.Run(tc.rule, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			path := filepath.Join(dir, "localdev", "Dockerfile")
			if tc.dockerfile != "" {
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, []byte(tc.dockerfile), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			_, err := Pin(context.Background(), Config{Dir: dir, BaseImage: tc.base}, pinOpts(&bytes.Buffer{})...)
			if err == nil {
				t.Fatal("Pin succeeded, want an error")
			}
			t.Logf("error: %v", err)
			if tc.is != nil && !errors.Is(err, tc.is) {
				t.Errorf("error %q is not %v", err, tc.is)
			}
			for _, s := range tc.says {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not say %q", err, s)
				}
			}
			if tc.dockerfile != "" {
				if got, _ := os.ReadFile(path); string(got) != tc.dockerfile {
					t.Errorf("Dockerfile changed to %q after a failure", got)
				}
			}
		})
	}
}

func TestPinMissingPlatformIsTyped(t *testing.T) {
	t.Parallel()
	reg := registrytest.New(t)
	pushed := pinPushIndex(t, reg, "lambda/base:amd64", "linux/amd64")
	dir, _ := pinRepo(t, pushed.Ref)
	_, err := Pin(context.Background(), Config{Dir: dir, BaseImage: pushed.Ref}, pinOpts(&bytes.Buffer{})...)
	var mp *MissingPlatformError
	if !errors.As(err, &mp) || strings.Join(mp.Missing, ",") != "linux/arm64" || strings.Join(mp.Present, ",") != "linux/amd64" {
		t.Fatalf("error %v (%+v), want a MissingPlatformError for linux/arm64 with linux/amd64 present", err, mp)
	}
}

func TestPinAcceptsArm64WithVariant(t *testing.T) {
	t.Parallel()
	reg := registrytest.New(t)
	pushed := pinPushIndex(t, reg, "lambda/base:v8", "linux/amd64", "linux/arm64/v8")
	dir, _ := pinRepo(t, pushed.Ref)
	res, err := Pin(context.Background(), Config{Dir: dir, BaseImage: pushed.Ref}, pinOpts(&bytes.Buffer{})...)
	if err != nil {
		t.Fatalf("Pin: %v", err)
	}
	if res.Platforms[1].Platform != "linux/arm64/v8" {
		t.Errorf("platforms %+v, want linux/arm64/v8 reported as listed", res.Platforms)
	}
}

// staticKeychain stands in for saved credentials: it returns the same for every registry.
type staticKeychain struct{ auth authn.Authenticator }

func (k staticKeychain) Resolve(authn.Resource) (authn.Authenticator, error) { return k.auth, nil }

func TestPinStaleCredentialsFallBackToAnonymousAndWarn(t *testing.T) {
	t.Parallel()
	reg := registrytest.New(t, registrytest.WithMiddleware(registrytest.DenyCredentials))
	pushed := pinPushIndex(t, reg, "lambda/base:latest", "linux/amd64", "linux/arm64")
	dir, _ := pinRepo(t, pushed.Ref)
	var out bytes.Buffer
	saved := staticKeychain{&authn.Basic{Username: "old", Password: "expired"}}
	res, err := Pin(context.Background(), Config{Dir: dir, BaseImage: pushed.Ref},
		pinOpts(&out, WithKeychain(saved))...)
	if err != nil {
		t.Fatalf("Pin: %v", err)
	}
	if res.Digest != pushed.Digest || len(res.Warnings) != 1 {
		t.Fatalf("PinResult = %+v, want digest %s and one warning", res, pushed.Digest)
	}
	for _, s := range []string{"403 Forbidden", "stale", "docker logout " + reg.Host} {
		if !strings.Contains(res.Warnings[0], s) || !strings.Contains(out.String(), s) {
			t.Errorf("warning %q (printed: %q) does not say %q", res.Warnings[0], out.String(), s)
		}
	}
}

// brokenKeychain stands in for a Docker config whose credential helper fails.
type brokenKeychain struct{}

func (brokenKeychain) Resolve(authn.Resource) (authn.Authenticator, error) {
	return nil, errors.New("docker-credential-desktop: executable file not found in $PATH")
}

func TestPinGoesOnAnonymouslyWhenTheKeychainFails(t *testing.T) {
	t.Parallel()
	reg := registrytest.New(t)
	pushed := pinPushIndex(t, reg, "lambda/base:latest", "linux/amd64", "linux/arm64")
	dir, _ := pinRepo(t, pushed.Ref)
	res, err := Pin(context.Background(), Config{Dir: dir, BaseImage: pushed.Ref},
		pinOpts(&bytes.Buffer{}, WithKeychain(brokenKeychain{}))...)
	if err != nil {
		t.Fatalf("Pin: %v", err)
	}
	if res.Digest != pushed.Digest || len(res.Warnings) != 1 || !strings.Contains(res.Warnings[0], "docker-credential-desktop") {
		t.Errorf("PinResult = %+v, want digest %s and a warning naming the failing helper", res, pushed.Digest)
	}
}

// denyAll answers 403 to every request but the /v2/ ping.
func denyAll(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/v2/" {
			next.ServeHTTP(w, r)
			return
		}
		w.WriteHeader(http.StatusForbidden)
	})
}

func TestPinDeniedAccessSaysWhatToDo(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		rule     string
		keychain authn.Keychain
		says     []string
	}{
		{"saved credentials and anonymous access both refused", staticKeychain{&authn.Basic{Username: "u", Password: "p"}},
			[]string{"refused the saved credentials (403 Forbidden) and anonymous access", "docker login"}},
		{"anonymous access refused and nothing saved", authn.NewMultiKeychain(),
			[]string{"refused anonymous access (403 Forbidden)", "no credentials are saved", "docker login"}},
	} {
		t.Run(tc.rule, func(t *testing.T) {
			t.Parallel()
			reg := registrytest.New(t, registrytest.WithMiddleware(denyAll))
			dir, _ := pinRepo(t, "x")
			_, err := Pin(context.Background(), Config{Dir: dir, BaseImage: reg.Ref("lambda/base:latest")},
				pinOpts(&bytes.Buffer{}, WithKeychain(tc.keychain))...)
			if !errors.Is(err, ErrAccessDenied) {
				t.Fatalf("error %v, want ErrAccessDenied", err)
			}
			t.Logf("error: %v", err)
			for _, s := range append(tc.says, reg.Host) {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not say %q", err, s)
				}
			}
		})
	}
}

// TestPinReadsSavedCredentialsFromDockerConfig goes through the real Docker keychain: a
// config.json in DOCKER_CONFIG holds credentials the registry refuses. Not parallel: it sets an
// environment variable.
func TestPinReadsSavedCredentialsFromDockerConfig(t *testing.T) {
	reg := registrytest.New(t, registrytest.WithMiddleware(registrytest.DenyCredentials))
	pushed := pinPushIndex(t, reg, "lambda/base:latest", "linux/amd64", "linux/arm64")
	cfgDir := t.TempDir()
	auth := base64.StdEncoding.EncodeToString([]byte("old:expired"))
	cfg := fmt.Sprintf(`{"auths":{%q:{"auth":%q}}}`, reg.Host, auth)
	if err := os.WriteFile(filepath.Join(cfgDir, "config.json"), []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("DOCKER_CONFIG", cfgDir)
	dir, _ := pinRepo(t, pushed.Ref)
	var out bytes.Buffer
	res, err := Pin(context.Background(), Config{Dir: dir, BaseImage: pushed.Ref},
		WithPinOutput(&out), WithRegistryAttempts(1))
	if err != nil {
		t.Fatalf("Pin: %v", err)
	}
	if len(res.Warnings) != 1 || !strings.Contains(res.Warnings[0], "docker logout "+reg.Host) {
		t.Errorf("warnings %q, want one saying the saved credentials for %s are stale", res.Warnings, reg.Host)
	}
}

func TestCheckPin(t *testing.T) {
	t.Parallel()
	reg := registrytest.New(t)
	current := pinPushIndex(t, reg, "lambda/base:latest", "linux/amd64", "linux/arm64")
	other := pinPushIndex(t, reg, "lambda/base:other", "linux/amd64", "linux/arm64")
	for _, tc := range []struct {
		rule     string
		from     string
		ok       bool
		is       error
		mismatch bool
		says     []string
	}{
		{rule: "pin matches the tag", from: current.Pinned(), ok: true},
		{rule: "no digest", from: current.Ref, is: ErrNotPinned, says: []string{"carries no digest", PinCommand, "line 3"}},
		{rule: "FROM names another image", from: "ghcr.io/northwood-labs/lambda-provided-al2023:latest@" + pinOldDigest,
			is: ErrNotPinned, says: []string{"no FROM names the base image", PinCommand}},
		{rule: "digest no longer what the tag resolves to", from: current.Ref + "@" + pinOldDigest, mismatch: true,
			says: []string{pinOldDigest, current.Digest, PinCommand}},
		{rule: "pin of another tag", from: other.Pinned(), mismatch: true, says: []string{other.Pinned(), current.Pinned()}},
	} {
		t.Run(tc.rule, func(t *testing.T) {
			t.Parallel()
			dir, _ := pinRepo(t, tc.from)
			var out bytes.Buffer
			err := CheckPin(context.Background(), Config{Dir: dir, BaseImage: current.Ref}, pinOpts(&out)...)
			if tc.ok {
				if err != nil || !strings.Contains(out.String(), "up to date") {
					t.Fatalf("CheckPin = %v (printed %q), want nil and up to date", err, out.String())
				}
				return
			}
			if err == nil {
				t.Fatal("CheckPin = nil, want an error")
			}
			t.Logf("error: %v", err)
			var pm *PinMismatchError
			if tc.mismatch && (!errors.As(err, &pm) || pm.Line != 3 || pm.Current != current.Pinned()) {
				t.Errorf("error %v (%+v), want a PinMismatchError at line 3 with current %s", err, pm, current.Pinned())
			}
			if tc.is != nil && !errors.Is(err, tc.is) {
				t.Errorf("error %q is not %v", err, tc.is)
			}
			for _, s := range tc.says {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not say %q", err, s)
				}
			}
		})
	}
}

func TestCheckPinNoticesAMovedTag(t *testing.T) {
	t.Parallel()
	reg := registrytest.New(t)
	first := pinPushIndex(t, reg, "lambda/base:latest", "linux/amd64", "linux/arm64")
	dir, _ := pinRepo(t, first.Ref)
	c := Config{Dir: dir, BaseImage: first.Ref}
	if _, err := Pin(context.Background(), c, pinOpts(&bytes.Buffer{})...); err != nil {
		t.Fatal(err)
	}
	if err := CheckPin(context.Background(), c, pinOpts(&bytes.Buffer{})...); err != nil {
		t.Fatalf("CheckPin right after Pin: %v", err)
	}
	moved := pinPushIndex(t, reg, "lambda/base:latest", "linux/amd64", "linux/arm64")
	err := CheckPin(context.Background(), c, pinOpts(&bytes.Buffer{})...)
	var pm *PinMismatchError
	if !errors.As(err, &pm) || pm.Pinned != first.Pinned() || pm.Current != moved.Pinned() {
		t.Fatalf("CheckPin after the tag moved = %v, want a PinMismatchError from %s to %s", err, first.Digest, moved.Digest)
	}
}

func TestPinGivesUpWhenTheRegistryDoesNotAnswer(t *testing.T) {
	t.Parallel()
	// A listener that never accepts: connections complete in the kernel, no answer ever comes.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	dir, _ := pinRepo(t, "x")
	_, err = Pin(context.Background(), Config{Dir: dir, BaseImage: l.Addr().String() + "/lambda/base:latest"},
		pinOpts(&bytes.Buffer{}, WithRegistryTimeout(300*time.Millisecond))...)
	t.Logf("error: %v", err)
	if !errors.Is(err, ErrRegistryUnreachable) || !strings.Contains(err.Error(), "did not answer within 300ms") {
		t.Fatalf("error %v, want ErrRegistryUnreachable saying it did not answer within 300ms", err)
	}
}

func TestParseBaseImage(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		rule, ref, display, tag string
		insecure                bool
	}{
		{rule: "tag kept as written", ref: "ghcr.io/org/base:al2023", display: "ghcr.io/org/base:al2023", tag: "al2023"},
		{rule: "no tag means latest", ref: "ghcr.io/org/base", display: "ghcr.io/org/base:latest", tag: "latest"},
		{rule: "port is not a tag", ref: "127.0.0.1:5000/base", display: "127.0.0.1:5000/base:latest", tag: "latest", insecure: true},
		{rule: "digest is dropped, tag resolved", ref: "ghcr.io/org/base:v1@" + pinOldDigest, display: "ghcr.io/org/base:v1", tag: "v1"},
		{rule: "loopback registry may use plain HTTP", ref: "localhost:5000/base:v1", display: "localhost:5000/base:v1", tag: "v1", insecure: true},
		{rule: "Docker Hub short name", ref: "alpine:3", display: "alpine:3", tag: "3"},
	} {
		t.Run(tc.rule, func(t *testing.T) {
			t.Parallel()
			tag, display, err := parseBaseImage(tc.ref, false)
			if err != nil {
				t.Fatal(err)
			}
			if display != tc.display || tag.TagStr() != tc.tag || (tag.Scheme() == "http") != tc.insecure {
				t.Errorf("parseBaseImage(%q) = %s (scheme %s), %q; want tag %s, %q, insecure %v",
					tc.ref, tag, tag.Scheme(), display, tc.tag, tc.display, tc.insecure)
			}
		})
	}
}

func TestPlainHTTPOnlyToLoopback(t *testing.T) {
	t.Parallel()
	reached := false
	next := pinRoundTripper(func(*http.Request) (*http.Response, error) {
		reached = true
		return &http.Response{StatusCode: http.StatusOK, Body: http.NoBody}, nil
	})
	for _, tc := range []struct {
		url     string
		allowed bool
	}{
		{"http://127.0.0.1:5000/v2/", true},
		{"http://[::1]:5000/v2/", true},
		{"http://localhost:5000/v2/", true},
		{"https://10.0.0.5:5000/v2/", true},
		{"http://10.0.0.5:5000/v2/", false},
		{"http://registry.local/v2/", false},
	} {
		reached = false
		req, _ := http.NewRequest(http.MethodGet, tc.url, nil)
		_, err := plainHTTPGuard{next: next}.RoundTrip(req)
		if (err == nil) != tc.allowed || reached != tc.allowed {
			t.Errorf("%s: err %v, reached %v; want allowed %v", tc.url, err, reached, tc.allowed)
		}
		if err != nil && !strings.Contains(err.Error(), "WithInsecureRegistry") {
			t.Errorf("%s: error %q does not say how to allow it", tc.url, err)
		}
	}
}

type pinRoundTripper func(*http.Request) (*http.Response, error)

func (f pinRoundTripper) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// TestPinnedFromBuildsOnDocker hands the pinned FROM line to the real Docker engine: it must
// pull the base by the index digest from the loopback registry and build on it.
func TestPinnedFromBuildsOnDocker(t *testing.T) {
	t.Parallel()
	testenv.RequireDocker(t)
	reg := registrytest.New(t)
	pushed, err := reg.PushLambdaBase("lambda/base:test")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "localdev", "Dockerfile")
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte("FROM "+pushed.Ref+"\nRUN test -d /var/task && test -x /bin/sh\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Pin(context.Background(), Config{Dir: dir, BaseImage: pushed.Ref}, pinOpts(&bytes.Buffer{})...); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	image := "lambdalocal-pintest:" + strings.ToLower(strings.ReplaceAll(reg.Host, ":", "-"))
	t.Cleanup(func() { _ = exec.Command("docker", "rmi", "-f", image, pushed.Pinned()).Run() })
	out, err := exec.CommandContext(ctx, "docker", "build", "-q", "-t", image, filepath.Dir(path)).CombinedOutput()
	if err != nil {
		t.Fatalf("docker build on the pinned FROM: %v\n%s", err, out)
	}
	digests, err := exec.CommandContext(ctx, "docker", "image", "inspect", "-f", "{{json .RepoDigests}}", pushed.Pinned()).CombinedOutput()
	if err != nil || !strings.Contains(string(digests), pushed.Digest) {
		t.Errorf("the engine holds the base as %s (%v), want it pulled by the index digest %s", digests, err, pushed.Digest)
	}
}

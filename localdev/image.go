package localdev

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
)

// PinCommand is the command that pins the base image, named in the messages that ask for it.
const PinCommand = "go tool mage image:pin"

// RequiredPlatforms returns the platforms Lambda runs, which the base image's index must list:
// linux/amd64 and linux/arm64.
func RequiredPlatforms() []string { return []string{"linux/amd64", "linux/arm64"} }

// Errors Pin and CheckPin wrap, for callers that branch on them.
var (
	// ErrNotPinned: the Dockerfile's base FROM carries no digest, or names another image.
	ErrNotPinned = errors.New("the base image is not pinned by digest")
	// ErrNotMultiArch: the tag resolves to a single-platform image, not an index.
	ErrNotMultiArch = errors.New("not a multi-arch image index")
	// ErrUnknownTag: the registry knows no such tag or repository.
	ErrUnknownTag = errors.New("no such image tag in the registry")
	// ErrRegistryUnreachable: no connection to the registry, or no answer in time.
	ErrRegistryUnreachable = errors.New("registry unreachable")
	// ErrAccessDenied: the registry refused the request (401 or 403), with and without saved
	// credentials.
	ErrAccessDenied = errors.New("registry refused access")
)

// PinMismatchError is CheckPin's answer when the Dockerfile pins a digest the tag no longer
// resolves to (or pins another tag).
type PinMismatchError struct {
	Dockerfile string // path of the Dockerfile
	Line       int    // line of its base FROM
	Pinned     string // the FROM image as written: repo:tag@sha256:old
	Current    string // what image:pin would write now: repo:tag@sha256:new
}

func (e *PinMismatchError) Error() string {
	return fmt.Sprintf("%s line %d pins %s, but the base image now resolves to %s: run %s to update the pin",
		e.Dockerfile, e.Line, e.Pinned, e.Current, PinCommand)
}

// MissingPlatformError says which required platforms an index lacks and which it lists.
type MissingPlatformError struct {
	Image   string
	Missing []string
	Present []string
}

func (e *MissingPlatformError) Error() string {
	return fmt.Sprintf("%s lacks %s (its index lists %s): Lambda runs %s; choose a tag built for both",
		e.Image, strings.Join(e.Missing, " and "), orNone(e.Present), strings.Join(RequiredPlatforms(), " and "))
}

// PlatformDigest is one runnable entry of an index.
type PlatformDigest struct {
	Platform string // os/arch[/variant], e.g. "linux/arm64"
	Digest   string // digest of that platform's image manifest
}

// PinResult is what Pin resolved and wrote.
type PinResult struct {
	// Pinned is the reference written to the FROM line: repo:tag@sha256:<index digest>.
	Pinned string
	// Digest is the digest of the multi-arch index the tag resolves to.
	Digest string
	// Platforms are the index's runnable entries in index order (attestation manifests and
	// unknown/unknown entries left out).
	Platforms []PlatformDigest
	// Dockerfile is the path of the Dockerfile; Changed says whether its FROM line changed.
	Dockerfile string
	Changed    bool
	// Warnings are printed too, e.g. that saved registry credentials are stale.
	Warnings []string
}

// Pin resolves c.BaseImage's tag to its multi-arch index digest (HEAD, falling back to GET; no
// pull), checks that the index lists linux/amd64 and linux/arm64, and rewrites the base FROM
// line of <c.Dir>/localdev/Dockerfile (see PinFrom) to repo:tag@sha256:<index digest>. It prints
// the index and per-platform digests. A digest already in c.BaseImage is ignored: the tag is
// resolved afresh.
func Pin(ctx context.Context, c Config, opts ...ImageOption) (PinResult, error) {
	c = c.WithDefaults()
	o := newImageOptions(opts)
	path := DockerfilePath(c)
	tag, display, err := parseBaseImage(c.BaseImage, o.insecure)
	if err != nil {
		return PinResult{}, err
	}
	src, err := readDockerfile(path)
	if err != nil {
		return PinResult{}, err
	}
	from, err := baseFrom(src, tag.Context(), true)
	if err != nil {
		return PinResult{}, fmt.Errorf("finding the base FROM in %s: %w", path, err)
	}
	idx, err := resolveIndex(ctx, tag, o)
	if err != nil {
		return PinResult{}, err
	}
	res := PinResult{
		Pinned:     display + "@" + idx.digest,
		Digest:     idx.digest,
		Platforms:  idx.platforms,
		Dockerfile: path,
		Warnings:   idx.warnings,
	}
	if out := replaceImage(src, from, res.Pinned); !bytes.Equal(out, src) {
		if err := writeFileKeepMode(path, out); err != nil {
			return res, fmt.Errorf("writing %s: %w", path, err)
		}
		res.Changed = true
	}
	printPin(o.out, res)
	return res, nil
}

// CheckPin fails when the base FROM of <c.Dir>/localdev/Dockerfile carries no digest
// (ErrNotPinned) or pins something other than what c.BaseImage's tag resolves to now
// (*PinMismatchError). It is meant for CI.
func CheckPin(ctx context.Context, c Config, opts ...ImageOption) error {
	c = c.WithDefaults()
	o := newImageOptions(opts)
	path := DockerfilePath(c)
	tag, display, err := parseBaseImage(c.BaseImage, o.insecure)
	if err != nil {
		return err
	}
	src, err := readDockerfile(path)
	if err != nil {
		return err
	}
	from, err := baseFrom(src, tag.Context(), false)
	if err != nil {
		return fmt.Errorf("checking %s: %w: run %s", path, err, PinCommand)
	}
	pinned, err := name.NewDigest(from.image)
	if err != nil {
		return fmt.Errorf("checking %s line %d: %w: FROM %s carries no digest; run %s",
			path, from.line, ErrNotPinned, from.image, PinCommand)
	}
	idx, err := resolveIndex(ctx, tag, o)
	if err != nil {
		return err
	}
	for _, w := range idx.warnings {
		fmt.Fprintln(o.out, w)
	}
	current := display + "@" + idx.digest
	if pinned.DigestStr() != idx.digest || tagOf(from.image) != tag.TagStr() {
		return &PinMismatchError{Dockerfile: path, Line: from.line, Pinned: from.image, Current: current}
	}
	fmt.Fprintf(o.out, "%s pins %s: up to date\n", path, from.image)
	return nil
}

// DockerfilePath is where Pin and CheckPin find the Dockerfile: <c.Dir>/localdev/Dockerfile.
func DockerfilePath(c Config) string {
	return filepath.Join(c.WithDefaults().Dir, "localdev", "Dockerfile")
}

// parseBaseImage parses the base image reference into the tag to resolve and the spelling to
// write back (the user's, with ":latest" added when no tag is given). A digest in the reference
// is checked for form and dropped: the tag is what gets resolved.
func parseBaseImage(ref string, insecure bool) (name.Tag, string, error) {
	base := ref
	if i := strings.IndexByte(ref, '@'); i >= 0 {
		if _, err := name.NewDigest(ref); err != nil {
			return name.Tag{}, "", fmt.Errorf("parsing base image reference %q: %w", ref, err)
		}
		base = ref[:i]
		if !hasTag(base) {
			return name.Tag{}, "", fmt.Errorf("parsing base image reference %q: it names a digest but no tag; image:pin resolves a tag, so write repo:tag (e.g. %s:latest)", ref, base)
		}
	}
	if !hasTag(base) {
		base += ":" + name.DefaultTag
	}
	var opts []name.Option
	if insecure || isLoopback(registryHost(base)) {
		opts = append(opts, name.Insecure)
	}
	tag, err := name.NewTag(base, opts...)
	if err != nil {
		return name.Tag{}, "", fmt.Errorf("parsing base image reference %q: %w", ref, err)
	}
	return tag, base, nil
}

// hasTag reports whether a reference without digest carries an explicit tag: a colon after the
// last slash (a colon before it belongs to a registry port).
func hasTag(ref string) bool {
	return strings.Contains(ref[strings.LastIndexByte(ref, '/')+1:], ":")
}

// tagOf returns the tag of a reference such as repo:tag@sha256:…, "latest" when it has none.
func tagOf(ref string) string {
	base, _, _ := strings.Cut(ref, "@")
	if !hasTag(base) {
		return name.DefaultTag
	}
	return base[strings.LastIndexByte(base, ':')+1:]
}

// registryHost returns the registry part of a reference if it has one (a first path element
// with a dot, a colon, or "localhost").
func registryHost(ref string) string {
	first, _, found := strings.Cut(ref, "/")
	if found && (strings.ContainsAny(first, ".:") || first == "localhost") {
		return first
	}
	return ""
}

// isLoopback reports whether host (with or without port) is a loopback address or localhost.
func isLoopback(host string) bool {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.Trim(host, "[]")
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func readDockerfile(path string) ([]byte, error) {
	src, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("reading %s: %w: image:pin rewrites the FROM line of an existing Dockerfile; scaffold localdev/ first", path, err)
	}
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	return src, nil
}

// writeFileKeepMode replaces path's content through a temporary file and a rename, keeping its
// permissions, so that a failed write never leaves a truncated Dockerfile.
func writeFileKeepMode(path string, data []byte) error {
	info, err := os.Stat(path)
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".Dockerfile-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Chmod(tmp.Name(), info.Mode().Perm()); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

func printPin(w io.Writer, res PinResult) {
	for _, warning := range res.Warnings {
		fmt.Fprintln(w, warning)
	}
	verb := "pinned"
	if !res.Changed {
		verb = "already pinned"
	}
	fmt.Fprintf(w, "%s %s in %s\n", verb, res.Pinned, res.Dockerfile)
	fmt.Fprintf(w, "  %-14s %s\n", "index", res.Digest)
	for _, p := range res.Platforms {
		fmt.Fprintf(w, "  %-14s %s\n", p.Platform, p.Digest)
	}
}

func orNone(list []string) string {
	if len(list) == 0 {
		return "no runnable platform"
	}
	return strings.Join(list, ", ")
}

// plainHTTPGuard refuses plain-HTTP requests to hosts that are not loopback.
// go-containerregistry falls back to HTTP on its own for private (RFC 1918) and .local registry
// addresses; lambdalocal keeps that to loopback unless WithInsecureRegistry is given.
type plainHTTPGuard struct{ next http.RoundTripper }

func (g plainHTTPGuard) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.URL.Scheme == "http" && !isLoopback(r.URL.Host) {
		return nil, fmt.Errorf("refusing plain HTTP to registry %s: only loopback registries are reached without TLS unless WithInsecureRegistry is given", r.URL.Host)
	}
	return g.next.RoundTrip(r)
}

var _ http.RoundTripper = plainHTTPGuard{}

// retryBackoff spreads a bounded number of attempts over a few seconds.
func retryBackoff(attempts int) remote.Backoff {
	return remote.Backoff{Duration: time.Second, Factor: 3, Jitter: 0.1, Steps: max(attempts, 1)}
}

// resolved is what a tag resolves to.
type resolved struct {
	digest    string
	platforms []PlatformDigest
	warnings  []string
}

// resolveIndex resolves tag to its index and the index's runnable platforms, and checks that the
// required platforms are among them. Saved credentials come from the keychain; when the registry
// refuses them (401/403) it tries again anonymously, and warns that they are stale if that works.
func resolveIndex(ctx context.Context, tag name.Tag, o imageOptions) (resolved, error) {
	ctx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()
	reg := tag.RegistryStr()
	var warnings []string
	auth, err := authn.Resolve(ctx, o.keychain, tag.Context())
	if err != nil {
		// A broken Docker config or credential helper should not stop a public image from
		// resolving: go on anonymously and say why.
		warnings = append(warnings, fmt.Sprintf("warning: reading saved credentials for %s from the Docker keychain: %v; going on without credentials (check ~/.docker/config.json and its credential helpers)", reg, err))
		auth = authn.Anonymous
	}
	desc, err := fetchManifest(ctx, tag, auth, o)
	if status, denied := deniedStatus(err); denied && auth != authn.Anonymous {
		anon, anonErr := fetchManifest(ctx, tag, authn.Anonymous, o)
		if anonErr != nil {
			if _, denied := deniedStatus(anonErr); denied {
				return resolved{}, fmt.Errorf("resolving %s: %w: %s refused the saved credentials (%s) and anonymous access: log in again with docker login %s",
					tag, ErrAccessDenied, reg, status, reg)
			}
			return resolved{}, explainFetch(tag, anonErr, o.timeout)
		}
		desc, err = anon, nil
		warnings = append(warnings, fmt.Sprintf("warning: %s refused the saved credentials (%s) but allows anonymous access: the saved credentials for %s are stale; remove them with docker logout %s (or log in again)",
			reg, status, reg, reg))
	}
	if err != nil {
		return resolved{}, explainFetch(tag, err, o.timeout)
	}
	idx, err := indexPlatforms(tag, desc)
	if err != nil {
		return resolved{}, err
	}
	idx.warnings = warnings
	return idx, nil
}

// fetchManifest asks for the tag's digest with HEAD and fetches that digest's manifest, or GETs
// the tag when HEAD fails or answers without a digest (some registries do; the GET also carries
// the error details HEAD cannot).
func fetchManifest(ctx context.Context, tag name.Tag, auth authn.Authenticator, o imageOptions) (*remote.Descriptor, error) {
	rt := o.transport
	if rt == nil {
		rt = remote.DefaultTransport
	}
	if !o.insecure {
		rt = plainHTTPGuard{next: rt}
	}
	puller, err := remote.NewPuller(
		remote.WithContext(ctx),
		remote.WithAuth(auth),
		remote.WithTransport(rt),
		remote.WithRetryBackoff(retryBackoff(o.attempts)),
	)
	if err != nil {
		return nil, err
	}
	if head, err := puller.Head(ctx, tag); err == nil && head.Digest.Hex != "" {
		return puller.Get(ctx, tag.Digest(head.Digest.String()))
	}
	return puller.Get(ctx, tag)
}

// deniedStatus reports whether err is a registry's 401 or 403, and its status text.
func deniedStatus(err error) (string, bool) {
	var terr *transport.Error
	if errors.As(err, &terr) && (terr.StatusCode == http.StatusUnauthorized || terr.StatusCode == http.StatusForbidden) {
		return fmt.Sprintf("%d %s", terr.StatusCode, http.StatusText(terr.StatusCode)), true
	}
	return "", false
}

// explainFetch turns a registry failure into a message that says what to do.
func explainFetch(tag name.Tag, err error, timeout time.Duration) error {
	reg := tag.RegistryStr()
	var terr *transport.Error
	var nerr net.Error
	switch {
	case errors.As(err, &terr) && terr.StatusCode == http.StatusNotFound:
		return fmt.Errorf("resolving %s: %w: %s has no tag %q in %s (%v); check the base image reference",
			tag, ErrUnknownTag, reg, tag.TagStr(), tag.RepositoryStr(), err)
	case errors.As(err, &terr) && (terr.StatusCode == http.StatusUnauthorized || terr.StatusCode == http.StatusForbidden):
		return fmt.Errorf("resolving %s: %w: %s refused anonymous access (%d %s) and no credentials are saved for it: if the image is private, run docker login %s",
			tag, ErrAccessDenied, reg, terr.StatusCode, http.StatusText(terr.StatusCode), reg)
	case errors.Is(err, context.DeadlineExceeded):
		return fmt.Errorf("resolving %s: %w: %s did not answer within %s", tag, ErrRegistryUnreachable, reg, timeout)
	case errors.As(err, &nerr):
		return fmt.Errorf("resolving %s: %w: %v; check the registry host in the base image reference and your network", tag, ErrRegistryUnreachable, err)
	}
	return fmt.Errorf("resolving %s: %w", tag, err)
}

// indexPlatforms checks that desc is a multi-arch index listing the required platforms and
// returns its digest and runnable platforms.
func indexPlatforms(tag name.Tag, desc *remote.Descriptor) (resolved, error) {
	if !desc.MediaType.IsIndex() {
		kind := "a " + string(desc.MediaType)
		if desc.MediaType.IsImage() || desc.MediaType.IsSchema1() {
			kind = "a single-platform image (" + string(desc.MediaType) + ")"
		}
		return resolved{}, fmt.Errorf("resolving %s: %w: the tag names %s; image:pin needs a tag whose index lists %s",
			tag, ErrNotMultiArch, kind, strings.Join(RequiredPlatforms(), " and "))
	}
	m, err := v1.ParseIndexManifest(bytes.NewReader(desc.Manifest))
	if err != nil {
		return resolved{}, fmt.Errorf("parsing the index of %s: %w", tag, err)
	}
	res := resolved{digest: desc.Digest.String(), platforms: runnablePlatforms(m)}
	var present []string
	for _, p := range res.platforms {
		present = append(present, p.Platform)
	}
	var missing []string
	for _, want := range RequiredPlatforms() {
		if !hasPlatform(m, want) {
			missing = append(missing, want)
		}
	}
	if len(missing) > 0 {
		return resolved{}, &MissingPlatformError{Image: tag.String(), Missing: missing, Present: present}
	}
	return res, nil
}

// Docker BuildKit adds one attestation manifest per image to an index: platform unknown/unknown,
// annotated vnd.docker.reference.type=attestation-manifest. It is not a platform.
const (
	annotationReferenceType = "vnd.docker.reference.type"
	attestationManifest     = "attestation-manifest"
)

// runnablePlatforms lists an index's entries that are images for a platform, leaving out
// attestation manifests, entries without a platform and unknown/unknown.
func runnablePlatforms(m *v1.IndexManifest) []PlatformDigest {
	var out []PlatformDigest
	for _, d := range m.Manifests {
		p := d.Platform
		if d.Annotations[annotationReferenceType] == attestationManifest || p == nil || p.OS == "unknown" || p.Architecture == "unknown" {
			continue
		}
		out = append(out, PlatformDigest{Platform: p.String(), Digest: d.Digest.String()})
	}
	return out
}

// hasPlatform reports whether the index lists os/arch; the variant does not matter (linux/arm64
// and linux/arm64/v8 are the same platform to Lambda).
func hasPlatform(m *v1.IndexManifest, want string) bool {
	for _, p := range runnablePlatforms(m) {
		parts := strings.SplitN(p.Platform, "/", 3)
		if len(parts) >= 2 && parts[0]+"/"+parts[1] == want {
			return true
		}
	}
	return false
}

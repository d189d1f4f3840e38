package registrytest

import (
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// Registry is a running in-process registry on 127.0.0.1.
type Registry struct {
	// Host is "127.0.0.1:PORT", the registry part of the references served here.
	Host string
	// URL is "http://127.0.0.1:PORT".
	URL string

	srv *httptest.Server
}

// Pushed describes an artifact pushed to a Registry.
type Pushed struct {
	// Ref is the tag reference pushed to, e.g. "127.0.0.1:PORT/lambda/base:test".
	Ref string
	// Digest is the digest of the pushed manifest or index, e.g. "sha256:…".
	Digest string
	// Platforms maps each platform of a pushed index ("linux/amd64", "linux/arm64") to the digest
	// of its image manifest. Attestation and unknown/unknown entries are left out. Nil for an image.
	Platforms map[string]string
}

// Pinned returns Ref with the digest appended: "127.0.0.1:PORT/repo:tag@sha256:…".
func (p Pushed) Pinned() string { return p.Ref + "@" + p.Digest }

// Start starts a registry on 127.0.0.1. Close it when done.
func Start(opts ...Option) *Registry {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	var h http.Handler = registry.New(registry.Logger(log.New(io.Discard, "", 0)))
	for i := len(o.middleware) - 1; i >= 0; i-- {
		h = o.middleware[i](h)
	}
	srv := httptest.NewUnstartedServer(h)
	// Clients probe HTTPS first; keep the resulting TLS handshake errors out of test output.
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.Start()
	return &Registry{
		Host: strings.TrimPrefix(srv.URL, "http://"),
		URL:  srv.URL,
		srv:  srv,
	}
}

// New starts a registry on 127.0.0.1 and closes it when the test ends.
func New(t testing.TB, opts ...Option) *Registry {
	t.Helper()
	r := Start(opts...)
	t.Cleanup(r.Close)
	return r
}

// Close stops the registry.
func (r *Registry) Close() { r.srv.Close() }

// Ref returns the reference of repoTag (e.g. "lambda/base:test") on this registry.
func (r *Registry) Ref(repoTag string) string { return r.Host + "/" + repoTag }

// Push writes an image or index (and everything it refers to) to repoTag on this registry.
func (r *Registry) Push(repoTag string, artifact remote.Taggable) (Pushed, error) {
	ref, err := name.NewTag(r.Ref(repoTag), name.Insecure)
	if err != nil {
		return Pushed{}, fmt.Errorf("parsing reference %q: %w", repoTag, err)
	}
	var digest v1.Hash
	var platforms map[string]string
	switch a := artifact.(type) {
	case v1.ImageIndex:
		if err := remote.WriteIndex(ref, a); err != nil {
			return Pushed{}, fmt.Errorf("pushing index to %s: %w", ref, err)
		}
		if digest, err = a.Digest(); err != nil {
			return Pushed{}, fmt.Errorf("computing index digest: %w", err)
		}
		if platforms, err = Platforms(a); err != nil {
			return Pushed{}, err
		}
	case v1.Image:
		if err := remote.Write(ref, a); err != nil {
			return Pushed{}, fmt.Errorf("pushing image to %s: %w", ref, err)
		}
		if digest, err = a.Digest(); err != nil {
			return Pushed{}, fmt.Errorf("computing image digest: %w", err)
		}
	default:
		return Pushed{}, fmt.Errorf("pushing %T: want a v1.Image or v1.ImageIndex", artifact)
	}
	return Pushed{Ref: ref.String(), Digest: digest.String(), Platforms: platforms}, nil
}

// PushLambdaBase pushes LambdaBaseIndex (a runnable busybox-based Lambda base for linux/amd64 and
// linux/arm64) to repoTag.
func (r *Registry) PushLambdaBase(repoTag string) (Pushed, error) {
	idx, err := LambdaBaseIndex()
	if err != nil {
		return Pushed{}, err
	}
	return r.Push(repoTag, idx)
}

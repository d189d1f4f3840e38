package registrytest

import (
	"fmt"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// Annotations BuildKit puts on the attestation manifests it adds to an index. Such entries
// carry the platform unknown/unknown and are not images anyone can run.
const (
	AnnotationReferenceType   = "vnd.docker.reference.type"
	AnnotationReferenceDigest = "vnd.docker.reference.digest"
	AttestationManifest       = "attestation-manifest"
)

// RandomImage returns a small image of random content whose config names platform
// ("linux/amd64"). Pushed alone it is a single-platform image, not an index.
func RandomImage(platform string) (v1.Image, error) {
	p, err := v1.ParsePlatform(platform)
	if err != nil {
		return nil, fmt.Errorf("parsing platform %q: %w", platform, err)
	}
	img, err := random.Image(256, 1)
	if err != nil {
		return nil, fmt.Errorf("making random image: %w", err)
	}
	return withPlatform(img, *p)
}

// RandomIndex returns a multi-arch index (OCI media type) holding one small random image per
// platform, e.g. RandomIndex("linux/amd64", "linux/arm64").
func RandomIndex(platforms ...string) (v1.ImageIndex, error) {
	idx := mutate.IndexMediaType(empty.Index, types.OCIImageIndex)
	for _, platform := range platforms {
		img, err := RandomImage(platform)
		if err != nil {
			return nil, err
		}
		cf, err := img.ConfigFile()
		if err != nil {
			return nil, fmt.Errorf("reading config: %w", err)
		}
		idx = mutate.AppendManifests(idx, mutate.IndexAddendum{
			Add:        img,
			Descriptor: v1.Descriptor{Platform: cf.Platform()},
		})
	}
	return idx, nil
}

// AddAttestations returns idx with one BuildKit-style attestation manifest per image appended:
// platform unknown/unknown, annotated vnd.docker.reference.type=attestation-manifest and
// vnd.docker.reference.digest=<the image's digest>.
func AddAttestations(idx v1.ImageIndex) (v1.ImageIndex, error) {
	m, err := idx.IndexManifest()
	if err != nil {
		return nil, fmt.Errorf("reading index manifest: %w", err)
	}
	out := idx
	for _, d := range m.Manifests {
		att, err := random.Image(128, 1)
		if err != nil {
			return nil, fmt.Errorf("making attestation: %w", err)
		}
		out = mutate.AppendManifests(out, mutate.IndexAddendum{
			Add: att,
			Descriptor: v1.Descriptor{
				Platform: &v1.Platform{OS: "unknown", Architecture: "unknown"},
				Annotations: map[string]string{
					AnnotationReferenceType:   AttestationManifest,
					AnnotationReferenceDigest: d.Digest.String(),
				},
			},
		})
	}
	return out, nil
}

// LayersIndex returns an index (Docker manifest list) whose linux/amd64 and linux/arm64 images
// both consist of layers, with cfg as their run configuration.
//
// Both platforms get the same layers: a test base built from this machine's amd64 binaries is
// only ever run on amd64 here, and the arm64 entry exists so that the index passes image:pin's
// platform check. Do not run the arm64 image.
func LayersIndex(cfg v1.Config, layers ...v1.Layer) (v1.ImageIndex, error) {
	idx := mutate.IndexMediaType(empty.Index, types.DockerManifestList)
	for _, arch := range []string{"amd64", "arm64"} {
		p := v1.Platform{OS: "linux", Architecture: arch}
		img, err := mutate.ConfigFile(empty.Image, &v1.ConfigFile{
			Architecture: p.Architecture,
			OS:           p.OS,
			Config:       cfg,
			RootFS:       v1.RootFS{Type: "layers"},
		})
		if err != nil {
			return nil, fmt.Errorf("setting %s config: %w", p, err)
		}
		if img, err = mutate.AppendLayers(img, layers...); err != nil {
			return nil, fmt.Errorf("adding layers to %s image: %w", p, err)
		}
		idx = mutate.AppendManifests(idx, mutate.IndexAddendum{
			Add:        img,
			Descriptor: v1.Descriptor{Platform: &p},
		})
	}
	return idx, nil
}

// Platforms maps each runnable platform of idx to its manifest digest, leaving out attestation
// manifests and unknown/unknown entries.
func Platforms(idx v1.ImageIndex) (map[string]string, error) {
	m, err := idx.IndexManifest()
	if err != nil {
		return nil, fmt.Errorf("reading index manifest: %w", err)
	}
	out := map[string]string{}
	for _, d := range m.Manifests {
		if d.Platform == nil || d.Platform.OS == "unknown" || d.Annotations[AnnotationReferenceType] == AttestationManifest {
			continue
		}
		out[d.Platform.String()] = d.Digest.String()
	}
	return out, nil
}

func withPlatform(img v1.Image, p v1.Platform) (v1.Image, error) {
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, fmt.Errorf("reading config: %w", err)
	}
	cf = cf.DeepCopy()
	cf.OS, cf.Architecture, cf.Variant = p.OS, p.Architecture, p.Variant
	img, err = mutate.ConfigFile(img, cf)
	if err != nil {
		return nil, fmt.Errorf("setting platform %s: %w", p, err)
	}
	return img, nil
}

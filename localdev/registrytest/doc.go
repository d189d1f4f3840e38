// Package registrytest serves a real OCI registry for tests: go-containerregistry's in-process
// registry (pkg/registry) behind an httptest server on 127.0.0.1, plain HTTP.
//
// It builds and pushes the artifacts lambdalocal's tests need: multi-arch indexes of small
// random images (with or without BuildKit attestation entries), single-platform images, and a
// real, runnable minimal Lambda base image (static busybox as /bin/sh, an empty /var/task) for
// end-to-end tests on a Docker engine. The Docker engine pulls from 127.0.0.0/8 registries without
// TLS, so references such as 127.0.0.1:PORT/lambda/base:test work in a Dockerfile FROM line.
//
//	reg := registrytest.New(t)
//	base, err := reg.PushLambdaBase("lambda/base:test")
//	// base.Ref is "127.0.0.1:PORT/lambda/base:test"; base.Digest the index digest.
package registrytest

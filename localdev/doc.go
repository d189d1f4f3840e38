// Package localdev is the plain-Go core behind lambdalocal's Mage targets: it pins the Lambda
// base image by digest (go-containerregistry, no pull), cross-compiles the handler to
// localdev/var-runtime/bootstrap, builds a static Runtime Interface Emulator from its Go module,
// drives Docker Compose, and scaffolds a consumer repository's localdev/ folder from the
// embedded Dockerfile, docker-compose.yml and entrypoint.sh.
//
// Nothing here reads environment variables: callers pass a Config. The targets package is the
// edge that maps LAMBDALOCAL_* variables onto it.
package localdev

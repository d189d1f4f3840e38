// Package localdev is the plain-Go core behind lambdalocal's Mage targets: it pins the Lambda
// base image by digest (go-containerregistry, no pull), cross-compiles the handler to
// localdev/var-runtime/bootstrap, builds a static Runtime Interface Emulator from its Go module,
// drives Docker Compose, and scaffolds a consumer repository's localdev/ folder from the
// embedded Dockerfile, docker-compose.yml and entrypoint.sh.
//
// A repository may hold several functions (Config.Functions): each is built to its own
// localdev/var-runtime/<name>/bootstrap, runs in its own Compose service (derived from
// docker-compose.yml's function service) or dev pool on its own port, and is named by the
// routes file of the API Gateway emulator. Watch is Up that rebuilds on save and restarts only
// the services whose bootstrap changed.
//
// Nothing here reads environment variables: callers pass a Config. The targets package is the
// edge that maps LAMBDALOCAL_* variables onto it.
package localdev

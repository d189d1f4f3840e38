#!/bin/sh
# Starts the function, written by lambdalocal. Outside Lambda (AWS_LAMBDA_RUNTIME_API unset) the
# Runtime Interface Emulator runs in front of the bootstrap and serves the invoke API on :8080;
# under a real Lambda runtime API the bootstrap runs alone. POSIX sh: works with busybox.
#
# With LAMBDALOCAL_DEBUG=1 (docker-compose.debug.yml sets it) the RIE runs this script again as
# the runtime, and it runs the bootstrap under a headless Delve on :2345 that starts it at once.
# The RIE is given a single program, as without debugging: it would take the last of several
# arguments for a handler name.
self=/usr/local/bin/lambdalocal-entrypoint.sh
if [ -z "${AWS_LAMBDA_RUNTIME_API:-}" ]; then
  if [ "${LAMBDALOCAL_DEBUG:-}" = 1 ]; then
    exec /usr/local/bin/aws-lambda-rie "$self"
  fi
  exec /usr/local/bin/aws-lambda-rie /var/runtime/bootstrap "$@"
fi
if [ "${LAMBDALOCAL_DEBUG:-}" = 1 ]; then
  exec /usr/local/bin/dlv exec /var/runtime/bootstrap --headless --listen=:2345 --api-version=2 \
    --accept-multiclient --continue
fi
exec /var/runtime/bootstrap "$@"

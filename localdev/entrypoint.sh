#!/bin/sh
# Starts the function, written by lambdalocal. Outside Lambda (AWS_LAMBDA_RUNTIME_API unset) the
# Runtime Interface Emulator runs in front of the bootstrap and serves the invoke API on :8080;
# under a real Lambda runtime API the bootstrap runs alone. POSIX sh: works with busybox.
if [ -z "${AWS_LAMBDA_RUNTIME_API:-}" ]; then
  exec /usr/local/bin/aws-lambda-rie /var/runtime/bootstrap "$@"
fi
exec /var/runtime/bootstrap "$@"

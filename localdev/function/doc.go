// Package function is a Lambda runtime of lambdalocal's own: it runs a function's bootstrap
// (a Go handler built for the host) the way Lambda runs a provided.al2023 function, with no
// Docker and no RIE.
//
// A Pool is the function. It starts execution environments on demand, up to a limit
// (WithMaxEnvironments, default 4): each is one bootstrap process with its own Lambda Runtime
// API on a loopback port (GET /2018-06-01/runtime/invocation/next, POST
// …/invocation/{id}/response, …/invocation/{id}/error, …/runtime/init/error), and runs one
// invoke at a time. Invokes beyond the limit wait, bounded by their context. Environments idle
// longer than WithIdleTimeout are stopped. Swap replaces the bootstrap after a rebuild: new
// invokes start environments of the new build, invokes in flight finish on the old one, whose
// environments stop when they become idle.
//
// Lambda's rules it implements:
//   - The runtime gets Lambda's headers (Lambda-Runtime-Aws-Request-Id, -Deadline-Ms,
//     -Invoked-Function-Arn, -Trace-Id, -Client-Context, -Cognito-Identity) and Lambda's
//     environment (AWS_LAMBDA_RUNTIME_API, AWS_LAMBDA_FUNCTION_NAME, _VERSION, _MEMORY_SIZE,
//     AWS_REGION, AWS_DEFAULT_REGION, AWS_LAMBDA_LOG_GROUP_NAME, _LOG_STREAM_NAME, _HANDLER,
//     LAMBDA_TASK_ROOT, TZ=:UTC) plus the user's variables (WithEnv). The environment is
//     otherwise clean, as on Lambda: only PATH and HOME pass through from the caller.
//   - Init must reach its first "next" within the init timeout (10 s, as Lambda's init phase);
//     otherwise the process is killed and the invoke answers 502.
//   - An invoke past the function timeout kills the process (its whole process group) and
//     answers 200 "Task timed out after N.NN seconds", as the RIE does.
//   - A panic, os.Exit or crash fails only the invoke in flight, with 502 and the runtime's
//     error JSON or Lambda's Runtime.ExitError; the next invoke gets a fresh process.
//   - A handled error answers 200 with the error JSON the runtime posted.
//   - Responses over 6 MiB + 100 bytes fail with Function.ResponseSizeTooLarge.
//   - The function's stdout and stderr are cut into lines, each tagged with the request id,
//     between Lambda's START, END and REPORT lines (duration, billed duration, memory size, max
//     memory used from VmHWM on Linux, and Init Duration on a cold start).
//
// A Pool serves the RIE's invoke endpoint (POST /2015-03-31/functions/function/invocations,
// ServeHTTP) with the RIE's answers, so clients of the RIE work unchanged, and it is the
// proxy's Invoker (Invoke).
package function

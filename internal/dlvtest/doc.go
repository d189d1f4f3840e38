// Package dlvtest is a small client of Delve's JSON-RPC API (version 2), for tests that attach to
// a headless Delve (`dlv exec --headless --api-version=2 --accept-multiclient`), stop the debugged
// program at a breakpoint and let it go on. It uses only the standard library (net/rpc with its
// JSON codec, which is what Delve's API v2 speaks), so lambdalocal's go.mod needs no Delve.
//
// The methods map onto Delve's service/rpc2 server at v1.27.2:
//
//	Client.CreateBreakpoint  RPCServer.CreateBreakpoint with a location expression
//	Client.Continue          RPCServer.Command {"name": "continue"}: blocks until the program stops
//	Client.Resume            the same, without waiting
//	Client.Halt              RPCServer.Command {"name": "halt"}
//	Client.State             RPCServer.State {"NonBlocking": true}
//	Client.Detach            RPCServer.Detach
//
// Delve creates a breakpoint only in a stopped program: a call on a running one waits until it
// stops. So, as IDEs do, halt a program started with --continue, set breakpoints, continue.
// The types hold only the fields tests use; JSON decoding ignores the rest.
package dlvtest

// Package rietest builds and runs a real AWS Lambda Runtime Interface Emulator (RIE) process
// with the example function for tests and benchmarks.
//
// Build compiles the RIE (from its Go module, pinned in go.mod) and the example function
// (./lambda, with -tags lambda.norpc) into a directory, typically once per test binary into
// SharedDir, which every test binary of the checkout reuses (proxy's and localdev's tests). Start runs one RIE on free loopback ports (both its invoke address and its runtime
// API address, so several RIEs can run side by side) with a clean environment, waits until it
// answers, and returns a handle whose Stop ends the RIE and the function it started.
//
// One RIE in its default mode crashes when it is sent a second invoke while one is running
// (upstream issue 97): callers must serialise invokes to one RIE.
package rietest

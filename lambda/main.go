// Command lambda is lambdalocal's example function: an echo/debug handler on aws-lambda-go that
// answers API Gateway REST API (payload 1.0) and HTTP API (payload 2.0) events.
//
//   - a path ending in /json returns the event it received, as JSON;
//   - a path ending in /dump returns a typed dump of the decoded event (go-spew);
//   - any other path returns a short greeting.
//
// Build it as a provided.al2023 bootstrap with `go tool mage build`.
package main

import (
	"github.com/aws/aws-lambda-go/lambda"
)

func main() {
	lambda.Start(handle)
}

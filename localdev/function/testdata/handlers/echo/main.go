// Command echo is a test handler: it logs one line to stdout and one to stderr and returns the
// event it received.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
)

func main() {
	lambda.Start(func(_ context.Context, event json.RawMessage) (json.RawMessage, error) {
		fmt.Printf("echo: %d bytes\n", len(event))
		fmt.Fprintln(os.Stderr, "echo: to stderr")
		return event, nil
	})
}

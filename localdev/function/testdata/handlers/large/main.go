// Command large is a test handler that returns a string of the event's "bytes" length.
package main

import (
	"context"
	"strings"

	"github.com/aws/aws-lambda-go/lambda"
)

type event struct {
	Bytes int `json:"bytes"`
}

func main() {
	lambda.Start(func(_ context.Context, e event) (string, error) {
		return strings.Repeat("x", e.Bytes), nil
	})
}

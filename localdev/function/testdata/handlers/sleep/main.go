// Command sleep is a test handler that sleeps for the event's "ms" milliseconds, ignoring its
// context, then answers "slept".
package main

import (
	"context"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
)

type event struct {
	MS int `json:"ms"`
}

func main() {
	lambda.Start(func(_ context.Context, e event) (string, error) {
		time.Sleep(time.Duration(e.MS) * time.Millisecond)
		return "slept", nil
	})
}

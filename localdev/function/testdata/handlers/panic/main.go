// Command panic is a test handler that panics on every invoke.
package main

import (
	"context"

	"github.com/aws/aws-lambda-go/lambda"
)

func main() {
	lambda.Start(func(context.Context) (string, error) {
		panic("something went badly wrong")
	})
}

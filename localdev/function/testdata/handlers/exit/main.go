// Command exit is a test handler that calls os.Exit in the middle of an invoke.
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
)

func main() {
	lambda.Start(func(context.Context) (string, error) {
		fmt.Println("exit: leaving with status 3")
		os.Exit(3)
		return "", nil
	})
}

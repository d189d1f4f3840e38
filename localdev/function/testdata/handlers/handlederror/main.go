// Command handlederror is a test handler that returns an error of its own type.
package main

import (
	"context"

	"github.com/aws/aws-lambda-go/lambda"
)

type validationError struct{ field string }

func (e validationError) Error() string { return "field " + e.field + " is required" }

func main() {
	lambda.Start(func(context.Context) (string, error) {
		return "", validationError{field: "name"}
	})
}

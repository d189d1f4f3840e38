// Command noinit is a test handler that never calls the Runtime API: its init hangs.
package main

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
)

func main() {
	fmt.Println("noinit: loading forever")
	time.Sleep(time.Hour)
	lambda.Start(func(context.Context) (string, error) { return "never", nil })
}

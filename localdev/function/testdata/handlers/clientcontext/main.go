// Command clientcontext is a test handler that returns what the runtime told it about the
// invoke: client context, Cognito identity, function ARN, request id and environment.
package main

import (
	"context"
	"os"
	"strings"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
)

type answer struct {
	ClientContext lambdacontext.ClientContext   `json:"clientContext"`
	Identity      lambdacontext.CognitoIdentity `json:"identity"`
	FunctionARN   string                        `json:"functionArn"`
	RequestID     string                        `json:"requestId"`
	HasDeadline   bool                          `json:"hasDeadline"`
	Env           map[string]string             `json:"env"`
}

func main() {
	lambda.Start(func(ctx context.Context) (answer, error) {
		lc, _ := lambdacontext.FromContext(ctx)
		_, hasDeadline := ctx.Deadline()
		env := map[string]string{}
		for _, kv := range os.Environ() {
			k, v, _ := strings.Cut(kv, "=")
			env[k] = v
		}
		return answer{lc.ClientContext, lc.Identity, lc.InvokedFunctionArn, lc.AwsRequestID, hasDeadline, env}, nil
	})
}

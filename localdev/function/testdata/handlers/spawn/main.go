// Command spawn is a test handler that starts a child process (sleep 300) on every invoke and
// reports its own pid and the child's, so a test can check that stopping the function also
// stops what it started.
package main

import (
	"context"
	"os"
	"os/exec"

	"github.com/aws/aws-lambda-go/lambda"
)

type answer struct {
	PID   int `json:"pid"`
	Child int `json:"child"`
}

func main() {
	lambda.Start(func(context.Context) (answer, error) {
		cmd := exec.Command("sleep", "300")
		if err := cmd.Start(); err != nil {
			return answer{}, err
		}
		return answer{PID: os.Getpid(), Child: cmd.Process.Pid}, nil
	})
}

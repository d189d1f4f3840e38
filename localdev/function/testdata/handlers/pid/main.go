// Command pid is a test handler that reports its process id and a global invoke counter, after
// sleeping for the event's "ms" milliseconds. With "crash": "exit" it calls os.Exit(3), with
// "crash": "panic" it panics, so a test can crash one invoke and watch the next.
package main

import (
	"context"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
)

var count int

type event struct {
	MS    int    `json:"ms"`
	Crash string `json:"crash"`
}

type answer struct {
	PID   int `json:"pid"`
	Count int `json:"count"`
}

func main() {
	lambda.Start(func(_ context.Context, e event) (answer, error) {
		count++
		time.Sleep(time.Duration(e.MS) * time.Millisecond)
		switch e.Crash {
		case "exit":
			os.Exit(3)
		case "panic":
			panic("crash on request")
		}
		return answer{PID: os.Getpid(), Count: count}, nil
	})
}

package rietest_test

import (
	"context"
	"fmt"

	"github.com/lambdalocal/lambdalocal/internal/rietest"
)

// A test builds the RIE and the example function once, starts an RIE and invokes it directly.
func Example() {
	ctx := context.Background()
	dir, err := rietest.SharedDir()
	if err != nil {
		panic(err)
	}
	bins, err := rietest.Build(ctx, dir)
	if err != nil {
		panic(err)
	}
	rie, err := rietest.Start(ctx, bins)
	if err != nil {
		panic(err)
	}
	defer rie.Stop()
	status, body, err := rie.Invoke(ctx, []byte(`{"version":"2.0","rawPath":"/hello"}`))
	fmt.Println(status, string(body), err)
}

package function_test

import (
	"fmt"
	"time"

	"github.com/lambdalocal/lambdalocal/localdev/function"
)

// A REPORT line as Lambda prints it after a cold start.
func ExampleReport() {
	r := function.Report{
		RequestID:    "8f5b7f3e-2c1d-4a8e-9f00-6b1f0c2d3e4f",
		Duration:     1230 * time.Microsecond,
		Init:         45670 * time.Microsecond,
		MemorySizeMB: 128,
		MaxMemoryMB:  12,
	}
	fmt.Printf("%q\n", r.String())
	// Output:
	// "REPORT RequestId: 8f5b7f3e-2c1d-4a8e-9f00-6b1f0c2d3e4f\tDuration: 1.23 ms\tBilled Duration: 2 ms\tMemory Size: 128 MB\tMax Memory Used: 12 MB\tInit Duration: 45.67 ms\t"
}

package localdev_test

import (
	"fmt"

	"github.com/lambdalocal/lambdalocal/localdev"
)

// With Debug, the timeout is raised to AWS's maximum, Delve listens on loopback, and build puts
// Delve beside the RIE.
func ExampleDebugAddr() {
	cfg := localdev.Config{Dir: "/src/api", Arch: "arm64", Debug: true}.WithDefaults()
	fmt.Println(localdev.DebugAddr(cfg), cfg.Timeout)
	fmt.Println(localdev.DelvePath(cfg.Dir, cfg.Arch))
	// Output:
	// 127.0.0.1:2345 15m0s
	// /src/api/localdev/.rie/arm64/dlv
}

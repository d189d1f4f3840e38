package localdev_test

import (
	"fmt"

	"github.com/lambdalocal/lambdalocal/localdev"
)

// Where build puts its output and which Compose project up uses, for a repository at
// /src/orders-api.
func ExampleProjectName() {
	fmt.Println(localdev.ProjectName("/src/orders-api"))
	fmt.Println(localdev.BootstrapPath("/src/orders-api"))
	fmt.Println(localdev.RIEPath("/src/orders-api", "arm64"))
	// Output:
	// orders-api-lambdalocal
	// /src/orders-api/localdev/var-runtime/bootstrap
	// /src/orders-api/localdev/.rie/arm64/aws-lambda-rie
}

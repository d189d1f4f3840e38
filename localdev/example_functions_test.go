package localdev_test

import (
	"fmt"

	"github.com/lambdalocal/lambdalocal/localdev"
)

// A repository with two functions names them with their handler packages, as
// LAMBDALOCAL_FUNCTIONS does.
func ExampleParseFunctions() {
	fns, err := localdev.ParseFunctions("items=./cmd/items,users=./cmd/users")
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, f := range fns {
		fmt.Println(f.Name, f.Handler)
	}
	_, err = localdev.ParseFunctions("Items=./cmd/items")
	fmt.Println(err != nil)
	// Output:
	// items ./cmd/items
	// users ./cmd/users
	// true
}

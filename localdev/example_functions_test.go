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

// Where each of two functions is built, which Compose service runs it and where its invoke API
// answers: consecutive ports from FunctionURL.
func ExampleInstances() {
	cfg := localdev.Config{
		Dir:       "/src/shop",
		Functions: []localdev.Function{{Name: "items", Handler: "./cmd/items"}, {Name: "users", Handler: "./cmd/users"}},
	}
	ins, err := localdev.Instances(cfg)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, in := range ins {
		fmt.Println(in.Name, in.Service, in.Bootstrap, in.URL)
	}
	// Output:
	// items items /src/shop/localdev/var-runtime/items/bootstrap http://127.0.0.1:9000
	// users users /src/shop/localdev/var-runtime/users/bootstrap http://127.0.0.1:9001
}

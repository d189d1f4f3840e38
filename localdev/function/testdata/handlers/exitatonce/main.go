// Command exitatonce is a test handler whose bootstrap exits at once, before calling the
// Runtime API, as a missing configuration would make it.
package main

import (
	"fmt"
	"os"
)

func main() {
	fmt.Fprintln(os.Stderr, "exitatonce: DATABASE_URL is not set")
	os.Exit(2)
}

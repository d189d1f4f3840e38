package dlvtest_test

import (
	"fmt"

	"github.com/lambdalocal/lambdalocal/internal/dlvtest"
)

// A State that Continue returned tells where the program stopped at a breakpoint.
func ExampleState_StoppedAt() {
	st := dlvtest.State{CurrentThread: &dlvtest.Thread{
		File:       "github.com/lambdalocal/lambdalocal/lambda/handler.go",
		Line:       20,
		Function:   &dlvtest.Function{Name: "main.handle"},
		Breakpoint: &dlvtest.Breakpoint{ID: 1},
	}}
	file, line, ok := st.StoppedAt()
	fmt.Println(file, line, ok)

	running := dlvtest.State{Running: true}
	_, _, ok = running.StoppedAt()
	fmt.Println(ok)
	// Output:
	// github.com/lambdalocal/lambdalocal/lambda/handler.go 20 true
	// false
}

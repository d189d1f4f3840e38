// Command ticker calls tick every few milliseconds until killed: a program for dlvtest's tests to
// stop at a breakpoint.
package main

import (
	"fmt"
	"time"
)

func tick(n int) int {
	return n + 1 // dlvtest: breakpoint here
}

func main() {
	n := 0
	for {
		n = tick(n)
		if n%100 == 0 {
			fmt.Println("ticks:", n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

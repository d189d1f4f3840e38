//go:build unix

package localdev

import "syscall"

// syscallZero is signal 0: it checks that a process exists without touching it.
const syscallZero = syscall.Signal(0)

//go:build unix

package function

import (
	"os/exec"
	"syscall"
)

// procAttr starts a function in a process group of its own, so that stopping it also stops
// any process it started.
func procAttr() *syscall.SysProcAttr { return &syscall.SysProcAttr{Setpgid: true} }

// killGroup sends SIGKILL to the process group that cmd leads. Lambda freezes and later
// discards an environment without a graceful signal unless extensions are registered.
func killGroup(cmd *exec.Cmd) {
	if cmd.Process != nil {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	}
}

// terminate asks cmd's process to end with SIGTERM and reports whether the signal was sent.
func terminate(cmd *exec.Cmd) bool {
	return cmd.Process != nil && cmd.Process.Signal(syscall.SIGTERM) == nil
}

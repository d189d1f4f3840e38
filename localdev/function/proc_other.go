//go:build !unix

package function

import (
	"os/exec"
	"syscall"
)

func procAttr() *syscall.SysProcAttr { return nil }

func killGroup(cmd *exec.Cmd) {
	if cmd.Process != nil {
		_ = cmd.Process.Kill()
	}
}

// terminate reports false: there is no signal to ask a process to end, so it is killed.
func terminate(cmd *exec.Cmd) bool { return false }

//go:build unix

package rietest

import (
	"os/exec"
	"syscall"
)

// procAttr starts the RIE in its own process group, so Stop can end the function it spawned too.
func procAttr() *syscall.SysProcAttr { return &syscall.SysProcAttr{Setpgid: true} }

// terminate signals the RIE's process group (which it leads): SIGTERM, or SIGKILL if kill.
func terminate(cmd *exec.Cmd, kill bool) {
	sig := syscall.SIGTERM
	if kill {
		sig = syscall.SIGKILL
	}
	_ = syscall.Kill(-cmd.Process.Pid, sig)
}

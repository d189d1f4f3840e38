//go:build !unix

package rietest

import (
	"os/exec"
	"syscall"
)

func procAttr() *syscall.SysProcAttr { return nil }

func terminate(cmd *exec.Cmd, _ bool) { _ = cmd.Process.Kill() }

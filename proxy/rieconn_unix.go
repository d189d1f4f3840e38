//go:build unix

package proxy

import (
	"net"
	"syscall"
)

// closedByPeer reports whether an idle connection can no longer carry a request: the
// endpoint closed it (EOF), reset it, or sent something unasked. It peeks without blocking,
// as http.Transport's reader goroutine would have noticed by itself.
func closedByPeer(c net.Conn) bool {
	sc, ok := c.(syscall.Conn)
	if !ok {
		return false
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return true
	}
	closed := false
	var b [1]byte
	err = rc.Read(func(fd uintptr) bool {
		n, _, err := syscall.Recvfrom(int(fd), b[:], syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
		closed = n > 0 || err == nil || (err != syscall.EAGAIN && err != syscall.EWOULDBLOCK && err != syscall.EINTR)
		return true
	})
	return closed || err != nil
}

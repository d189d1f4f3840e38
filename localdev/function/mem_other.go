//go:build !linux

package function

// peakMemoryMB returns -1 (unknown) outside Linux: a running child's peak memory is not
// readable there without cgo. The REPORT line then shows the memory size, as the RIE does.
func peakMemoryMB(int) int { return -1 }

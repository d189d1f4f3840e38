package function

import (
	"bufio"
	"os"
	"strconv"
	"strings"
)

// peakMemoryMB returns the process's peak resident set size (VmHWM in /proc/<pid>/status) in
// MB, rounded up as Lambda does, or -1 when it cannot be read (e.g. the process is gone).
func peakMemoryMB(pid int) int {
	f, err := os.Open("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return -1
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if v, ok := strings.CutPrefix(s.Text(), "VmHWM:"); ok {
			kb, err := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")))
			if err != nil {
				return -1
			}
			return (kb + 1023) / 1024
		}
	}
	return -1
}

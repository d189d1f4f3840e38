package function

import (
	"fmt"
	"math"
	"strings"
	"time"
)

// Report is what Lambda prints about one invoke in its REPORT line.
type Report struct {
	RequestID string
	Duration  time.Duration
	// Init is the cold start's init duration; zero on a warm invoke (no Init Duration field).
	Init         time.Duration
	MemorySizeMB int
	// MaxMemoryMB is the process's peak resident memory; negative when unknown (printed as
	// the memory size, as the RIE does).
	MaxMemoryMB int
	// Status is "" on success, else "timeout" or "error" (then ErrorType says which).
	Status    string
	ErrorType string
}

// startLine is Lambda's START line.
func startLine(requestID string) string {
	return "START RequestId: " + requestID + " Version: $LATEST"
}

// endLine is Lambda's END line.
func endLine(requestID string) string { return "END RequestId: " + requestID }

// String formats r as Lambda's REPORT line: tab-separated fields with a trailing tab, durations
// in milliseconds with two decimals, billed duration rounded up to the next millisecond, and
// Init Duration last, only on a cold start.
func (r Report) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "REPORT RequestId: %s\t", r.RequestID)
	fmt.Fprintf(&b, "Duration: %s ms\t", millis(r.Duration))
	fmt.Fprintf(&b, "Billed Duration: %d ms\t", billedMillis(r.Duration))
	mem := r.MaxMemoryMB
	if mem < 0 {
		mem = r.MemorySizeMB
	}
	fmt.Fprintf(&b, "Memory Size: %d MB\tMax Memory Used: %d MB\t", r.MemorySizeMB, mem)
	if r.Init > 0 {
		fmt.Fprintf(&b, "Init Duration: %s ms\t", millis(r.Init))
	}
	if r.Status != "" {
		fmt.Fprintf(&b, "Status: %s\t", r.Status)
	}
	if r.ErrorType != "" {
		fmt.Fprintf(&b, "Error Type: %s\t", r.ErrorType)
	}
	return b.String()
}

// initReportLine is Lambda's INIT_REPORT line, printed when init fails.
func initReportLine(d time.Duration, status string) string {
	return fmt.Sprintf("INIT_REPORT Init Duration: %s ms\tPhase: init\tStatus: %s", millis(d), status)
}

// millis formats d in milliseconds with two decimals.
func millis(d time.Duration) string {
	return fmt.Sprintf("%.2f", float64(d)/float64(time.Millisecond))
}

// billedMillis rounds d up to the next whole millisecond, at least 1.
func billedMillis(d time.Duration) int64 {
	return max(int64(math.Ceil(float64(d)/float64(time.Millisecond))), 1)
}

// timeoutMessage is the body Lambda and the RIE answer when an invoke runs past the function
// timeout, e.g. "Task timed out after 3.00 seconds".
func timeoutMessage(timeout time.Duration) string {
	return fmt.Sprintf("Task timed out after %.2f seconds", timeout.Seconds())
}

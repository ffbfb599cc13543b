//go:build linux || darwin

package core_test

import (
	"time"

	"golang.org/x/sys/unix"
)

// processCPU is the CPU time the whole process has used (every thread:
// the garbage collector's too), for benchmarks that report CPU time per
// operation next to wall time, which a busy machine inflates.
func processCPU() (time.Duration, bool) {
	var ts unix.Timespec
	if unix.ClockGettime(unix.CLOCK_PROCESS_CPUTIME_ID, &ts) != nil {
		return 0, false
	}
	return time.Duration(ts.Nano()), true
}

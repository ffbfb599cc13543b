//go:build linux || darwin

package core

import (
	"time"

	"golang.org/x/sys/unix"
)

// threadCPUNow reads the calling thread's CPU clock: time this thread has
// spent running, which time spent descheduled does not advance.
func threadCPUNow() (time.Duration, bool) {
	var ts unix.Timespec
	if unix.ClockGettime(unix.CLOCK_THREAD_CPUTIME_ID, &ts) != nil {
		return 0, false
	}
	return time.Duration(ts.Nano()), true
}

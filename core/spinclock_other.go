//go:build !linux && !darwin

package core

import "time"

// threadCPUNow reports that no per-thread CPU clock is available here; SPIN
// then counts calibrated work instead.
func threadCPUNow() (time.Duration, bool) { return 0, false }

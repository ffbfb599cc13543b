//go:build !linux && !darwin

package core

import "time"

// threadCPU times f by the wall clock where no per-thread CPU clock is
// available.
func threadCPU(f func()) time.Duration { return wallTime(f) }

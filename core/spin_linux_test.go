package core_test

import (
	"bytes"
	"context"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"

	"github.com/tcpimg/tcpimg/core"
)

// threadCPU reads the calling thread's CPU clock.
func threadCPU(t *testing.T) time.Duration {
	var ts unix.Timespec
	require.NoError(t, unix.ClockGettime(unix.CLOCK_THREAD_CPUTIME_ID, &ts))
	return time.Duration(ts.Nano())
}

// TestSpinIsCPUWork runs three SPIN jobs per core at once, each on its own
// thread, so the operating system has to share the cores between them:
// each job must still do its duration of CPU work, by its thread's CPU
// clock. A SPIN that waited for the wall clock instead would finish all of
// them in about one duration, with a third of the work done.
func TestSpinIsCPUWork(t *testing.T) {
	const d = 30 * time.Millisecond
	n := 3 * runtime.NumCPU()
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(n))
	used := make([]time.Duration, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			h := core.RequestHeader{Op: core.OpSpin, Arg1: uint32(d.Microseconds())}
			t0 := threadCPU(t)
			assert.NoError(t, core.Process(context.Background(), &h, nil, new(bytes.Buffer)))
			used[i] = threadCPU(t) - t0
		})
	}
	wg.Wait()
	var total time.Duration
	for _, u := range used {
		total += u
	}
	// Chunks stretched by short interruptions count as work, so allow a
	// little less than n*d; a wall-clock spin would reach about n*d/3.
	assert.GreaterOrEqual(t, total, time.Duration(float64(n)*0.85*float64(d)), "CPU used by each job: %v", used)
}

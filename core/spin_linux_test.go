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

// TestSpinIsCPUWork runs SPIN jobs, each on its own thread, against
// competitors the operating system must share the cores with: other SPIN
// jobs (which take the core for whole time slices), and threads that wake
// up, run 50 µs and sleep (which preempt a SPIN for moments). Each job must
// still do its duration of CPU work, by its thread's CPU clock. A SPIN that
// waited for the wall clock would do a third of it in the first case; one
// that counted short preemptions as work, about two thirds in the second.
func TestSpinIsCPUWork(t *testing.T) {
	const d = 30 * time.Millisecond
	cpus := runtime.NumCPU()
	tests := []struct {
		name          string
		spins, bursty int
	}{
		{"three spins per core", 3 * cpus, 0},
		{"a spin and a bursty thread per core", cpus, cpus},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(tt.spins + tt.bursty))
			stop := make(chan struct{})
			var bursts sync.WaitGroup
			for range tt.bursty {
				bursts.Go(func() {
					runtime.LockOSThread()
					defer runtime.UnlockOSThread()
					burst(stop)
				})
			}
			used := make([]time.Duration, tt.spins)
			var spins sync.WaitGroup
			for i := range tt.spins {
				spins.Go(func() {
					runtime.LockOSThread()
					defer runtime.UnlockOSThread()
					h := core.RequestHeader{Op: core.OpSpin, Arg1: uint32(d.Microseconds())}
					t0 := threadCPU(t)
					assert.NoError(t, core.Process(context.Background(), &h, nil, new(bytes.Buffer)))
					used[i] = threadCPU(t) - t0
				})
			}
			spins.Wait()
			close(stop)
			bursts.Wait()
			for i, u := range used {
				assert.GreaterOrEqual(t, u, time.Duration(0.9*float64(d)), "job %d of %v", i, used)
			}
		})
	}
}

// burst runs for 50 µs and sleeps for 50 µs until stop is closed.
func burst(stop <-chan struct{}) {
	for {
		select {
		case <-stop:
			return
		default:
		}
		for t0 := time.Now(); time.Since(t0) < 50*time.Microsecond; {
		}
		time.Sleep(50 * time.Microsecond)
	}
}

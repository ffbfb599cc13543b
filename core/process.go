package core

import (
	"bytes"
	"context"
	"fmt"
	"runtime"
	"slices"
	"sync"
	"time"
)

// ProcessFunc runs one request's job: it writes the result payload to out.
// [Process] is the implementation of protocol version 1; a Config may
// replace it (to inject faults in tests, say). Its error is mapped to a
// status with [StatusOf].
type ProcessFunc func(ctx context.Context, h *RequestHeader, payload []byte, out *bytes.Buffer) error

// Process runs the operation h asks for on payload and writes the result to
// out. ctx ends SPIN and SLEEP early (their connection is gone). Image
// operations decode with the pixel limit maxPixels checked again, so Process
// is safe to call without [CheckImage] first.
func Process(ctx context.Context, h *RequestHeader, payload []byte, out *bytes.Buffer) error {
	return process(ctx, h, payload, out, DefaultMaxPixels)
}

// ProcessWithLimit is Process with an explicit pixel limit.
func ProcessWithLimit(maxPixels int64) ProcessFunc {
	return func(ctx context.Context, h *RequestHeader, payload []byte, out *bytes.Buffer) error {
		return process(ctx, h, payload, out, maxPixels)
	}
}

func process(ctx context.Context, h *RequestHeader, payload []byte, out *bytes.Buffer, maxPixels int64) error {
	if err := h.Validate(); err != nil {
		return err
	}
	switch h.Op {
	case OpNoop:
		out.Write(payload)
		return nil
	case OpSpin:
		return spin(ctx, time.Duration(h.Arg1)*time.Microsecond)
	case OpSleep:
		return sleep(ctx, time.Duration(h.Arg1)*time.Microsecond)
	case OpThumbnail, OpGrayscale, OpBlur:
		return processImage(h, payload, out, maxPixels)
	}
	return fmt.Errorf("%w: unknown op %d", ErrBadRequest, uint8(h.Op))
}

// spin does d of CPU work, so a SPIN job costs the same CPU however many
// run at once. (Spinning until d has passed by the wall clock would let any
// number of concurrent jobs "finish" in d while sharing the cores, hiding
// exactly the contention CPU-bound work causes.) The work is measured on
// the thread's own CPU clock, segment by segment: each segment runs on one
// thread between two readings, and the goroutine yields between segments.
// Yielding matters: a goroutine that never yields keeps the connection
// goroutines waiting for the scheduler's 10 ms preemption, which would
// measure starvation rather than the server; when nothing else is
// runnable the yield returns at once and the core stays busy. Where the
// clock cannot be read (or a segment was preempted and moved), the
// segment counts at the calibrated rate.
func spin(ctx context.Context, d time.Duration) error {
	rate := spinRate() // blocks per microsecond of CPU
	var x uint64 = 1
	for used := time.Duration(0); used < d; {
		if err := ctx.Err(); err != nil {
			return err
		}
		seg := min(d-used, spinYield)
		blocks := max(int(float64(seg.Nanoseconds())/1e3*rate), 1)
		t0, ok0 := threadCPUNow()
		for range blocks {
			x = spinBlock(x)
		}
		t1, ok1 := threadCPUNow()
		if took := t1 - t0; ok0 && ok1 && took > 0 && took < 20*seg {
			used += took
		} else {
			used += seg
		}
		runtime.Gosched()
	}
	spinSink.Store(x)
	return nil
}

// spinBlock is one unit of SPIN's work.
func spinBlock(x uint64) uint64 {
	for range 64 {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
	}
	return x
}

// spinRate is how many spinBlocks a core does per microsecond of CPU time:
// it sizes SPIN's segments and stands in where no thread clock is
// available. The median of a few trials smooths cache and frequency
// effects.
var spinRate = sync.OnceValue(func() float64 {
	const blocks, trials = 4000, 7
	var x uint64 = 1
	rates := make([]float64, 0, trials)
	for range trials {
		t0, ok0 := threadCPUNow()
		w0 := time.Now()
		for range blocks {
			x = spinBlock(x)
		}
		took := time.Since(w0)
		if t1, ok1 := threadCPUNow(); ok0 && ok1 && t1 > t0 {
			took = t1 - t0
		}
		if took > 0 {
			rates = append(rates, blocks/(float64(took.Nanoseconds())/1e3))
		}
	}
	spinSink.Store(x)
	if len(rates) == 0 {
		return 1
	}
	slices.Sort(rates)
	return rates[len(rates)/2]
})

// spinYield is the longest stretch of work a SPIN job does before it
// offers its processor to others: a tenth of the scheduler's 10 ms
// preemption, so connection goroutines wait at most a millisecond behind
// SPIN jobs, while the two thread-clock reads and the hand-off of each
// segment stay a small fraction of the job. (At 50 µs the clock reads
// alone took a percent of the CPU.)
const spinYield = time.Millisecond

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

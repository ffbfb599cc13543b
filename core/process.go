package core

import (
	"bytes"
	"context"
	"fmt"
	"runtime"
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
// exactly the contention CPU-bound work causes.)
//
// The work runs in segments of up to spinYield, each on one thread, and the
// goroutine yields between them. Inside a segment, chunks of about
// spinChunk are paced with the monotonic clock (a vDSO read, not a system
// call): the segment ends when its chunks add up to its share. The segment
// is then credited with what the thread's own CPU clock says it used
// between the segment's two ends (two system calls per segment), so time
// the thread spent descheduled, for a time slice or for the short bursts
// of threads that wake up, run and sleep, is never counted as work. Where
// that clock cannot be read, or its reading is implausible (the goroutine
// moved to another thread), the segment is credited with its chunks' time,
// except that a chunk far longer than its calibrated length counts as that
// length.
//
// Yielding matters, after the last segment too (a worker with queued jobs
// starts the next one without entering the scheduler): a goroutine that
// never yields keeps the connection goroutines waiting for the scheduler's
// 10 ms preemption, which would measure starvation rather than the server;
// when nothing else is runnable the yield returns at once and the core
// stays busy.
func spin(ctx context.Context, d time.Duration) error {
	rate := spinRate() // blocks per nanosecond of CPU
	chunk := max(int(float64(spinChunk)*rate), 1)
	var x uint64 = 1
	for used := time.Duration(0); used < d; {
		if err := ctx.Err(); err != nil {
			return err
		}
		share := min(d-used, spinYield)
		start := time.Now()
		cpu0, ok0 := threadCPUNow()
		last := start
		var paced time.Duration
		for paced < share {
			blocks := min(chunk, max(int(float64(share-paced)*rate), 1))
			for range blocks {
				x = spinBlock(x)
			}
			now := time.Now()
			took := now.Sub(last)
			last = now
			if expect := time.Duration(float64(blocks) / rate); took > spinGapFactor*expect+spinGapSlack {
				took = expect // descheduled: count the work, not the wait
			}
			paced += took
		}
		cpu1, ok1 := threadCPUNow()
		if cpu := cpu1 - cpu0; ok0 && ok1 && cpu > 0 && cpu <= time.Since(start) {
			used += cpu
		} else {
			used += paced
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

// spinRate is how many spinBlocks a core does per nanosecond: it sizes
// SPIN's chunks and, where the thread clock is not used, stands in for a
// chunk's length when the thread was descheduled during it. It is the
// fastest of a few trials, the one least disturbed by interrupts and a
// cold cache, so that a descheduled chunk counts as the least time its
// work can take.
var spinRate = sync.OnceValue(func() float64 {
	const blocks, trials = 4000, 7
	var x uint64 = 1
	best := 0.0
	for range trials {
		t0 := time.Now()
		for range blocks {
			x = spinBlock(x)
		}
		if took := time.Since(t0); took > 0 {
			best = max(best, blocks/float64(took.Nanoseconds()))
		}
	}
	spinSink.Store(x)
	if best == 0 {
		return 1e-3
	}
	return best
})

const (
	// spinYield is the longest stretch of work a SPIN job does before it
	// offers its processor to others: a tenth of the scheduler's 10 ms
	// preemption, so connection goroutines wait at most a millisecond
	// behind SPIN jobs.
	spinYield = time.Millisecond
	// spinChunk is how much work SPIN does between two monotonic clock
	// readings: long enough that the readings cost well under a percent,
	// short enough that a segment ends close to its share.
	spinChunk = 10 * time.Microsecond
	// Without the thread clock, a chunk that took longer than
	// spinGapFactor times its calibrated length plus spinGapSlack was
	// interrupted by the thread being descheduled, and counts as its
	// calibrated length: a thread that competes for its core loses it for
	// a time slice (around a millisecond). Shorter interruptions, as by
	// threads that wake briefly, count as work there: only the thread
	// clock sees them.
	spinGapFactor = 3
	spinGapSlack  = 200 * time.Microsecond
)

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

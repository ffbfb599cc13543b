package core

import (
	"bytes"
	"context"
	"fmt"
	"runtime"
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

// spin keeps the calling goroutine busy until d has passed by the wall
// clock, so a job takes d even when the scheduler shares its core. It
// yields the processor every spinYield: a goroutine that never yields keeps
// the connection goroutines waiting for the scheduler's 10 ms preemption,
// which would measure starvation rather than the server. When nothing else
// is runnable, the yield returns at once and the core stays busy.
func spin(ctx context.Context, d time.Duration) error {
	end := time.Now().Add(d)
	next := time.Now().Add(spinYield)
	var x uint64 = 1
	for now := time.Now(); now.Before(end); now = time.Now() {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if now.After(next) {
			runtime.Gosched()
			next = now.Add(spinYield)
		}
		for range 256 {
			x ^= x << 13
			x ^= x >> 7
			x ^= x << 17
		}
	}
	spinSink.Store(x)
	return nil
}

// spinYield is how often a SPIN job offers its processor to others.
const spinYield = 50 * time.Microsecond

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

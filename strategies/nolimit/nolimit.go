// Package nolimit is the none limiter: it never makes a caller wait, so the
// server serves every connection it accepts. It is the baseline that shows
// what the connection bound buys. It still counts the slots it hands out,
// so that a Release without an Acquire is caught here exactly as it would
// be by a real limiter.
package nolimit

import (
	"context"
	"sync/atomic"

	"github.com/tcpimg/tcpimg/core"
)

// Limiter grants every request at once and counts the grants outstanding.
// The zero value is ready to use.
type Limiter struct {
	held atomic.Int64
}

var _ core.Limiter = (*Limiter)(nil)

// New returns a limiter; its argument, the bound other limiters take, is
// ignored.
func New(_ int) *Limiter { return &Limiter{} }

// Acquire takes a slot at once unless ctx is already done, so that callers
// see the same cancellation behaviour from every limiter.
func (l *Limiter) Acquire(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	l.held.Add(1)
	return nil
}

// TryAcquire always takes a slot.
func (l *Limiter) TryAcquire() bool {
	l.held.Add(1)
	return true
}

// Release returns a slot; it panics if none is held, leaving the count
// unchanged.
func (l *Limiter) Release() {
	for {
		n := l.held.Load()
		if n <= 0 {
			panic("nolimit: released more than held")
		}
		if l.held.CompareAndSwap(n, n-1) {
			return
		}
	}
}

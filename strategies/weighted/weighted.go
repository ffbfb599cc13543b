// Package weighted is the weighted limiter: golang.org/x/sync/semaphore, the
// semaphore most Go code reaches for, with every acquisition of weight 1.
// Unlike a channel it queues waiters in FIFO order, so a steady stream of
// TryAcquire calls cannot starve a blocked Acquire.
package weighted

import (
	"context"

	"golang.org/x/sync/semaphore"

	"github.com/tcpimg/tcpimg/core"
)

// Limiter adapts a *semaphore.Weighted to [core.Limiter].
type Limiter struct {
	sem *semaphore.Weighted
}

var _ core.Limiter = (*Limiter)(nil)

// New returns a limiter with n slots (at least one).
func New(n int) *Limiter {
	return &Limiter{sem: semaphore.NewWeighted(int64(max(n, 1)))}
}

// Acquire takes a slot, waiting while ctx allows. The library already
// prefers failing to acquiring when ctx is done on entry, which is the
// [core.Limiter] contract.
func (l *Limiter) Acquire(ctx context.Context) error { return l.sem.Acquire(ctx, 1) }

// TryAcquire takes a slot if one is free and nobody is queued for one.
func (l *Limiter) TryAcquire() bool { return l.sem.TryAcquire(1) }

// Release returns a slot. Releasing more than was acquired panics inside
// the library ("semaphore: released more than held"), as the contract
// requires; the semaphore is unusable after that, as any misused one is.
func (l *Limiter) Release() { l.sem.Release(1) }

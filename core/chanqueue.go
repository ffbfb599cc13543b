package core

import (
	"context"
	"sync"
)

// ChanQueue is a Queue over a buffered channel: the project's original
// pattern and the server's default. A capacity of 0 gives a queue that
// accepts a task only when a worker is already waiting for one.
type ChanQueue struct {
	// mu orders Push against Close: pushes hold it shared, Close exclusive,
	// so no push can land on a closed channel.
	mu     sync.RWMutex
	closed bool
	ch     chan Task
}

var _ Queue = (*ChanQueue)(nil)

// NewChanQueue returns a queue holding up to capacity tasks.
func NewChanQueue(capacity int) *ChanQueue {
	if capacity < 0 {
		capacity = 0
	}
	return &ChanQueue{ch: make(chan Task, capacity)}
}

// Push adds t if there is room (see [Queue]).
func (q *ChanQueue) Push(t Task) error {
	q.mu.RLock()
	defer q.mu.RUnlock()
	if q.closed {
		return ErrClosed
	}
	select {
	case q.ch <- t:
		return nil
	default:
		return ErrBusy
	}
}

// Pop waits for a task (see [Queue]).
func (q *ChanQueue) Pop() (Task, bool) {
	t, ok := <-q.ch
	return t, ok
}

// Len returns the number of tasks waiting.
func (q *ChanQueue) Len() int { return len(q.ch) }

// Close refuses further pushes; Pop drains what is left.
func (q *ChanQueue) Close() {
	q.mu.Lock()
	defer q.mu.Unlock()
	if !q.closed {
		q.closed = true
		close(q.ch)
	}
}

// ChanLimiter is a Limiter over a buffered channel: a slot is held while its
// token sits in the channel. It is the server's default connection limiter.
type ChanLimiter struct {
	slots chan struct{}
}

var _ Limiter = (*ChanLimiter)(nil)

// NewChanLimiter returns a limiter with n slots (at least one).
func NewChanLimiter(n int) *ChanLimiter {
	if n < 1 {
		n = 1
	}
	return &ChanLimiter{slots: make(chan struct{}, n)}
}

// Acquire takes a slot, waiting while ctx allows.
func (l *ChanLimiter) Acquire(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	select {
	case l.slots <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// TryAcquire takes a slot if one is free.
func (l *ChanLimiter) TryAcquire() bool {
	select {
	case l.slots <- struct{}{}:
		return true
	default:
		return false
	}
}

// Release returns a slot; it panics if none is held.
func (l *ChanLimiter) Release() {
	select {
	case <-l.slots:
	default:
		panic("core: ChanLimiter released more than held")
	}
}

package core

import (
	"context"
	"sync"
)

// ChanQueue is a Queue over a buffered channel: the pattern most Go servers
// write first, and the server's default. A capacity of 0 gives a queue that
// accepts a task only when a worker is already waiting for one.
type ChanQueue struct {
	// Read by every push and pop, never written after NewChanQueue.
	ch      chan Task
	closing chan struct{} // closed first by Close, to free a PushWait holding mu

	// Every push writes mu's reader count; the padding keeps that write off
	// the cache line the workers read ch from, which would otherwise
	// bounce between the submitting and the receiving cores on each task.
	_ [64]byte

	// mu orders pushes against Close: pushes hold it shared, Close
	// exclusive, so no push can land on a closed channel.
	mu     sync.RWMutex
	closed bool
	once   sync.Once
}

var (
	_ Queue         = (*ChanQueue)(nil)
	_ BlockingQueue = (*ChanQueue)(nil)
)

// NewChanQueue returns a queue holding up to capacity tasks.
func NewChanQueue(capacity int) *ChanQueue {
	if capacity < 0 {
		capacity = 0
	}
	return &ChanQueue{ch: make(chan Task, capacity), closing: make(chan struct{})}
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

// PushWait adds t, waiting for room while ctx allows (see
// [BlockingQueue]). The wait is a plain channel send, so the runtime wakes
// it the moment a slot frees or, with capacity 0, a worker starts
// receiving.
func (q *ChanQueue) PushWait(ctx context.Context, t Task) error {
	q.mu.RLock()
	defer q.mu.RUnlock()
	if q.closed {
		return ErrClosed
	}
	select {
	case q.ch <- t:
		return nil
	default:
	}
	select {
	case q.ch <- t:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-q.closing:
		return ErrClosed
	}
}

// Pop waits for a task (see [Queue]).
func (q *ChanQueue) Pop() (Task, bool) {
	t, ok := <-q.ch
	return t, ok
}

// Len returns the number of tasks waiting.
func (q *ChanQueue) Len() int { return len(q.ch) }

// Close refuses further pushes; Pop drains what is left. Waiting PushWait
// calls return ErrClosed.
func (q *ChanQueue) Close() {
	q.once.Do(func() {
		close(q.closing)
		q.mu.Lock()
		defer q.mu.Unlock()
		q.closed = true
		close(q.ch)
	})
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

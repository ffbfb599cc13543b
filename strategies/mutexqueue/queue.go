package mutexqueue

import (
	"sync"

	"github.com/tcpimg/tcpimg/core"
)

// Queue is a [core.Queue] over a ring buffer guarded by a mutex. Workers
// waiting in Pop park on a condition variable; a push wakes one of them.
//
// Capacity counts tasks that wait with no worker to take them: a push is
// accepted while the tasks held number fewer than the capacity plus the
// workers parked in Pop, since each parked worker is about to take one.
// That makes a capacity of 0 a hand-off, like an unbuffered channel, and
// keeps "workers + capacity" the number of tasks a pool can hold at once.
type Queue struct {
	mu       sync.Mutex
	nonEmpty sync.Cond // Pop waits here for a task or Close

	ring     []core.Task // power-of-two length; grows only when parked workers push it past capacity
	head     int
	n        int
	capacity int
	idle     int // Pop calls parked on nonEmpty
	closed   bool

	pushers []chan struct{} // PushWait calls waiting for room, oldest first
	spare   []chan struct{} // wake channels to reuse
}

// NewQueue returns an empty queue that holds up to capacity tasks beyond
// those parked workers are about to take; a negative capacity counts as 0.
func NewQueue(capacity int) *Queue {
	capacity = max(capacity, 0)
	size := 1
	for size < capacity {
		size <<= 1
	}
	q := &Queue{ring: make([]core.Task, size), capacity: capacity}
	q.nonEmpty.L = &q.mu
	return q
}

// Push adds t without waiting (see [core.Queue]).
func (q *Queue) Push(t core.Task) error {
	q.mu.Lock()
	switch {
	case q.closed:
		q.mu.Unlock()
		return core.ErrClosed
	case !q.room():
		q.mu.Unlock()
		return core.ErrBusy
	}
	q.put(t)
	q.mu.Unlock()
	return nil
}

// Pop waits for a task (see [core.Queue]). A worker about to park is room
// for a hand-off, so it wakes a waiting pusher first.
func (q *Queue) Pop() (core.Task, bool) {
	q.mu.Lock()
	for q.n == 0 {
		if q.closed {
			q.mu.Unlock()
			return nil, false
		}
		q.idle++
		q.wakePusher()
		q.nonEmpty.Wait()
		q.idle--
	}
	mask := len(q.ring) - 1
	t := q.ring[q.head]
	q.ring[q.head] = nil
	q.head = (q.head + 1) & mask
	q.n--
	q.wakePusher()
	q.mu.Unlock()
	return t, true
}

// Len returns the number of tasks waiting.
func (q *Queue) Len() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.n
}

// Close refuses further pushes and wakes every parked worker and waiting
// pusher; Pop drains what is left. It is idempotent.
func (q *Queue) Close() {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.closed {
		return
	}
	q.closed = true
	q.nonEmpty.Broadcast()
	for i, wake := range q.pushers {
		wake <- struct{}{}
		q.pushers[i] = nil
	}
	q.pushers = q.pushers[:0]
}

// room reports whether a push would be accepted. q.mu must be held.
func (q *Queue) room() bool { return q.n < q.capacity+q.idle }

// put appends t and wakes a parked worker. q.mu must be held and room()
// true.
func (q *Queue) put(t core.Task) {
	if q.n == len(q.ring) {
		q.grow()
	}
	q.ring[(q.head+q.n)&(len(q.ring)-1)] = t
	q.n++
	if q.idle > 0 {
		q.nonEmpty.Signal()
	}
}

// grow doubles the ring, keeping the tasks in order.
func (q *Queue) grow() {
	ring := make([]core.Task, 2*len(q.ring))
	for i := range q.n {
		ring[i] = q.ring[(q.head+i)&(len(q.ring)-1)]
	}
	q.ring = ring
	q.head = 0
}

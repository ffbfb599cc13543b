package mutexqueue

import (
	"sync"
	"time"

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
//
// A queue built with [NewQueueWith] hands the order of its tasks, and the
// choice of those it sheds, to a [Discipline].
type Queue struct {
	mu       sync.Mutex
	nonEmpty sync.Cond // Pop waits here for a task or Close

	ring     []slot // power-of-two length; grows only when parked workers push it past capacity
	d        Discipline
	head     int
	n        int
	capacity int
	idle     int // Pop calls parked on nonEmpty
	closed   bool

	pushers []chan struct{} // PushWait calls waiting for room, oldest first
	spare   []chan struct{} // wake channels to reuse
}

// slot is one waiting task and, under a Discipline, when it was pushed.
type slot struct {
	t  core.Task
	at time.Time
}

// Discipline orders a [Queue] and may shed from it. The queue reads the
// Discipline's clock before it takes its lock, so that a clock read does not
// lengthen the critical section every push and pop contend for, and calls
// the other methods with the lock held: an implementation needs no lock of
// its own and must return at once.
type Discipline interface {
	// Now reads the clock.
	Now() time.Time
	// Pushed is told that a task joins, at now, the n tasks waiting; the
	// queue records now with it.
	Pushed(n int, now time.Time)
	// Refused is told that a task offered at now found the queue full.
	Refused(now time.Time)
	// Waiting is told that a worker found the queue empty at now and
	// waits; Woken, that a waiting worker woke at now.
	Waiting(now time.Time)
	Woken(now time.Time)
	// Take chooses what a worker takes at now from the n > 0 waiting
	// tasks, the oldest of which was pushed at oldest. ShedOldest is
	// honoured only when sheddable: the oldest task is a core.Rejecter and
	// the worker asked with PopShed.
	Take(n int, oldest, now time.Time, sheddable bool) Choice
}

// Choice is a Discipline's answer to a worker taking a task.
type Choice int

// The choices a Discipline makes.
const (
	TakeOldest Choice = iota // run the task that waited longest (first in, first out)
	TakeNewest               // run the task pushed last (last in, first out)
	ShedOldest               // refuse the task that waited longest with core.ErrBusy
)

// NewQueue returns an empty first-in-first-out queue that holds up to
// capacity tasks beyond those parked workers are about to take; a negative
// capacity counts as 0.
func NewQueue(capacity int) *Queue { return NewQueueWith(capacity, nil) }

// NewQueueWith returns an empty queue like NewQueue whose order and
// shedding d decides; a nil d is first in, first out, shedding nothing.
func NewQueueWith(capacity int, d Discipline) *Queue {
	capacity = max(capacity, 0)
	size := 1
	for size < capacity {
		size <<= 1
	}
	q := &Queue{ring: make([]slot, size), capacity: capacity, d: d}
	q.nonEmpty.L = &q.mu
	return q
}

// Push adds t without waiting (see [core.Queue]).
func (q *Queue) Push(t core.Task) error {
	now := q.now()
	q.mu.Lock()
	switch {
	case q.closed:
		q.mu.Unlock()
		return core.ErrClosed
	case !q.room():
		if q.d != nil {
			q.d.Refused(now)
		}
		q.mu.Unlock()
		return core.ErrBusy
	}
	q.put(t, now)
	q.mu.Unlock()
	return nil
}

// now reads the Discipline's clock, if there is a Discipline. q.mu must not
// be held.
func (q *Queue) now() time.Time {
	if q.d == nil {
		return time.Time{}
	}
	return q.d.Now()
}

// Pop waits for a task (see [core.Queue]); it never sheds.
func (q *Queue) Pop() (core.Task, bool) {
	t, ok, _ := q.pop(false)
	return t, ok
}

// PopShed waits for a task, which the Discipline may shed (see
// [core.ShedQueue]).
func (q *Queue) PopShed() (t core.Task, ok bool, shed error) {
	return q.pop(true)
}

// pop waits for a task and takes the one the Discipline chooses. A worker
// about to park is room for a hand-off, so it wakes a waiting pusher first.
func (q *Queue) pop(mayShed bool) (core.Task, bool, error) {
	now := q.now()
	q.mu.Lock()
	for q.n == 0 {
		if q.closed {
			q.mu.Unlock()
			return nil, false, nil
		}
		q.idle++
		if q.d != nil {
			q.d.Waiting(now)
		}
		q.wakePusher()
		q.nonEmpty.Wait()
		q.idle--
		// The wait may have been long, so the clock is read again. The
		// worker was idle, so the pool is not busy: a read under the lock
		// here delays nobody much.
		now = q.now()
		if q.d != nil {
			q.d.Woken(now)
		}
	}
	choice := TakeOldest
	if q.d != nil {
		oldest := q.ring[q.head]
		_, rejecter := oldest.t.(core.Rejecter)
		choice = q.d.Take(q.n, oldest.at, now, mayShed && rejecter)
	}
	var t core.Task
	if choice == TakeNewest {
		t = q.takeNewest()
	} else {
		t = q.takeOldest()
	}
	q.wakePusher()
	q.mu.Unlock()
	if choice == ShedOldest && mayShed {
		return t, true, core.ErrBusy
	}
	return t, true, nil
}

// takeOldest removes the task at the head. q.mu must be held and q.n > 0.
func (q *Queue) takeOldest() core.Task {
	t := q.ring[q.head].t
	q.ring[q.head] = slot{}
	q.head = (q.head + 1) & (len(q.ring) - 1)
	q.n--
	return t
}

// takeNewest removes the task at the tail. q.mu must be held and q.n > 0.
func (q *Queue) takeNewest() core.Task {
	i := (q.head + q.n - 1) & (len(q.ring) - 1)
	t := q.ring[i].t
	q.ring[i] = slot{}
	q.n--
	return t
}

// Overload reports the overload state of the queue's Discipline, when it
// has one to report (see [core.OverloadQueue]).
func (q *Queue) Overload() (core.OverloadStats, bool) {
	r, ok := q.d.(interface {
		Overload() (core.OverloadStats, bool)
	})
	if !ok {
		return core.OverloadStats{}, false
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	return r.Overload()
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

// put appends t, pushed at now, and wakes a parked worker. q.mu must be
// held and room() true.
func (q *Queue) put(t core.Task, now time.Time) {
	if q.n == len(q.ring) {
		q.grow()
	}
	if q.d != nil {
		q.d.Pushed(q.n, now)
	}
	q.ring[(q.head+q.n)&(len(q.ring)-1)] = slot{t: t, at: now}
	q.n++
	if q.idle > 0 {
		q.nonEmpty.Signal()
	}
}

// grow doubles the ring, keeping the tasks in order.
func (q *Queue) grow() {
	ring := make([]slot, 2*len(q.ring))
	for i := range q.n {
		ring[i] = q.ring[(q.head+i)&(len(q.ring)-1)]
	}
	q.ring = ring
	q.head = 0
}

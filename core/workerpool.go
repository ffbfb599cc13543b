package core

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
)

// WorkerPool runs a fixed number of workers that take tasks from a Queue.
// The queue decides the data structure, the capacity and, if it is a
// [ShedQueue], which accepted tasks are refused (a buffered channel, a ring
// under a mutex, a CoDel queue...); the pool adds workers, blocking
// submission, panic recovery and a draining shutdown.
type WorkerPool struct {
	q       Queue
	bq      BlockingQueue // q, when it can wait for room itself
	sq      ShedQueue     // q, when it may refuse tasks it accepted
	workers int
	live    atomic.Int32  // workers not yet returned
	exited  chan struct{} // closed by the last worker to return
	done    chan struct{} // closed when Shutdown begins
	once    sync.Once

	panics   atomic.Uint64
	rejected atomic.Uint64   // shared: written only under overload
	counts   []paddedCounter // per worker, so workers share no cache line
	// For a queue without BlockingQueue: Submit calls waiting for room, and
	// the channel closed (and replaced) when a task leaves the queue while
	// waiters > 0.
	waiters atomic.Int32
	mu      sync.Mutex
	space   chan struct{}
}

type paddedCounter struct {
	n atomic.Uint64
	_ [56]byte
}

var (
	_ Pool      = (*WorkerPool)(nil)
	_ StatsPool = (*WorkerPool)(nil)
)

// NewWorkerPool starts workers goroutines (at least one) over q. The pool
// owns q from then on: Shutdown closes it.
//
// Submit waits for room with q's own PushWait when q is a [BlockingQueue].
// Otherwise it retries Push each time a worker takes a task, which is
// right only for a queue whose room appears when a task leaves it (not for
// a hand-off queue; see [BlockingQueue]).
func NewWorkerPool(workers int, q Queue) *WorkerPool {
	if workers < 1 {
		workers = 1
	}
	p := &WorkerPool{
		q:       q,
		workers: workers,
		exited:  make(chan struct{}),
		done:    make(chan struct{}),
		counts:  make([]paddedCounter, workers),
		space:   make(chan struct{}),
	}
	p.bq, _ = q.(BlockingQueue)
	p.sq, _ = q.(ShedQueue)
	p.live.Store(int32(workers))
	for i := range workers {
		go p.work(&p.counts[i].n)
	}
	return p
}

func (p *WorkerPool) work(completed *atomic.Uint64) {
	defer func() {
		if p.live.Add(-1) == 0 {
			close(p.exited)
		}
	}()
	for {
		t, ok, shed := p.pop()
		if !ok {
			return
		}
		if p.waiters.Load() > 0 {
			p.signalSpace()
		}
		if shed != nil {
			p.reject(t.(Rejecter), shed)
			p.rejected.Add(1)
			continue
		}
		p.run(t)
		completed.Add(1)
	}
}

// pop takes the next task, and the queue's verdict on it when the queue may
// shed.
func (p *WorkerPool) pop() (t Task, ok bool, shed error) {
	if p.sq != nil {
		return p.sq.PopShed()
	}
	t, ok = p.q.Pop()
	return t, ok, nil
}

func (p *WorkerPool) run(t Task) {
	defer p.recoverPanic()
	t.Run()
}

func (p *WorkerPool) reject(r Rejecter, err error) {
	defer p.recoverPanic()
	r.Reject(err)
}

// recoverPanic, deferred, keeps a worker alive through a panicking task.
func (p *WorkerPool) recoverPanic() {
	if r := recover(); r != nil {
		p.panics.Add(1)
	}
}

func (p *WorkerPool) signalSpace() {
	p.mu.Lock()
	close(p.space)
	p.space = make(chan struct{})
	p.mu.Unlock()
}

// TrySubmit queues t if the queue has room (see [Pool]).
func (p *WorkerPool) TrySubmit(t Task) error { return p.q.Push(t) }

// Submit queues t, waiting for room while ctx allows (see [Pool]).
func (p *WorkerPool) Submit(ctx context.Context, t Task) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if p.bq != nil {
		return p.bq.PushWait(ctx, t)
	}
	for {
		if err := p.q.Push(t); !errors.Is(err, ErrBusy) {
			return err
		}
		p.waiters.Add(1)
		p.mu.Lock()
		space := p.space
		p.mu.Unlock()
		// Try again now that a worker taking a task will wake us: a task
		// taken between the failed push and the registration is not missed.
		if err := p.q.Push(t); !errors.Is(err, ErrBusy) {
			p.waiters.Add(-1)
			return err
		}
		select {
		case <-space:
			p.waiters.Add(-1)
		case <-ctx.Done():
			p.waiters.Add(-1)
			return ctx.Err()
		case <-p.done:
			p.waiters.Add(-1)
			return ErrClosed
		}
	}
}

// Shutdown closes the queue, lets the workers drain it and waits for them
// (see [Pool]).
func (p *WorkerPool) Shutdown(ctx context.Context) error {
	p.once.Do(func() {
		close(p.done)
		p.q.Close()
	})
	select {
	case <-p.exited:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Stats returns the pool's counters.
func (p *WorkerPool) Stats() PoolStats {
	s := PoolStats{Workers: p.workers, Queued: p.q.Len(), Rejected: p.rejected.Load(), Panics: p.panics.Load()}
	for i := range p.counts {
		s.Completed += p.counts[i].n.Load()
	}
	if oq, ok := p.q.(OverloadQueue); ok {
		if o, ok := oq.Overload(); ok {
			s.Overload = &o
		}
	}
	return s
}

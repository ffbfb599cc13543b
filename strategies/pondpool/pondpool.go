// Package pondpool is the pond strategy: github.com/alitto/pond/v2, a
// popular worker-pool library, wrapped as a peer of our own strategies so
// that every measurement puts it beside them.
//
// What the library gives and what the wrapper adds:
//   - Bound and queue: pond.NewPool(workers, WithQueueSize(queue)) runs at
//     most workers tasks and queues up to queue more (a queue size of 0 is
//     pond's "no queue"), the same "workers + queue" capacity as chan-pool.
//     Pond starts worker goroutines on demand and lets them exit when the
//     queue empties, rather than keeping them resident.
//   - Cancellation: pond's blocking submit waits only on the pool's own
//     context, never on the caller's. The wrapper therefore admits every
//     task through a semaphore of workers+queue slots, acquired with the
//     caller's ctx (Submit) or without waiting (TrySubmit, ErrBusy when no
//     slot is free), and released when the task returns. A task holding a
//     slot always finds room in pond except for the instant between
//     another task returning and its worker taking the next one; pond's
//     blocking submit covers that instant and never waits on a task.
//   - Panics: pond recovers them and counts them as failed tasks; Stats
//     reports pond's own counters.
//   - Shutdown: the wrapper refuses new tasks, waits for the accepted ones,
//     then stops pond (StopAndWait), all within the caller's ctx.
//   - Cost: pond takes a func(), so each task costs a closure allocation.
package pondpool

import (
	"context"
	"sync"

	"github.com/alitto/pond/v2"

	"github.com/tcpimg/tcpimg/core"
	"github.com/tcpimg/tcpimg/strategies/internal/gate"
)

// Pool runs tasks on a pond pool behind an admission semaphore.
type Pool struct {
	pool    pond.Pool
	admit   *gate.Admission // a slot per task accepted and not yet returned
	stop    sync.Once
	stopped chan struct{} // closed once pond has stopped
}

var (
	_ core.Pool      = (*Pool)(nil)
	_ core.StatsPool = (*Pool)(nil)
)

// New returns a pool running at most workers tasks (at least one) with up
// to queue more waiting.
func New(workers, queue int) *Pool {
	workers, queue = max(workers, 1), max(queue, 0)
	return &Pool{
		pool:    pond.NewPool(workers, pond.WithQueueSize(queue), pond.WithNonBlocking(false)),
		admit:   gate.NewAdmission(workers + queue),
		stopped: make(chan struct{}),
	}
}

// TrySubmit runs t if a slot is free (see [core.Pool]).
func (p *Pool) TrySubmit(t core.Task) error {
	if err := p.admit.TryEnter(); err != nil {
		return err
	}
	return p.start(t)
}

// Submit runs t, waiting for a slot while ctx allows (see [core.Pool]).
func (p *Pool) Submit(ctx context.Context, t core.Task) error {
	if err := p.admit.Enter(ctx); err != nil {
		return err
	}
	return p.start(t)
}

// start hands t, which holds a slot, to pond.
func (p *Pool) start(t core.Task) error {
	err := p.pool.Go(func() {
		defer p.admit.Exit()
		t.Run()
	})
	if err != nil { // pond stops only after admission drained, so this is a bug
		p.admit.Exit()
		return core.ErrClosed
	}
	return nil
}

// Shutdown refuses new tasks, waits for the accepted ones and stops pond
// (see [core.Pool]).
func (p *Pool) Shutdown(ctx context.Context) error {
	p.admit.Close()
	p.stop.Do(func() {
		go func() {
			<-p.admit.Drained()
			p.pool.StopAndWait()
			close(p.stopped)
		}()
	})
	select {
	case <-p.stopped:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Stats returns pond's counters: Workers counts the worker goroutines pond
// has running, and Panics the tasks pond saw fail, which for tasks that
// return nothing means panicked.
func (p *Pool) Stats() core.PoolStats {
	return core.PoolStats{
		Workers:   int(p.pool.RunningWorkers()),
		Queued:    int(p.pool.WaitingTasks()),
		Completed: p.pool.CompletedTasks(),
		Panics:    p.pool.FailedTasks(),
	}
}

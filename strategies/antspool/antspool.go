// Package antspool is the ants strategy: github.com/panjf2000/ants/v2, the
// most used goroutine-pool library, wrapped as a peer of our own strategies
// so that every measurement puts it beside them.
//
// What the library can and cannot do, and what the wrapper adds:
//   - Workers: ants.NewPoolWithFunc(workers, run) with Invoke passes each
//     task as an argument to one function, so no closure is allocated per
//     task. Purging of idle workers is disabled, so workers stay resident
//     like a fixed pool's.
//   - No queue: ants has no task queue. A task either finds a free worker
//     or its caller waits (blocking mode) or is refused (non-blocking mode,
//     ErrPoolOverload). ants's MaxBlockingTasks only caps how many callers
//     may wait. So a queue size cannot be honoured: this pool holds at most
//     workers tasks, and TrySubmit answers ErrBusy as soon as every worker
//     is busy.
//   - Cancellation: ants's blocking wait cannot be cancelled (it is a
//     sync.Cond), and in non-blocking mode a worker that has just finished
//     is not free again until ants has put it back on its idle list, a
//     moment the caller cannot observe. The wrapper therefore admits tasks
//     through a semaphore of workers slots, acquired with the caller's ctx
//     (Submit) or without waiting (TrySubmit, ErrBusy when none is free),
//     and released when the task returns; ants runs in blocking mode, where
//     a caller holding a slot waits at most for that moment, never for a
//     task. ants's own overload error is thus never produced.
//   - Panics: the wrapper recovers them, so an ants worker survives a
//     panicking task instead of exiting, and counts them.
//   - Shutdown: the wrapper refuses new tasks, waits for the accepted ones,
//     then releases ants (ReleaseContext), which stops its workers and its
//     clock goroutine.
package antspool

import (
	"context"
	"sync"
	"sync/atomic"

	"github.com/panjf2000/ants/v2"

	"github.com/tcpimg/tcpimg/core"
	"github.com/tcpimg/tcpimg/strategies/internal/gate"
)

// ants starts a package-level default pool, with a clock goroutine and a
// purging goroutine, as soon as it is imported. tcpimg never uses that pool,
// and its goroutines would outlive every leak check of every package that
// links this one (the server's among them), so it is released here.
func init() { ants.Release() }

// Pool runs tasks on an ants pool behind an admission semaphore.
type Pool struct {
	pool      *ants.PoolWithFunc
	workers   int
	admit     *gate.Admission // a slot per task accepted and not yet returned
	completed atomic.Uint64
	panics    atomic.Uint64
	stop      sync.Once
	stopped   chan struct{} // closed once ants has released its goroutines
}

var (
	_ core.Pool      = (*Pool)(nil)
	_ core.StatsPool = (*Pool)(nil)
)

// New returns a pool running at most workers tasks (at least one). It has
// no queue (see the package documentation).
func New(workers int) *Pool {
	workers = max(workers, 1)
	p := &Pool{
		workers: workers,
		admit:   gate.NewAdmission(workers),
		stopped: make(chan struct{}),
	}
	pool, err := ants.NewPoolWithFunc(workers, p.run, ants.WithDisablePurge(true))
	if err != nil { // only invalid options fail, and these are fixed
		panic("antspool: " + err.Error())
	}
	p.pool = pool
	return p
}

// TrySubmit runs t if a worker is free (see [core.Pool]).
func (p *Pool) TrySubmit(t core.Task) error {
	if err := p.admit.TryEnter(); err != nil {
		return err
	}
	return p.start(t)
}

// Submit runs t, waiting for a free worker while ctx allows (see
// [core.Pool]).
func (p *Pool) Submit(ctx context.Context, t core.Task) error {
	if err := p.admit.Enter(ctx); err != nil {
		return err
	}
	return p.start(t)
}

// start hands t, which holds a slot, to ants.
func (p *Pool) start(t core.Task) error {
	if err := p.pool.Invoke(t); err != nil { // ants is released only after admission drained
		p.admit.Exit()
		return core.ErrClosed
	}
	return nil
}

// run is the pool function ants calls with each task.
func (p *Pool) run(arg any) {
	defer func() {
		if r := recover(); r != nil {
			p.panics.Add(1)
		}
		p.completed.Add(1)
		p.admit.Exit()
	}()
	arg.(core.Task).Run()
}

// Shutdown refuses new tasks, waits for the accepted ones and releases ants
// (see [core.Pool]).
func (p *Pool) Shutdown(ctx context.Context) error {
	p.admit.Close()
	p.stop.Do(func() {
		go func() {
			<-p.admit.Drained()
			_ = p.pool.ReleaseContext(context.Background())
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

// Stats returns the pool's counters; Queued counts callers ants has
// waiting for a worker, which is at most momentary.
func (p *Pool) Stats() core.PoolStats {
	return core.PoolStats{
		Workers:   p.workers,
		Queued:    p.pool.Waiting(),
		Completed: p.completed.Load(),
		Panics:    p.panics.Load(),
	}
}

// Package unbounded is the unbounded strategy: a goroutine per task, no
// queue and no limit. It is the baseline that shows why the bounded
// strategies exist: under overload it never refuses, so memory and latency
// grow with the backlog instead of the server answering BUSY.
package unbounded

import (
	"context"
	"sync/atomic"

	"github.com/tcpimg/tcpimg/core"
	"github.com/tcpimg/tcpimg/strategies/internal/gate"
)

// Pool starts a goroutine for every task it accepts.
type Pool struct {
	gate      *gate.Gate
	completed atomic.Uint64
	panics    atomic.Uint64
}

var (
	_ core.Pool      = (*Pool)(nil)
	_ core.StatsPool = (*Pool)(nil)
)

// New returns a pool with no bound; it starts no goroutine until a task
// arrives.
func New() *Pool { return &Pool{gate: gate.New()} }

// TrySubmit starts t on a goroutine of its own; it never answers ErrBusy,
// only ErrClosed once Shutdown has begun.
func (p *Pool) TrySubmit(t core.Task) error {
	if !p.gate.Enter() {
		return core.ErrClosed
	}
	go p.run(t)
	return nil
}

// Submit is TrySubmit, since there is never a reason to wait; it still
// honours a ctx that is already done.
func (p *Pool) Submit(ctx context.Context, t core.Task) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return p.TrySubmit(t)
}

func (p *Pool) run(t core.Task) {
	defer func() {
		if r := recover(); r != nil {
			p.panics.Add(1)
		}
		p.completed.Add(1)
		p.gate.Leave()
	}()
	t.Run()
}

// Shutdown refuses new tasks and waits for the running ones (see
// [core.Pool]).
func (p *Pool) Shutdown(ctx context.Context) error {
	p.gate.Close()
	select {
	case <-p.gate.Drained():
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Stats returns the pool's counters; Workers is 0 because no goroutine
// outlives its task, and Queued is 0 because nothing waits.
func (p *Pool) Stats() core.PoolStats {
	return core.PoolStats{Completed: p.completed.Load(), Panics: p.panics.Load()}
}

package core_test

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tcpimg/tcpimg/core"
)

// pushOnly hides a queue's PushWait, so the pool falls back to retrying
// Push when a worker takes a task.
type pushOnly struct{ core.Queue }

// gated is a task that reports its start and then waits for release.
type gated struct {
	started chan struct{}
	release chan struct{}
	runs    atomic.Int64
}

func newGated() *gated {
	return &gated{started: make(chan struct{}, 64), release: make(chan struct{})}
}

func (g *gated) Run() {
	g.runs.Add(1)
	g.started <- struct{}{}
	<-g.release
}

type counter struct{ n atomic.Int64 }

func (c *counter) Run() { c.n.Add(1) }

func boundedCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// TestWorkerPoolSubmitHandOff checks a blocked Submit on a capacity-0
// queue: room there is a worker starting to wait, which the pool cannot
// see, so a Submit that waited in the pool rather than in the queue would
// sleep forever once every worker was idle again.
func TestWorkerPoolSubmitHandOff(t *testing.T) {
	tests := []struct {
		name  string
		give  core.Queue
		tasks int
	}{
		{"chan queue capacity 0", core.NewChanQueue(0), 2000},
		{"chan queue capacity 4", core.NewChanQueue(4), 2000},
		{"fallback over a buffered queue", pushOnly{core.NewChanQueue(4)}, 2000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := core.NewWorkerPool(2, tt.give)
			ctx := boundedCtx(t)
			c := &counter{}
			for range tt.tasks {
				require.NoError(t, p.Submit(ctx, c))
			}
			require.NoError(t, p.Shutdown(ctx))
			assert.Equal(t, int64(tt.tasks), c.n.Load())
			assert.Equal(t, uint64(tt.tasks), p.Stats().Completed)
		})
	}
}

// TestWorkerPoolSubmitWaits covers both waiting paths: a full pool makes
// Submit wait, a finished task lets it in, and cancellation leaves nothing
// queued.
func TestWorkerPoolSubmitWaits(t *testing.T) {
	tests := []struct {
		name string
		give func() core.Queue
	}{
		{"blocking queue", func() core.Queue { return core.NewChanQueue(1) }},
		{"fallback", func() core.Queue { return pushOnly{core.NewChanQueue(1)} }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := core.NewWorkerPool(1, tt.give())
			ctx := boundedCtx(t)
			g := newGated()
			require.NoError(t, p.Submit(ctx, g))
			<-g.started
			require.NoError(t, p.TrySubmit(g)) // fills the queue
			require.ErrorIs(t, p.TrySubmit(g), core.ErrBusy)

			c := &counter{}
			cctx, cancel := context.WithCancel(ctx)
			errc := make(chan error, 1)
			go func() { errc <- p.Submit(cctx, c) }()
			cancel()
			require.ErrorIs(t, <-errc, context.Canceled)

			go func() { errc <- p.Submit(ctx, c) }()
			g.release <- struct{}{} // the running task ends; the queued one starts
			<-g.started
			require.NoError(t, <-errc)

			close(g.release)
			require.NoError(t, p.Shutdown(ctx))
			assert.Equal(t, int64(1), c.n.Load(), "only the uncancelled submission ran")
			assert.Equal(t, int64(2), g.runs.Load())
		})
	}
}

func TestWorkerPoolShutdown(t *testing.T) {
	p := core.NewWorkerPool(2, core.NewChanQueue(2))
	ctx := boundedCtx(t)
	g := newGated()
	require.NoError(t, p.Submit(ctx, g))
	require.NoError(t, p.Submit(ctx, g))
	<-g.started
	<-g.started
	require.NoError(t, p.TrySubmit(g))

	// A Submit waiting for room when Shutdown begins is refused.
	require.NoError(t, p.TrySubmit(g))
	errc := make(chan error, 1)
	go func() { errc <- p.Submit(ctx, &counter{}) }()

	done, cancel := context.WithCancel(ctx)
	cancel()
	require.ErrorIs(t, p.Shutdown(done), context.Canceled, "Shutdown with tasks still blocked")
	require.ErrorIs(t, <-errc, core.ErrClosed)
	require.ErrorIs(t, p.TrySubmit(g), core.ErrClosed)
	require.ErrorIs(t, p.Submit(ctx, g), core.ErrClosed)

	close(g.release)
	require.NoError(t, p.Shutdown(ctx))
	require.NoError(t, p.Shutdown(ctx), "Shutdown is idempotent")
	assert.Equal(t, int64(4), g.runs.Load(), "every accepted task ran")
}

func TestWorkerPoolPanic(t *testing.T) {
	p := core.NewWorkerPool(1, core.NewChanQueue(1))
	ctx := boundedCtx(t)
	c := &counter{}
	require.NoError(t, p.Submit(ctx, core.TaskFunc(func() { panic("boom") })))
	require.NoError(t, p.Submit(ctx, c))
	require.NoError(t, p.Shutdown(ctx))
	assert.Equal(t, int64(1), c.n.Load())
	assert.Equal(t, core.PoolStats{Workers: 1, Completed: 2, Panics: 1}, p.Stats())
}

// shedHalf is a ShedQueue that sheds every second task with a reject path
// it hands out, so the worker's reject path can be tested without a clock.
type shedHalf struct {
	*core.ChanQueue
	taken atomic.Int64
}

func (q *shedHalf) PopShed() (core.Task, bool, error) {
	t, ok := q.Pop()
	if _, rejecter := t.(core.Rejecter); ok && rejecter && q.taken.Add(1)%2 == 0 {
		return t, true, core.ErrBusy
	}
	return t, ok, nil
}

// answered counts how a task was answered; a rejection may panic.
type answered struct {
	runs, rejects atomic.Int64
	panicReject   bool
}

func (a *answered) Run() { a.runs.Add(1) }

func (a *answered) Reject(err error) {
	if !errors.Is(err, core.ErrBusy) {
		panic(fmt.Sprintf("rejected with %v, want ErrBusy", err))
	}
	a.rejects.Add(1)
	if a.panicReject {
		panic("reject panicked")
	}
}

// TestWorkerPoolRejects: a task the queue sheds is answered by Reject, not
// Run, and counted Rejected, not Completed; a panicking Reject is recovered
// and counted like a panicking Run; a task without a reject path runs.
func TestWorkerPoolRejects(t *testing.T) {
	const n = 100
	tests := []struct {
		name string
		give core.Task
		want core.PoolStats
	}{
		{"reject path", &answered{}, core.PoolStats{Workers: 1, Completed: n / 2, Rejected: n / 2}},
		{"panicking reject", &answered{panicReject: true}, core.PoolStats{Workers: 1, Completed: n / 2, Rejected: n / 2, Panics: n / 2}},
		{"no reject path", &counter{}, core.PoolStats{Workers: 1, Completed: n}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := core.NewWorkerPool(1, &shedHalf{ChanQueue: core.NewChanQueue(4)})
			ctx := boundedCtx(t)
			for range n {
				require.NoError(t, p.Submit(ctx, tt.give))
			}
			require.NoError(t, p.Shutdown(ctx))
			assert.Equal(t, tt.want, p.Stats())
			if a, ok := tt.give.(*answered); ok {
				assert.Equal(t, int64(tt.want.Completed), a.runs.Load(), "runs")
				assert.Equal(t, int64(tt.want.Rejected), a.rejects.Load(), "rejects")
			}
		})
	}
}

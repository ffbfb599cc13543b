package strategytest

import (
	"context"
	"errors"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/tcpimg/tcpimg/core"
)

// NewPoolFunc builds the pool under test with the given number of workers
// and queue capacity.
type NewPoolFunc func(workers, queue int) core.Pool

// TestPool runs the pool conformance suite against the pools newPool
// builds. bounded says whether the pool caps running tasks at its workers
// and refuses when full; an unbounded pool skips only the checks of that
// bound. A pool may hold fewer queued tasks than asked (a library with no
// queue), never more.
func TestPool(t *testing.T, newPool NewPoolFunc, bounded bool) {
	tests := []struct {
		name        string
		boundedOnly bool
		run         func(t *testing.T, newPool NewPoolFunc, bounded bool)
	}{
		{"each of 10000 tasks is answered once", false, testEachOnce},
		{"each task is answered once without a queue", false, testEachOnceHandOff},
		{"a task without a reject path always runs", false, testPlainTasksRun},
		{"running tasks never exceed workers", true, testBound},
		{"try submit refuses when full", true, testTrySubmitBusy},
		{"submit waits and honours cancellation", true, testSubmitCancel},
		{"submit proceeds when room appears", true, testSubmitUnblocks},
		{"shutdown drains, refuses and is idempotent", false, testShutdown},
		{"panic is recovered and counted", false, testPanic},
		{"no goroutine remains after shutdown", false, testNoLeak},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.boundedOnly && !bounded {
				t.Skip("the pool is unbounded by design")
			}
			tt.run(t, newPool, bounded)
		})
	}
}

// start builds a pool for one subtest. Cleanup shuts it down (a second
// Shutdown must be harmless) and then checks that no goroutine started
// since is left.
func start(t *testing.T, newPool NewPoolFunc, workers, queue int) core.Pool {
	t.Helper()
	before := goleak.IgnoreCurrent()
	t.Cleanup(func() { goleak.VerifyNone(t, before) })
	p := newPool(workers, queue)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), bound)
		defer cancel()
		assert.NoError(t, p.Shutdown(ctx), "Shutdown in cleanup")
	})
	return p
}

// shutdown shuts p down within bound and requires success.
func shutdown(t *testing.T, p core.Pool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), bound)
	defer cancel()
	require.NoError(t, p.Shutdown(ctx))
}

// fill occupies every worker of a bounded pool with b and then queues b
// until the pool refuses, returning the number of tasks accepted. It
// requires the refusal to be ErrBusy and to come before the queue holds
// more than queue tasks.
func fill(t *testing.T, p core.Pool, b *blocker, workers, queue int) int {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), bound)
	defer cancel()
	for range workers {
		require.NoError(t, p.Submit(ctx, b))
	}
	b.awaitStarted(t, workers)
	queued := 0
	for {
		err := p.TrySubmit(b)
		if err != nil {
			require.ErrorIs(t, err, core.ErrBusy)
			break
		}
		queued++
		require.LessOrEqual(t, queued, queue, "TrySubmit accepted more than workers + queue")
	}
	if sp, ok := p.(core.StatsPool); ok {
		assert.Equal(t, queued, sp.Stats().Queued, "Stats().Queued of a full pool")
	}
	return workers + queued
}

// submitAll submits every task from several goroutines at once, half of
// them shedding with TrySubmit and falling back to Submit when refused, and
// requires each to be accepted.
func submitAll(t *testing.T, p core.Pool, tasks []counted) {
	t.Helper()
	const submitters = 4
	errs := make(chan error, submitters)
	var wg sync.WaitGroup
	for s := range submitters {
		wg.Go(func() {
			for i := s; i < len(tasks); i += submitters {
				err := core.ErrBusy
				if s%2 == 0 {
					err = p.TrySubmit(&tasks[i])
				}
				if errors.Is(err, core.ErrBusy) {
					err = p.Submit(context.Background(), &tasks[i])
				}
				if err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
}

// runMany runs n counted tasks through a fresh pool and shuts it down.
func runMany(t *testing.T, newPool NewPoolFunc, workers, queue, n int) *tally {
	t.Helper()
	p := start(t, newPool, workers, queue)
	tl, tasks := newTally(n)
	submitAll(t, p, tasks)
	shutdown(t, p)
	if sp, ok := p.(core.StatsPool); ok {
		s := sp.Stats()
		assert.Equal(t, uint64(n), s.Completed+s.Rejected, "Stats().Completed + Rejected")
		assert.Equal(t, uint64(tl.rejects.Load()), s.Rejected, "Stats().Rejected")
		assert.Zero(t, s.Queued, "Stats().Queued after Shutdown")
		assert.Zero(t, s.Panics, "Stats().Panics")
	}
	return tl
}

func testEachOnce(t *testing.T, newPool NewPoolFunc, _ bool) {
	runMany(t, newPool, 4, 16, 10000).requireEachOnce(t)
}

func testEachOnceHandOff(t *testing.T, newPool NewPoolFunc, _ bool) {
	runMany(t, newPool, 2, 0, 2000).requireEachOnce(t)
}

// testPlainTasksRun submits tasks with no reject path (a TaskFunc), which a
// pool must run once accepted however it manages its queue.
func testPlainTasksRun(t *testing.T, newPool NewPoolFunc, _ bool) {
	p := start(t, newPool, 2, 64)
	const n = 2000
	var runs atomic.Int64
	task := core.TaskFunc(func() {
		runs.Add(1)
		runtime.Gosched()
	})
	for range n {
		require.NoError(t, p.Submit(context.Background(), task))
	}
	shutdown(t, p)
	assert.Equal(t, int64(n), runs.Load(), "plain tasks run")
	if sp, ok := p.(core.StatsPool); ok {
		assert.Zero(t, sp.Stats().Rejected, "Stats().Rejected of plain tasks")
	}
}

func testBound(t *testing.T, newPool NewPoolFunc, _ bool) {
	const workers = 3
	tl := runMany(t, newPool, workers, 8, 10000)
	peak := tl.peak.Load()
	assert.LessOrEqual(t, peak, int64(workers), "tasks running at once")
	assert.Positive(t, peak)
}

func testTrySubmitBusy(t *testing.T, newPool NewPoolFunc, _ bool) {
	const workers, queue = 2, 3
	p := start(t, newPool, workers, queue)
	b := newBlocker(t)
	accepted := fill(t, p, b, workers, queue)
	pr := &probe{}
	require.ErrorIs(t, p.TrySubmit(pr), core.ErrBusy, "TrySubmit on a full pool")
	b.releaseAll()
	shutdown(t, p)
	assert.Equal(t, int64(accepted), b.answered(), "accepted tasks answered")
	assert.Zero(t, pr.answered(), "a refused task was answered")
}

func testSubmitCancel(t *testing.T, newPool NewPoolFunc, _ bool) {
	const workers, queue = 2, 2
	p := start(t, newPool, workers, queue)
	b := newBlocker(t)
	accepted := fill(t, p, b, workers, queue)
	pr := &probe{}

	done, cancel := context.WithCancel(context.Background())
	cancel()
	require.ErrorIs(t, p.Submit(done, pr), context.Canceled, "Submit with a done ctx")

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	errc := make(chan error, 1)
	go func() { errc <- p.Submit(ctx, pr) }()
	requirePending(t, errc, "Submit on a full pool")
	cancel()
	require.ErrorIs(t, recv(t, errc, "cancelled Submit"), context.Canceled)

	b.releaseAll()
	shutdown(t, p)
	assert.Equal(t, int64(accepted), b.answered(), "accepted tasks answered")
	assert.Zero(t, pr.answered(), "a cancelled submission was answered")
}

func testSubmitUnblocks(t *testing.T, newPool NewPoolFunc, _ bool) {
	const workers, queue = 2, 2
	p := start(t, newPool, workers, queue)
	b := newBlocker(t)
	accepted := fill(t, p, b, workers, queue)
	pr := &probe{}

	errc := make(chan error, 1)
	go func() { errc <- p.Submit(context.Background(), pr) }()
	requirePending(t, errc, "Submit on a full pool")
	b.releaseOne(t) // one task finishes, making room for one
	require.NoError(t, recv(t, errc, "Submit after room appeared"))

	b.releaseAll()
	shutdown(t, p)
	assert.Equal(t, int64(accepted), b.answered(), "accepted tasks answered")
	assert.Equal(t, int64(1), pr.answered(), "the waiting submission was answered")
}

func testShutdown(t *testing.T, newPool NewPoolFunc, bounded bool) {
	const workers, queue = 2, 3
	p := start(t, newPool, workers, queue)
	b := newBlocker(t)
	accepted := 8
	if bounded {
		accepted = fill(t, p, b, workers, queue)
	} else {
		for range accepted {
			require.NoError(t, p.TrySubmit(b))
		}
		b.awaitStarted(t, accepted)
	}

	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- p.Shutdown(ctx) }()
	requirePending(t, errc, "Shutdown with tasks blocked")
	cancel()
	require.ErrorIs(t, recv(t, errc, "Shutdown whose ctx ended"), context.Canceled)

	pr := &probe{}
	require.ErrorIs(t, p.TrySubmit(pr), core.ErrClosed, "TrySubmit after Shutdown began")
	require.ErrorIs(t, p.Submit(context.Background(), pr), core.ErrClosed, "Submit after Shutdown began")

	b.releaseAll()
	shutdown(t, p)
	shutdown(t, p) // idempotent: a second call waits too, and succeeds
	assert.Equal(t, int64(accepted), b.answered(), "accepted tasks answered before Shutdown returned")
	assert.Zero(t, pr.answered(), "a task refused after Shutdown was answered")
}

func testPanic(t *testing.T, newPool NewPoolFunc, _ bool) {
	p := start(t, newPool, 2, 4)
	require.NoError(t, p.Submit(context.Background(), panicker{}))
	tl, tasks := newTally(100)
	for i := range tasks {
		require.NoError(t, p.Submit(context.Background(), &tasks[i]), "Submit after a panic")
	}
	shutdown(t, p)
	tl.requireEachOnce(t)
	if sp, ok := p.(core.StatsPool); ok {
		s := sp.Stats()
		assert.Equal(t, uint64(1), s.Panics, "Stats().Panics")
		assert.Equal(t, uint64(101), s.Completed+s.Rejected, "Stats().Completed counts the panicked task")
	}
}

func testNoLeak(t *testing.T, newPool NewPoolFunc, _ bool) {
	before := goleak.IgnoreCurrent()
	p := newPool(3, 3)
	tl, tasks := newTally(50)
	for i := range tasks {
		require.NoError(t, p.Submit(context.Background(), &tasks[i]))
	}
	shutdown(t, p)
	tl.requireEachOnce(t)
	goleak.VerifyNone(t, before)
}

package strategytest

import (
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tcpimg/tcpimg/core"
)

// bound caps every wait, so a strategy that loses a wake-up fails its test
// instead of hanging the run.
const bound = 10 * time.Second

// Every task of the suite is a core.Rejecter, so a pool that sheds
// accepted tasks (CoDel) is held to the same count as one that runs them
// all: each accepted task answered once, by Run or by Reject.
var (
	_ core.Rejecter = (*blocker)(nil)
	_ core.Rejecter = (*probe)(nil)
	_ core.Rejecter = (*counted)(nil)
)

// blocker is a task that reports it started and then waits for the test to
// release it, so a test can keep workers busy without sleeping. Tokens sent
// on release let one run finish each; closing release lets all finish.
type blocker struct {
	started chan struct{}
	release chan struct{}
	once    sync.Once
	runs    atomic.Int64
	rejects atomic.Int64
}

// newBlocker returns a blocker that is released when the test ends at the
// latest, so a failing test does not leave tasks blocked for the next.
func newBlocker(t *testing.T) *blocker {
	b := &blocker{started: make(chan struct{}, 1024), release: make(chan struct{})}
	t.Cleanup(b.releaseAll)
	return b
}

// releaseAll lets every run, present and future, finish.
func (b *blocker) releaseAll() { b.once.Do(func() { close(b.release) }) }

func (b *blocker) Run() {
	b.runs.Add(1)
	b.started <- struct{}{}
	<-b.release
}

// Reject counts a refusal: the task never blocked a worker.
func (b *blocker) Reject(error) { b.rejects.Add(1) }

// answered returns how often b was run or rejected.
func (b *blocker) answered() int64 { return b.runs.Load() + b.rejects.Load() }

// releaseOne lets one blocked run finish.
func (b *blocker) releaseOne(t *testing.T) {
	t.Helper()
	timeout := time.NewTimer(bound)
	defer timeout.Stop()
	select {
	case b.release <- struct{}{}:
	case <-timeout.C:
		t.Fatalf("no blocked task to release within %v", bound)
	}
}

// awaitStarted waits until n more runs of b have started.
func (b *blocker) awaitStarted(t *testing.T, n int) {
	t.Helper()
	timeout := time.NewTimer(bound)
	defer timeout.Stop()
	for range n {
		select {
		case <-b.started:
		case <-timeout.C:
			t.Fatalf("only some of %d tasks started within %v", n, bound)
		}
	}
}

// probe is a task that only counts its answers: the witness that a refused
// or cancelled submission was never run nor rejected, or that an accepted
// one was answered.
type probe struct{ runs, rejects atomic.Int64 }

func (p *probe) Run() { p.runs.Add(1) }

// Reject counts a refusal after acceptance.
func (p *probe) Reject(error) { p.rejects.Add(1) }

// answered returns how often p was run or rejected.
func (p *probe) answered() int64 { return p.runs.Load() + p.rejects.Load() }

// panicker is a task that panics.
type panicker struct{}

func (panicker) Run() { panic("strategytest: deliberate panic") }

// tally records how often each task was answered (run or rejected), how
// many of those answers were rejections, and how many ran at once.
type tally struct {
	counts  []atomic.Int32
	rejects atomic.Int64
	running atomic.Int64
	peak    atomic.Int64
}

// counted is the task for one id of a tally. The tasks are built before a
// test submits them, so submitting allocates nothing on the test's side.
type counted struct {
	id int
	t  *tally
}

func newTally(n int) (*tally, []counted) {
	tl := &tally{counts: make([]atomic.Int32, n)}
	tasks := make([]counted, n)
	for i := range tasks {
		tasks[i] = counted{id: i, t: tl}
	}
	return tl, tasks
}

func (c *counted) Run() {
	c.t.counts[c.id].Add(1)
	now := c.t.running.Add(1)
	for {
		peak := c.t.peak.Load()
		if now <= peak || c.t.peak.CompareAndSwap(peak, now) {
			break
		}
	}
	runtime.Gosched() // let others overlap, so an unbounded run shows it
	c.t.running.Add(-1)
}

// Reject counts the task answered without running.
func (c *counted) Reject(err error) {
	c.t.counts[c.id].Add(1)
	c.t.rejects.Add(1)
}

// requireEachOnce fails unless every task of tl was answered exactly once,
// by Run or by Reject.
func (tl *tally) requireEachOnce(t *testing.T) {
	t.Helper()
	var lost, twice int
	for i := range tl.counts {
		switch n := tl.counts[i].Load(); {
		case n == 0:
			lost++
		case n > 1:
			twice++
		}
	}
	require.Zero(t, lost, "tasks neither run nor rejected")
	require.Zero(t, twice, "tasks answered more than once")
}

// recv waits, within bound, for the value an asynchronous call sends on ch.
func recv[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	timeout := time.NewTimer(bound)
	defer timeout.Stop()
	select {
	case v := <-ch:
		return v
	case <-timeout.C:
		t.Fatalf("%s did not return within %v", what, bound)
		panic("unreachable")
	}
}

// requirePending fails if the asynchronous call behind ch has already
// returned. It cannot prove the call is blocked, only that it has not
// wrongly finished.
func requirePending[T any](t *testing.T, ch <-chan T, what string) {
	t.Helper()
	select {
	case v := <-ch:
		t.Fatalf("%s returned %v while it should wait", what, v)
	default:
	}
}

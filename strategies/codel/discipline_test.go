package codel_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tcpimg/tcpimg/core"
	"github.com/tcpimg/tcpimg/strategies/codel"
	"github.com/tcpimg/tcpimg/strategies/mutexqueue"
)

// clock is a fake clock the test moves by hand; the queue reads it under
// its own lock and the tests drive the queue from one goroutine.
type clock struct{ now time.Time }

func newClock() *clock { return &clock{now: time.Unix(1000, 0)} }

func (c *clock) Now() time.Time          { return c.now }
func (c *clock) advance(d time.Duration) { c.now = c.now.Add(d) }

// job is a task with a reject path, named for the assertions.
type job struct{ id int }

func (*job) Run()         {}
func (*job) Reject(error) {}

// plain is a task without one.
type plain struct{ id int }

func (*plain) Run() {}

// newQueue returns a queue under the discipline cfg sets, read by the fake
// clock c.
func newQueue(t *testing.T, c *clock, cfg codel.Config) *mutexqueue.Queue {
	cfg.Target, cfg.Interval, cfg.Now = target, interval, c.Now
	q := mutexqueue.NewQueueWith(64, codel.NewDiscipline(cfg))
	t.Cleanup(q.Close)
	return q
}

func push(t *testing.T, q *mutexqueue.Queue, tasks ...core.Task) {
	t.Helper()
	for _, tk := range tasks {
		require.NoError(t, q.Push(tk))
	}
}

// taken is what one PopShed gave a worker.
type taken struct {
	task core.Task
	shed bool
}

func popShed(t *testing.T, q *mutexqueue.Queue) taken {
	t.Helper()
	tk, ok, err := q.PopShed()
	require.True(t, ok)
	if err != nil {
		require.ErrorIs(t, err, core.ErrBusy)
	}
	return taken{tk, err != nil}
}

// standing takes a task every 10 ms from a queue filled at the start, so
// that the head has always waited over the target: the first take opens an
// interval (100 ms), the twelfth closes it with a minimum above target and
// opens an overloaded one. It returns what the worker was given.
func standing(t *testing.T, q *mutexqueue.Queue, c *clock, takes int) []taken {
	t.Helper()
	var got []taken
	for range takes {
		c.advance(10 * time.Millisecond)
		got = append(got, popShed(t, q))
	}
	return got
}

func TestCodelShedsStaleTasks(t *testing.T) {
	c := newClock()
	q := newQueue(t, c, codel.Config{Shed: true})
	tasks := make([]*job, 20)
	for i := range tasks {
		tasks[i] = &job{i}
		push(t, q, tasks[i])
	}
	// Nothing is shed until an interval has passed with the delay above
	// target, nor the take that closes it.
	for i, tk := range standing(t, q, c, 12) {
		assert.Equal(t, taken{tasks[i], false}, tk, "take %d, before any overload", i)
	}
	// Every task now waited over twice the target: the worker is given them
	// one after another, shed, in first-in order.
	for i := 12; i < 20; i++ {
		assert.Equal(t, taken{tasks[i], true}, popShed(t, q), "task %d", i)
	}
	assert.Zero(t, q.Len())
}

// overloaded returns a CoDel queue holding jobs 0..n-1 and then extra,
// brought to an overloaded interval by taking the first twelve.
func overloaded(t *testing.T, n int, extra ...core.Task) (*mutexqueue.Queue, *clock) {
	t.Helper()
	c := newClock()
	q := newQueue(t, c, codel.Config{Shed: true})
	for i := range n {
		push(t, q, &job{i})
	}
	push(t, q, extra...)
	standing(t, q, c, 12)
	return q, c
}

func TestCodelRunsTasksWithoutRejectPath(t *testing.T) {
	stale, fresh := &plain{100}, &job{101}
	q, c := overloaded(t, 13, stale)
	assert.Equal(t, taken{&job{12}, true}, popShed(t, q), "a stale job is shed")
	assert.Equal(t, taken{stale, false}, popShed(t, q), "a stale plain task runs")
	c.advance(time.Millisecond)
	push(t, q, fresh)
	c.advance(time.Millisecond)
	assert.Equal(t, taken{fresh, false}, popShed(t, q), "a task waiting under twice the target runs")
}

func TestCodelPopNeverSheds(t *testing.T) {
	q, _ := overloaded(t, 20)
	for i := 12; i < 20; i++ {
		tk, ok := q.Pop()
		require.True(t, ok)
		assert.Equal(t, &job{i}, tk)
	}
}

func TestCodelRecoversWhenDrained(t *testing.T) {
	q, c := overloaded(t, 13)
	assert.Equal(t, taken{&job{12}, true}, popShed(t, q), "overloaded")
	// The queue is empty: a delay of none was seen in this interval. The
	// next interval, however long the queue idles first, is not overloaded.
	c.advance(time.Second)
	for i := range 3 {
		push(t, q, &job{i})
	}
	c.advance(50 * time.Millisecond)
	for i := range 3 {
		assert.Equal(t, taken{&job{i}, false}, popShed(t, q), "after the drain")
	}
}

func TestAdaptiveLIFO(t *testing.T) {
	c := newClock()
	q := newQueue(t, c, codel.Config{AdaptiveLIFO: true})
	for i := range 20 {
		push(t, q, &job{i})
	}
	// Within an interval of the queue last being empty: first in, first out.
	for i, tk := range standing(t, q, c, 10) {
		assert.Equal(t, taken{&job{i}, false}, tk, "take %d", i)
	}
	// 100 ms without draining is a standing queue: last in, first out, and
	// nothing shed however long the oldest waited.
	c.advance(time.Millisecond)
	push(t, q, &job{20})
	for _, want := range []int{20, 19, 18} {
		c.advance(10 * time.Millisecond)
		assert.Equal(t, taken{&job{want}, false}, popShed(t, q))
	}
	// Drain the rest, newest first; once the queue is empty it is first in,
	// first out again.
	for i := 17; i >= 10; i-- {
		assert.Equal(t, taken{&job{i}, false}, popShed(t, q))
	}
	push(t, q, &job{30}, &job{31})
	c.advance(10 * time.Millisecond)
	assert.Equal(t, taken{&job{30}, false}, popShed(t, q))
}

func TestCodelLIFOShedsOldestThenServesNewest(t *testing.T) {
	c := newClock()
	q := newQueue(t, c, codel.Config{Shed: true, AdaptiveLIFO: true})
	for i := range 14 {
		push(t, q, &job{i})
	}
	// First in, first out for the first interval.
	for i, tk := range standing(t, q, c, 10) {
		assert.Equal(t, taken{&job{i}, false}, tk, "take %d", i)
	}
	// The take that closes the first interval opens an overloaded one but
	// is never shed, and the queue has stood for over an interval: the
	// newest runs.
	c.advance(20 * time.Millisecond)
	fresh := &job{100}
	push(t, q, fresh)
	assert.Equal(t, taken{fresh, false}, popShed(t, q), "the first take of the interval")
	push(t, q, &job{101})
	// Then every stale task is shed, oldest first, before the newest runs.
	for i := 10; i < 14; i++ {
		assert.Equal(t, taken{&job{i}, true}, popShed(t, q), "stale task %d", i)
	}
	assert.Equal(t, taken{&job{101}, false}, popShed(t, q), "the newest, once the stale are gone")
}

func TestDemandLIFO(t *testing.T) {
	c := newClock()
	q := newQueue(t, c, codel.Config{Shed: true, AdaptiveLIFO: true, Demand: true, Workers: 1})
	// At 90% of what the worker does the queue may stand, but the order
	// stays first in, first out and nothing is shed.
	next, want := 0, 0
	for i := range 300 {
		if i%10 != 9 {
			push(t, q, &job{next})
			next++
		}
		if q.Len() > 0 {
			c.advance(10 * time.Millisecond)
			assert.Equal(t, taken{&job{want}, false}, popShed(t, q), "take %d at 90%%", i)
			want++
		}
	}
	// At twice what it does, the stale are shed and the newest served.
	var shed, newest int
	for i := range 300 {
		push(t, q, &job{next}, &job{next + 1})
		next += 2
		c.advance(10 * time.Millisecond)
		// A worker that sheds a task takes another at once.
		tk := popShed(t, q)
		for ; tk.shed; tk = popShed(t, q) {
			shed++
		}
		if i > 100 && tk.task.(*job).id == next-1 {
			newest++
		}
	}
	assert.Positive(t, shed, "stale tasks shed at twice the capacity")
	assert.Greater(t, newest, 100, "the newest task served first while overloaded")
	o, ok := q.Overload()
	require.True(t, ok)
	assert.True(t, o.Overloaded)
	assert.InDelta(t, 2, o.Demand, 0.2, "two tasks offered per task's time")
}

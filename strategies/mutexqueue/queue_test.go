package mutexqueue_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/tcpimg/tcpimg/core"
	"github.com/tcpimg/tcpimg/strategies/mutexqueue"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

type task struct{ id int }

func (*task) Run() {}

func boundedCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func TestQueueFIFOAndGrowth(t *testing.T) {
	q := mutexqueue.NewQueue(3)
	tasks := []*task{{1}, {2}, {3}}
	for _, tk := range tasks {
		require.NoError(t, q.Push(tk))
	}
	require.ErrorIs(t, q.Push(&task{4}), core.ErrBusy)
	assert.Equal(t, 3, q.Len())
	for _, want := range tasks {
		got, ok := q.Pop()
		require.True(t, ok)
		assert.Same(t, want, got)
	}
	q.Close()
	_, ok := q.Pop()
	assert.False(t, ok)
	require.ErrorIs(t, q.Push(&task{5}), core.ErrClosed)
}

// TestQueueHandOff: with capacity 0 a push is accepted only while a worker
// is parked in Pop, and a waiting PushWait is let in when one parks.
func TestQueueHandOff(t *testing.T) {
	ctx := boundedCtx(t)
	q := mutexqueue.NewQueue(0)
	require.ErrorIs(t, q.Push(&task{1}), core.ErrBusy, "no worker waiting")

	popped := make(chan core.Task)
	go func() {
		for {
			tk, ok := q.Pop()
			if !ok {
				close(popped)
				return
			}
			popped <- tk
		}
	}()
	want := &task{2}
	require.NoError(t, q.PushWait(ctx, want))
	assert.Same(t, want, <-popped)
	q.Close()
	_, open := <-popped
	assert.False(t, open)
}

// TestQueueCancelPassesWakeUp: a waiting pusher that gives up must not
// swallow the room it may already have been woken for.
func TestQueueCancelPassesWakeUp(t *testing.T) {
	ctx := boundedCtx(t)
	q := mutexqueue.NewQueue(1)
	require.NoError(t, q.Push(&task{1}))

	cctx, cancel := context.WithCancel(ctx)
	first := make(chan error, 1)
	go func() { first <- q.PushWait(cctx, &task{2}) }()
	second := make(chan error, 1)
	go func() { second <- q.PushWait(ctx, &task{3}) }()

	_, ok := q.Pop() // room for one
	require.True(t, ok)
	cancel()
	errs := []error{<-first}
	tk, ok := q.Pop() // whoever got in
	require.True(t, ok)
	errs = append(errs, <-second)
	switch tk.(*task).id {
	case 2: // the first pusher won the room before its cancellation
		assert.NoError(t, errs[0])
		require.NoError(t, errs[1])
	case 3:
		assert.ErrorIs(t, errs[0], context.Canceled)
		assert.NoError(t, errs[1])
	}
	q.Close()
}

func TestQueuePushWait(t *testing.T) {
	ctx := boundedCtx(t)
	q := mutexqueue.NewQueue(1)
	require.NoError(t, q.PushWait(ctx, &task{1}))

	done, cancel := context.WithCancel(ctx)
	cancel()
	require.ErrorIs(t, q.PushWait(done, &task{2}), context.Canceled)

	errc := make(chan error, 1)
	go func() { errc <- q.PushWait(ctx, &task{3}) }()
	q.Close()
	require.ErrorIs(t, <-errc, core.ErrClosed, "Close wakes a waiting pusher")
	assert.Equal(t, 1, q.Len(), "nothing but the first task was queued")
}

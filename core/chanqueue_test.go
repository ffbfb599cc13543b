package core_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tcpimg/tcpimg/core"
)

func TestChanQueuePushWait(t *testing.T) {
	ctx := boundedCtx(t)
	q := core.NewChanQueue(1)
	c := &counter{}
	require.NoError(t, q.PushWait(ctx, c))
	require.ErrorIs(t, q.Push(c), core.ErrBusy)

	cctx, cancel := context.WithCancel(ctx)
	cancel()
	require.ErrorIs(t, q.PushWait(cctx, c), context.Canceled, "full queue, done ctx")

	errc := make(chan error, 1)
	go func() { errc <- q.PushWait(ctx, c) }()
	q.Close()
	require.ErrorIs(t, <-errc, core.ErrClosed, "Close wakes a waiting PushWait")
	require.ErrorIs(t, q.PushWait(ctx, c), core.ErrClosed)
	require.ErrorIs(t, q.Push(c), core.ErrClosed)
	q.Close() // idempotent

	_, ok := q.Pop()
	assert.True(t, ok, "the task pushed before Close is still there")
	_, ok = q.Pop()
	assert.False(t, ok)
}

func TestChanQueueHandOff(t *testing.T) {
	ctx := boundedCtx(t)
	q := core.NewChanQueue(0)
	c := &counter{}
	require.ErrorIs(t, q.Push(c), core.ErrBusy, "no worker is waiting")
	got := make(chan core.Task)
	go func() {
		tk, _ := q.Pop()
		got <- tk
	}()
	require.NoError(t, q.PushWait(ctx, c))
	assert.Same(t, c, (<-got).(*counter))
	q.Close()
}

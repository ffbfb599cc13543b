package gate_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tcpimg/tcpimg/core"
	"github.com/tcpimg/tcpimg/strategies/internal/gate"
)

// hold admits n tasks that stay admitted.
func hold(t *testing.T, n int) func(*gate.Admission) {
	return func(a *gate.Admission) {
		for range n {
			require.NoError(t, a.TryEnter())
		}
	}
}

func tryEnter(a *gate.Admission) error { return a.TryEnter() }

func enter(a *gate.Admission) error { return a.Enter(context.Background()) }

func enterCancelled(a *gate.Admission) error {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	return a.Enter(ctx)
}

// enterBriefly waits for a slot until a deadline that, whether it passes
// before or during the wait, ends it with the same error.
func enterBriefly(a *gate.Admission) error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Millisecond)
	defer cancel()
	return a.Enter(ctx)
}

func TestAdmission(t *testing.T) {
	type give struct {
		slots int
		setup func(*gate.Admission)
		call  func(*gate.Admission) error
	}
	type want struct {
		err  error
		held int // tasks admitted after the call, each to be exited
	}
	tests := []struct {
		name string
		give give
		want want
	}{
		{"try/free", give{2, hold(t, 1), tryEnter}, want{nil, 2}},
		{"try/full", give{2, hold(t, 2), tryEnter}, want{core.ErrBusy, 2}},
		{"try/closed", give{2, (*gate.Admission).Close, tryEnter}, want{core.ErrClosed, 0}},
		{"try/zero slots means one", give{0, hold(t, 0), tryEnter}, want{nil, 1}},
		{"try/exited slot reused", give{1, func(a *gate.Admission) { hold(t, 1)(a); a.Exit() }, tryEnter}, want{nil, 1}},
		{"enter/free", give{2, hold(t, 1), enter}, want{nil, 2}},
		{"enter/closed", give{2, (*gate.Admission).Close, enter}, want{core.ErrClosed, 0}},
		{"enter/cancelled before closed", give{1, (*gate.Admission).Close, enterCancelled}, want{context.Canceled, 0}},
		{"enter/cancelled with a free slot", give{1, hold(t, 0), enterCancelled}, want{context.Canceled, 0}},
		{"enter/full until deadline", give{1, hold(t, 1), enterBriefly}, want{context.DeadlineExceeded, 1}},
		{"enter/full until closed", give{1, func(a *gate.Admission) { hold(t, 1)(a); go a.Close() }, enter}, want{core.ErrClosed, 1}},
		{"enter/full until an exit", give{1, func(a *gate.Admission) { hold(t, 1)(a); go a.Exit() }, enter}, want{nil, 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := gate.NewAdmission(tt.give.slots)
			tt.give.setup(a)

			err := tt.give.call(a)

			assert.ErrorIs(t, err, tt.want.err)
			a.Close()
			for range tt.want.held {
				assert.False(t, closed(a.Drained()), "drained with a task admitted")
				a.Exit()
			}
			assert.True(t, closed(a.Drained()), "drained once every admitted task exited")
		})
	}
}

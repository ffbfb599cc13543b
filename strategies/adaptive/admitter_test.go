package adaptive_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tcpimg/tcpimg/core"
	"github.com/tcpimg/tcpimg/strategies/adaptive"
)

// script is an Algorithm whose limit is set by the test; it records the
// samples it was fed.
type script struct {
	limit int
	next  int // the limit after the next Update
	fed   []adaptive.Sample
}

func (s *script) Limit() int { return s.limit }

func (s *script) Update(smp adaptive.Sample) int {
	s.fed = append(s.fed, smp)
	s.limit = s.next
	return s.limit
}

// TestAdmitterFollowsTheAlgorithm checks what the Admitter adds to an
// algorithm: it refuses at the limit, hands the algorithm each ticket's
// load, keeps dropped jobs from it, and, when the limit falls below the
// jobs in flight, refuses until enough have finished.
func TestAdmitterFollowsTheAlgorithm(t *testing.T) {
	alg := &script{limit: 3, next: 3}
	a := adaptive.New(alg)
	var held []core.Ticket
	for range 3 {
		tk, ok := a.Acquire()
		require.True(t, ok)
		held = append(held, tk)
	}
	_, ok := a.Acquire()
	assert.False(t, ok, "the fourth job at a limit of 3")
	assert.Equal(t, []int{1, 2, 3}, []int{held[0].InFlight, held[1].InFlight, held[2].InFlight})
	assert.Equal(t, core.AdmitStats{Limit: 3, InFlight: 3, Refused: 1}, a.Stats())

	a.Release(held[0], core.Sample{Outcome: core.OutcomeDropped})
	assert.Empty(t, alg.fed, "a dropped job teaches nothing")

	alg.next = 1
	a.Release(held[1], core.Sample{Outcome: core.OutcomeDone, Wait: ms(3)})
	require.Len(t, alg.fed, 1)
	assert.Equal(t, adaptive.Sample{Sample: core.Sample{Outcome: core.OutcomeDone, Wait: ms(3)}, InFlight: 2}, alg.fed[0])
	assert.Equal(t, core.AdmitStats{Limit: 1, InFlight: 1, Refused: 1}, a.Stats())
	_, ok = a.Acquire()
	assert.False(t, ok, "one in flight at a limit of 1")

	a.Release(held[2], core.Sample{Outcome: core.OutcomeShed})
	tk, ok := a.Acquire()
	assert.True(t, ok, "room again once the job in flight finished")
	assert.Equal(t, 1, tk.InFlight)
	a.Release(tk, core.Sample{Outcome: core.OutcomeDropped})
	assert.Equal(t, core.AdmitStats{Limit: 1, InFlight: 0, Refused: 2}, a.Stats())
	assert.PanicsWithValue(t, "adaptive: released more than admitted", func() {
		a.Release(tk, core.Sample{})
	})
}

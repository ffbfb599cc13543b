package harness_test

import (
	"context"
	"net"
	"slices"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tcpimg/tcpimg/core"
	"github.com/tcpimg/tcpimg/harness"
)

// readLog records which of two fake servers read each request, in order.
type readLog struct {
	mu    sync.Mutex
	order []byte
}

func (l *readLog) server(name byte, service time.Duration) *scriptServer {
	return newScriptServer(func(int, time.Duration) (time.Duration, core.Status) {
		l.mu.Lock()
		l.order = append(l.order, name)
		l.mu.Unlock()
		return service, core.StatusOK
	})
}

// runs returns the order with every repeat of a letter dropped: "AABBBA"
// is "ABA".
func (l *readLog) runs() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return string(slices.Compact(slices.Clone(l.order)))
}

// TestInterleave runs one scenario against two fake servers, one three
// times slower than the other, in four blocks on synctest's fake clock.
// Each side's figures are its own blocks' joined: its latency only, the
// whole measured period, the same arrivals as the other side, and the
// blocks in the order A B B A.
func TestInterleave(t *testing.T) {
	const (
		rate   = 500
		length = 2 * time.Second
		blocks = 4
	)
	synctest.Test(t, func(t *testing.T) {
		var log readLog
		a, b := log.server('A', time.Millisecond), log.server('B', 3*time.Millisecond)
		defer a.close()
		defer b.close()
		gens := [2]*harness.Generator{
			{Dial: a.dial, DrainTimeout: time.Second},
			{Dial: b.dial, DrainTimeout: time.Second},
		}
		s := harness.Scenario{
			Name: "pair", Loop: harness.OpenLoop, Clients: 4, Inflight: 4, Arrivals: harness.PoissonArrivals,
			Rate: rate, Warmup: 100 * time.Millisecond, Duration: length, Seed: 7,
			Workload: harness.Workload{harness.Sleep(time.Millisecond)},
		}
		ms, err := harness.Interleave(t.Context(), gens, s, 0, blocks)
		require.NoError(t, err)

		assert.Equal(t, "ABABA", log.runs(), "blocks A B, B A, A B, B A")
		for i, want := range []time.Duration{time.Millisecond, 3 * time.Millisecond} {
			m := ms[i]
			assert.Equal(t, "pair", m.Scenario)
			assert.Equal(t, length, m.Elapsed, "the blocks' periods add up")
			assert.Equal(t, length, m.Window.To.Sub(m.Window.From))
			assert.Len(t, m.Window.Bins, 20*blocks, "every block's bins")
			assert.InDelta(t, rate*length.Seconds(), float64(m.Scheduled), 4*45, "about the rate over the period")
			// Answers are counted as they arrive: a few due before a block's
			// period are answered in it, a few due in it after it.
			assert.InDelta(t, m.Scheduled, m.Window.Status[core.StatusOK], 2*blocks, "every answer is counted once")
			assert.InDelta(t, rate, m.Goodput(), 4*45/length.Seconds())
			assert.InEpsilon(t, want, m.Latency.Quantile(0.99), histPrecision, "side %d has its own latency", i)
			assert.Zero(t, m.Lost)
			require.NotNil(t, m.Steady)
			assert.True(t, m.Steady.OK, "%+v", m.Steady)
		}
		assert.Equal(t, ms[0].Scheduled, ms[1].Scheduled, "both sides get the same arrivals")

		s.Seed = 8
		other, err := harness.Interleave(t.Context(), gens, s, 0, blocks)
		require.NoError(t, err)
		assert.NotEqual(t, ms[0].Scheduled, other[0].Scheduled, "another seed draws other arrivals")
	})
}

// TestInterleaveRefuses lists what cannot be interleaved.
func TestInterleaveRefuses(t *testing.T) {
	one := harness.Scenario{
		Name: "one", Loop: harness.OpenLoop, Rate: 100, Duration: 2 * time.Second,
		Workload: harness.Workload{harness.Sleep(time.Millisecond)},
	}
	shaped := one
	shaped.Shape = []harness.Phase{{For: time.Second, Load: 1}, {For: time.Second, Load: 2}}
	jobs := harness.Scenario{
		Name: "jobs", Loop: harness.ClosedLoop, Jobs: 10,
		Workload: harness.Workload{harness.Sleep(time.Millisecond)},
	}
	for _, tc := range []struct {
		name   string
		s      harness.Scenario
		blocks int
	}{
		{"odd blocks", one, 3},
		{"one block", one, 1},
		{"no blocks", one, 0},
		{"blocks shorter than MinBlock", one, 10},
		{"a shaped load", shaped, 2},
		{"a closed loop counting jobs", jobs, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dial := func() *harness.Generator {
				return &harness.Generator{Dial: func(context.Context) (net.Conn, error) {
					t.Fatal("nothing may be dialled")
					return nil, nil
				}}
			}
			_, err := harness.Interleave(t.Context(), [2]*harness.Generator{dial(), dial()}, tc.s, 0, tc.blocks)
			assert.ErrorIs(t, err, harness.ErrBadInterleave)
		})
	}
}

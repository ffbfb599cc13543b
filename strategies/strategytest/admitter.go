package strategytest

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/tcpimg/tcpimg/core"
)

// NewAdmitterFunc builds the admitter under test, each call a fresh one
// with the same limits.
type NewAdmitterFunc func() core.Admitter

// TestAdmitter runs the admitter conformance suite against the admitters
// newAdm builds, whose limit must stay within lo..hi. An admitter's limit
// moves only when a job is released, so between releases it must admit
// exactly up to its limit and refuse from there, whatever the goroutines.
func TestAdmitter(t *testing.T, newAdm NewAdmitterFunc, lo, hi int) {
	tests := []struct {
		name string
		run  func(t *testing.T, newAdm NewAdmitterFunc, lo, hi int)
	}{
		{"concurrent acquires stop at the limit", testAdmitFill},
		{"slots held never exceed the bound and all come back", testAdmitChurn},
		{"release without acquire panics", testAdmitReleasePanics},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := goleak.IgnoreCurrent()
			t.Cleanup(func() { goleak.VerifyNone(t, before) })
			tt.run(t, newAdm, lo, hi)
		})
	}
}

// fillAdmitter has several goroutines acquire from a at once, each far
// more often than any limit allows, and returns the tickets granted and the
// attempts refused.
func fillAdmitter(a core.Admitter, hi int) (held []core.Ticket, refused int) {
	const goroutines = 8
	var mu sync.Mutex
	var wg sync.WaitGroup
	for range goroutines {
		wg.Go(func() {
			for range 2 * hi {
				t, ok := a.Acquire()
				mu.Lock()
				if ok {
					held = append(held, t)
				} else {
					refused++
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return held, refused
}

func testAdmitFill(t *testing.T, newAdm NewAdmitterFunc, lo, hi int) {
	a := newAdm()
	limit := a.Stats().Limit
	require.True(t, lo <= limit && limit <= hi, "initial limit %d out of %d..%d", limit, lo, hi)
	held, refused := fillAdmitter(a, hi)
	assert.Len(t, held, limit, "tickets granted at a limit of %d", limit)
	assert.Equal(t, core.AdmitStats{Limit: limit, InFlight: limit, Refused: uint64(refused)}, a.Stats())
	for _, tk := range held {
		a.Release(tk, core.Sample{Outcome: core.OutcomeDropped})
	}
	assert.Equal(t, core.AdmitStats{Limit: limit, InFlight: 0, Refused: uint64(refused)}, a.Stats(),
		"dropped jobs free their slots and leave the limit alone")
}

// churnSample varies the outcome of job i so that an adaptive limit both
// grows and shrinks under the churn.
func churnSample(i int) core.Sample {
	switch i % 10 {
	case 0:
		return core.Sample{Outcome: core.OutcomeShed, Wait: time.Second}
	case 1:
		return core.Sample{Outcome: core.OutcomeDropped}
	case 2:
		return core.Sample{Outcome: core.OutcomeDone, Wait: time.Second, Service: time.Millisecond}
	}
	return core.Sample{Outcome: core.OutcomeDone, Wait: time.Microsecond, Service: time.Millisecond}
}

func testAdmitChurn(t *testing.T, newAdm NewAdmitterFunc, lo, hi int) {
	a := newAdm()
	var held, peak atomic.Int64
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 500 {
				tk, ok := a.Acquire()
				if !ok {
					continue
				}
				notePeak(&peak, held.Add(1))
				held.Add(-1)
				a.Release(tk, churnSample(g+i))
			}
		})
	}
	wg.Wait()
	assert.Positive(t, peak.Load())
	assert.LessOrEqual(t, peak.Load(), int64(hi), "jobs admitted at once")
	st := a.Stats()
	assert.Zero(t, st.InFlight, "every slot returned")
	require.True(t, lo <= st.Limit && st.Limit <= hi, "limit %d out of %d..%d after the churn", st.Limit, lo, hi)
	got, _ := fillAdmitter(a, hi)
	assert.Len(t, got, st.Limit, "tickets granted after the churn, at a limit of %d", st.Limit)
	for _, tk := range got {
		a.Release(tk, core.Sample{Outcome: core.OutcomeDropped})
	}
}

func testAdmitReleasePanics(t *testing.T, newAdm NewAdmitterFunc, _, _ int) {
	a := newAdm()
	assert.Panics(t, func() { a.Release(core.Ticket{}, core.Sample{}) }, "Release on a fresh admitter")
	tk, ok := a.Acquire()
	require.True(t, ok)
	a.Release(tk, core.Sample{Outcome: core.OutcomeDropped})
	assert.Panics(t, func() { a.Release(tk, core.Sample{Outcome: core.OutcomeDropped}) }, "a second Release of one ticket")
}

// notePeak raises peak to now if now is higher.
func notePeak(peak *atomic.Int64, now int64) {
	for {
		p := peak.Load()
		if now <= p || peak.CompareAndSwap(p, now) {
			return
		}
	}
}

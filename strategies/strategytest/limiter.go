package strategytest

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/tcpimg/tcpimg/core"
)

// NewLimiterFunc builds the limiter under test with n slots.
type NewLimiterFunc func(n int) core.Limiter

// TestLimiter runs the limiter conformance suite against the limiters
// newLim builds. bounded says whether the limiter caps the slots held at n;
// an unbounded one skips only the checks of that cap.
func TestLimiter(t *testing.T, newLim NewLimiterFunc, bounded bool) {
	tests := []struct {
		name        string
		boundedOnly bool
		run         func(t *testing.T, newLim NewLimiterFunc, bounded bool)
	}{
		{"slots held never exceed n", false, testLimiterBound},
		{"release without acquire panics", false, testReleasePanics},
		{"try acquire fails when full", true, testTryAcquireFull},
		{"acquire honours cancellation", true, testAcquireCancel},
		{"acquire proceeds on release", true, testAcquireUnblocks},
		{"acquire with a done ctx fails", false, testAcquireDone},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.boundedOnly && !bounded {
				t.Skip("the limiter is unbounded by design")
			}
			before := goleak.IgnoreCurrent()
			t.Cleanup(func() { goleak.VerifyNone(t, before) })
			tt.run(t, newLim, bounded)
		})
	}
}

// hammer has several goroutines take and return slots of l, half with
// Acquire and half with TryAcquire, and returns the most held at once.
func hammer(t *testing.T, l core.Limiter) int64 {
	t.Helper()
	var held, peak atomic.Int64
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for range 500 {
				if g%2 == 0 {
					if !l.TryAcquire() {
						continue
					}
				} else if err := l.Acquire(context.Background()); err != nil {
					t.Errorf("Acquire: %v", err)
					return
				}
				notePeak(&peak, held.Add(1))
				held.Add(-1)
				l.Release()
			}
		})
	}
	wg.Wait()
	return peak.Load()
}

// testLimiterBound checks the cap on a bounded limiter; an unbounded one
// still runs the same concurrent load, where a miscounted Release panics.
func testLimiterBound(t *testing.T, newLim NewLimiterFunc, bounded bool) {
	const n = 3
	peak := hammer(t, newLim(n))
	assert.Positive(t, peak)
	if bounded {
		assert.LessOrEqual(t, peak, int64(n), "slots held at once")
	}
}

func testReleasePanics(t *testing.T, newLim NewLimiterFunc, _ bool) {
	assert.Panics(t, newLim(2).Release, "Release on a fresh limiter")
	l := newLim(2)
	require.True(t, l.TryAcquire())
	require.NoError(t, l.Acquire(context.Background()))
	l.Release()
	l.Release()
	assert.Panics(t, l.Release, "a third Release after two acquisitions")
}

func testTryAcquireFull(t *testing.T, newLim NewLimiterFunc, _ bool) {
	l := newLim(2)
	require.True(t, l.TryAcquire())
	require.True(t, l.TryAcquire())
	assert.False(t, l.TryAcquire(), "TryAcquire on a full limiter")
	l.Release()
	assert.True(t, l.TryAcquire(), "TryAcquire after a Release")
}

func testAcquireCancel(t *testing.T, newLim NewLimiterFunc, _ bool) {
	l := newLim(1)
	require.True(t, l.TryAcquire())
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	errc := make(chan error, 1)
	go func() { errc <- l.Acquire(ctx) }()
	requirePending(t, errc, "Acquire on a full limiter")
	cancel()
	require.ErrorIs(t, recv(t, errc, "cancelled Acquire"), context.Canceled)
	l.Release()
	assert.True(t, l.TryAcquire(), "the cancelled Acquire must hold nothing")
	assert.False(t, l.TryAcquire())
}

func testAcquireUnblocks(t *testing.T, newLim NewLimiterFunc, _ bool) {
	l := newLim(1)
	require.True(t, l.TryAcquire())
	errc := make(chan error, 1)
	go func() { errc <- l.Acquire(context.Background()) }()
	requirePending(t, errc, "Acquire on a full limiter")
	l.Release()
	require.NoError(t, recv(t, errc, "Acquire after a Release"))
	assert.False(t, l.TryAcquire(), "the woken Acquire holds the slot")
}

func testAcquireDone(t *testing.T, newLim NewLimiterFunc, _ bool) {
	l := newLim(2)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	require.ErrorIs(t, l.Acquire(ctx), context.Canceled, "Acquire with a done ctx")
	assert.Panics(t, l.Release, "the failed Acquire must hold nothing")
}

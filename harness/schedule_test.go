package harness_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/tcpimg/tcpimg/harness"
)

func TestSchedule(t *testing.T) {
	ms := time.Millisecond
	tests := []struct {
		name       string
		give       harness.Schedule
		wantDue    []time.Duration // the first requests' due times
		wantCount  uint64          // requests in the whole schedule
		wantLength time.Duration
	}{
		{
			name:    "steady",
			give:    harness.Steady{PerSecond: 1000, For: 10 * ms},
			wantDue: []time.Duration{0, ms, 2 * ms}, wantCount: 10, wantLength: 10 * ms,
		},
		{
			name:    "fractional interval",
			give:    harness.Steady{PerSecond: 3, For: time.Second},
			wantDue: []time.Duration{0, 333333334, 666666667}, wantCount: 3, wantLength: time.Second,
		},
		{
			name: "idle, burst, idle",
			give: harness.Piecewise{
				{PerSecond: 0, For: 250 * ms}, {PerSecond: 100, For: 100 * ms}, {PerSecond: 0, For: 50 * ms},
			},
			wantDue: []time.Duration{250 * ms, 260 * ms}, wantCount: 10, wantLength: 400 * ms,
		},
		{
			name:    "remainder carried into the next piece",
			give:    harness.Piecewise{{PerSecond: 1.5, For: time.Second}, {PerSecond: 1.5, For: time.Second}},
			wantDue: []time.Duration{0, 666666667, 1333333334}, wantCount: 3, wantLength: 2 * time.Second,
		},
		{
			name:      "empty",
			give:      harness.Piecewise{},
			wantCount: 0, wantLength: 0,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for i, want := range tt.wantDue {
				got, ok := tt.give.Due(uint64(i))
				assert.True(t, ok, "request %d", i)
				assert.Equal(t, want, got, "request %d", i)
			}
			assert.Equal(t, tt.wantCount, harness.Count(tt.give, 0, tt.give.Length()))
			assert.Equal(t, tt.wantLength, tt.give.Length())
			_, ok := tt.give.Due(tt.wantCount)
			assert.False(t, ok, "no request after the last")
		})
	}
}

// TestScheduleDueWithinLength checks every due time of a long schedule is
// inside it and in order.
func TestScheduleDueWithinLength(t *testing.T) {
	p := harness.Piecewise{{PerSecond: 7000, For: 300 * time.Millisecond}, {PerSecond: 700, For: 700 * time.Millisecond}}
	prev := time.Duration(-1)
	n := uint64(0)
	for ; ; n++ {
		at, ok := p.Due(n)
		if !ok {
			break
		}
		assert.Greater(t, at, prev)
		assert.Less(t, at, p.Length())
		prev = at
	}
	assert.Equal(t, uint64(2100+490), n)
}

// TestCountMatchesWalk checks Count against walking every request, for
// windows that start and end inside pieces, at their edges and outside the
// schedule.
func TestCountMatchesWalk(t *testing.T) {
	ms := time.Millisecond
	schedules := []harness.Schedule{
		harness.Steady{PerSecond: 3, For: time.Second},
		harness.Piecewise{{PerSecond: 7000, For: 300 * ms}, {PerSecond: 0, For: 100 * ms}, {PerSecond: 700, For: 700 * ms}},
		harness.Piecewise{{PerSecond: 2.5, For: 2 * time.Second}, {PerSecond: 1000, For: 3 * ms}},
		harness.Piecewise{},
	}
	walk := func(p harness.Schedule, from, to time.Duration) uint64 {
		var n uint64
		for i := uint64(0); ; i++ {
			at, ok := p.Due(i)
			if !ok {
				return n
			}
			if at >= from && at < to {
				n++
			}
		}
	}
	for i, p := range schedules {
		edges := []time.Duration{-ms, 0, 1, ms, 299 * ms, 300 * ms, 400 * ms, 650 * ms, p.Length() - 1, p.Length(), p.Length() + time.Second}
		for _, from := range edges {
			for _, to := range edges {
				assert.Equal(t, walk(p, from, to), harness.Count(p, from, to), "schedule %d, [%v, %v)", i, from, to)
			}
		}
	}
}

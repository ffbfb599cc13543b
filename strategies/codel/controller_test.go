package codel_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"go.uber.org/goleak"

	"github.com/tcpimg/tcpimg/strategies/codel"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// The tests run on the defaults, CoDel's own numbers.
const (
	target   = codel.DefaultTarget
	interval = codel.DefaultInterval
)

// sample is one observation: the head's delay at an offset from the start,
// and whether the controller must shed it.
type sample struct {
	at    time.Duration
	delay time.Duration
	shed  bool
}

func TestController(t *testing.T) {
	ms := time.Millisecond
	tests := []struct {
		name           string
		give           []sample
		wantOverloaded bool
	}{
		{
			name: "delay below target never sheds",
			give: []sample{
				{0, 1 * ms, false}, {50 * ms, 4 * ms, false}, {101 * ms, 4 * ms, false},
				{150 * ms, 50 * ms, false}, {202 * ms, 50 * ms, false},
			},
		},
		{
			name: "a burst that dips below target in its interval does not shed",
			give: []sample{
				{0, 20 * ms, false}, {50 * ms, 3 * ms, false}, {90 * ms, 40 * ms, false},
				{101 * ms, 40 * ms, false}, {150 * ms, 40 * ms, false},
			},
		},
		{
			name: "minimum above target for an interval sheds past twice the target",
			give: []sample{
				{0, 6 * ms, false}, {50 * ms, 8 * ms, false}, {99 * ms, 7 * ms, false},
				// The interval closes: its minimum, 6 ms, was above target.
				// The first sample of the new interval is never shed.
				{101 * ms, 30 * ms, false},
				{110 * ms, 30 * ms, true},
				{120 * ms, 2 * target, false}, // not past twice the target
				{130 * ms, 2*target + 1, true},
			},
			wantOverloaded: true,
		},
		{
			name: "recovers once the delay falls below target for an interval",
			give: []sample{
				{0, 6 * ms, false}, {99 * ms, 7 * ms, false},
				{101 * ms, 30 * ms, false}, {110 * ms, 30 * ms, true},
				{150 * ms, 1 * ms, false}, // the queue drained to below target
				{190 * ms, 30 * ms, true}, // still the overloaded interval
				{202 * ms, 30 * ms, false},
				{210 * ms, 30 * ms, false}, // the last interval's minimum was 1 ms
			},
		},
		{
			name: "an interval exactly at target is not overloaded",
			give: []sample{
				{0, target, false}, {99 * ms, target, false},
				{101 * ms, 30 * ms, false}, {110 * ms, 30 * ms, false},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := codel.NewController(target, interval)
			start := time.Unix(1000, 0)
			for i, s := range tt.give {
				assert.Equal(t, s.shed, c.Observe(s.delay, start.Add(s.at)), "sample %d at %v waited %v", i, s.at, s.delay)
			}
			assert.Equal(t, tt.wantOverloaded, c.Overloaded())
		})
	}
}

package codel_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/tcpimg/tcpimg/strategies/codel"
)

// phase is a stretch of time in which one worker takes a task every
// service, load tasks arrive per service time, and the task at the head
// has waited delay whenever the worker takes one (0 is a drain).
type phase struct {
	dur     time.Duration
	load    float64
	delay   time.Duration
	drainEv int // every drainEv-th take finds the queue drained; 0 never
}

// drive feeds c the phases as a queue with one busy worker would, and
// returns the takes it shed in the last phase. A take that sheds the
// stale head is followed at once by a run of a fresh task, as shedding
// costs next to nothing next to running one.
func drive(c *codel.Controller, now *time.Time, service time.Duration, phases ...phase) (shedLast, takesLast int) {
	var due float64
	for _, p := range phases {
		shedLast, takesLast = 0, 0
		end := now.Add(p.dur)
		for now.Before(end) {
			*now = now.Add(service)
			for due += p.load; due >= 1; due-- {
				c.Arrived(*now)
			}
			takesLast++
			delay := p.delay
			if p.drainEv > 0 && takesLast%p.drainEv == 0 {
				delay = 0
			}
			if c.Observe(delay, *now) {
				shedLast++
			}
			c.Ran()
		}
	}
	return shedLast, takesLast
}

func TestDemandController(t *testing.T) {
	const service = 4 * time.Millisecond
	ms := time.Millisecond
	standing := 30 * ms // well past twice the target
	tests := []struct {
		name           string
		give           []phase
		wantShed       bool // some takes of the last phase were shed
		wantOverloaded bool
	}{
		{
			name: "a standing queue at 90% load is not shed from",
			give: []phase{{dur: 3 * time.Second, load: 0.9, delay: standing}},
		},
		{
			name: "a standing queue at 105% is not shed from while it stays under an interval",
			give: []phase{{dur: 3 * time.Second, load: 1.05, delay: standing}},
		},
		{
			name:           "twice the capacity is shed from, through the drains shedding causes",
			give:           []phase{{dur: 3 * time.Second, load: 2, delay: standing, drainEv: 5}},
			wantShed:       true,
			wantOverloaded: true,
		},
		{
			name: "the overload ends within two intervals of the load's fall",
			give: []phase{
				{dur: 3 * time.Second, load: 2, delay: standing, drainEv: 5},
				{dur: 2 * interval, load: 0.8, delay: standing, drainEv: 5},
				{dur: time.Second, load: 0.8, delay: standing, drainEv: 5},
			},
		},
		{
			name: "an interval without a drain keeps the overload while the long load is high",
			give: []phase{
				{dur: 3 * time.Second, load: 2, delay: standing},
				{dur: 150 * ms, load: 0.8, delay: standing},
			},
			wantShed:       true,
			wantOverloaded: true,
		},
		{
			name: "a backlog deeper than the interval is shed from with no arrivals",
			give: []phase{
				{dur: 300 * ms, load: 0, delay: interval + 20*ms},
			},
			wantShed:       true,
			wantOverloaded: true,
		},
		{
			name: "a quiet minute does not hide the overload after it",
			give: []phase{
				{dur: time.Second, load: 0.5, delay: 0},
				{dur: time.Minute, load: 0, delay: 0}, // one take a minute, below
				{dur: time.Second, load: 2, delay: standing, drainEv: 5},
			},
			wantShed:       true,
			wantOverloaded: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := codel.NewDemandController(target, interval, 1)
			now := time.Unix(1000, 0)
			var shed int
			for _, p := range tt.give {
				if p.dur == time.Minute {
					// A quiet minute: the worker waits for the only task.
					c.Waiting(now)
					now = now.Add(p.dur)
					c.Woken(now)
					c.Arrived(now)
					c.Observe(0, now)
					c.Ran()
					continue
				}
				shed, _ = drive(c, &now, service, p)
			}
			assert.Equal(t, tt.wantShed, shed > 0, "takes shed in the last phase: %d", shed)
			assert.Equal(t, tt.wantOverloaded, c.Overloaded(), "demand %.2f", c.Demand())
		})
	}
}

func TestDemandCountsIdleWorkers(t *testing.T) {
	// One worker busy half the time with a task per service time arriving
	// in each busy half: half the capacity.
	const service = 4 * time.Millisecond
	c := codel.NewDemandController(target, interval, 1)
	now := time.Unix(1000, 0)
	for range 500 {
		c.Arrived(now)
		c.Observe(0, now)
		c.Ran()
		now = now.Add(service)
		c.Waiting(now)
		now = now.Add(service)
		c.Woken(now)
	}
	assert.InDelta(t, 0.5, c.Demand(), 0.05)
	assert.False(t, c.Overloaded())
}

func TestControllerWithoutDemand(t *testing.T) {
	c := codel.NewController(target, interval)
	now := time.Unix(1000, 0)
	drive(c, &now, 4*time.Millisecond, phase{dur: time.Second, load: 2, delay: 30 * time.Millisecond})
	assert.Zero(t, c.Demand(), "a plain CoDel controller measures no demand")
	assert.True(t, c.Overloaded())
}

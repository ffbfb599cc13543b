package harness

import (
	"math"
	"time"
)

// Pacer says when an open loop's requests are due. It is pure arithmetic
// on offsets from the start, with no clock, so a schedule can be checked
// without running it.
type Pacer interface {
	// Due returns when request n (counting from 0) is due, as an offset
	// from the start, and false when the schedule has no request n. It
	// never decreases as n grows, and once false stays false.
	Due(n uint64) (time.Duration, bool)
	// Length returns how long the schedule lasts.
	Length() time.Duration
}

// Rate is a steady schedule: PerSecond requests a second for For.
type Rate struct {
	PerSecond float64
	For       time.Duration
}

// Due returns n / PerSecond while that is within For.
func (r Rate) Due(n uint64) (time.Duration, bool) {
	return Steps{r}.Due(n)
}

// Length returns For.
func (r Rate) Length() time.Duration { return r.For }

// Steps is a piecewise-steady schedule, each step at its own rate (0 is
// idle), one after another. Requests are spread evenly in each step; a
// step whose length holds a fractional number of requests passes the
// remainder on, so the count over the whole schedule is the integral of the
// rate.
type Steps []Rate

// Due returns when request n falls due, walking the steps.
func (s Steps) Due(n uint64) (time.Duration, bool) {
	var start time.Duration
	before := 0.0 // requests due before the current step
	target := float64(n)
	for _, st := range s {
		inStep := st.PerSecond * st.For.Seconds()
		if st.PerSecond > 0 && target < before+inStep {
			off := time.Duration(math.Ceil((target - before) / st.PerSecond * float64(time.Second)))
			return start + min(off, st.For-1), true
		}
		before += inStep
		start += st.For
	}
	return 0, false
}

// Length returns the sum of the steps' lengths.
func (s Steps) Length() time.Duration {
	var d time.Duration
	for _, st := range s {
		d += st.For
	}
	return d
}

// Count returns how many requests the schedule holds in [from, to). It
// searches for both ends instead of walking every request, so a schedule of
// millions costs a hundred calls of Due.
func Count(p Pacer, from, to time.Duration) uint64 {
	if to <= from {
		return 0
	}
	return firstDue(p, to) - firstDue(p, from)
}

// firstDue returns the number of the first request of p due at or after
// t, or the number of requests when none is.
func firstDue(p Pacer, t time.Duration) uint64 {
	before := func(n uint64) bool {
		at, ok := p.Due(n)
		return ok && at < t
	}
	hi := uint64(1)
	for before(hi) {
		hi *= 2
	}
	lo := uint64(0) // the answer is in [lo, hi]
	for lo < hi {
		if mid := lo + (hi-lo)/2; before(mid) {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return lo
}

// pacerFor returns the schedule of an open-loop scenario at rate requests a
// second: Warmup at rate, then the steps of its shape.
func pacerFor(s Scenario, rate float64) Steps {
	var steps Steps
	if s.Warmup > 0 {
		steps = append(steps, Rate{PerSecond: rate, For: s.Warmup})
	}
	for _, st := range s.Steps() {
		steps = append(steps, Rate{PerSecond: rate * st.Load, For: st.For})
	}
	return steps
}

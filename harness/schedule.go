package harness

import (
	"math"
	"time"
)

// Schedule says when an open loop's requests are due: what vegeta calls a
// pacer. It is pure arithmetic on offsets from the start, with no clock,
// so a schedule can be checked without running it.
type Schedule interface {
	// Due returns when request n (counting from 0) is due, as an offset
	// from the start, and false when the schedule has no request n. It
	// never decreases as n grows, and once false stays false.
	Due(n uint64) (time.Duration, bool)
	// Length returns how long the schedule lasts.
	Length() time.Duration
}

// Steady is a schedule at one rate: PerSecond requests a second for For.
type Steady struct {
	PerSecond float64
	For       time.Duration
}

// Due returns n / PerSecond while that is within For.
func (r Steady) Due(n uint64) (time.Duration, bool) {
	return Piecewise{r}.Due(n)
}

// Length returns For.
func (r Steady) Length() time.Duration { return r.For }

// Piecewise is a schedule of steady pieces, one after another, each at its
// own rate (0 is idle). Requests are spread evenly in each piece; a piece
// whose length holds a fractional number of requests passes the remainder
// on, so the count over the whole schedule is the integral of the rate.
type Piecewise []Steady

// Due returns when request n falls due, walking the pieces.
func (s Piecewise) Due(n uint64) (time.Duration, bool) {
	var start time.Duration
	before := 0.0 // requests due before the current piece
	target := float64(n)
	for _, st := range s {
		inPiece := st.PerSecond * st.For.Seconds()
		if st.PerSecond > 0 && target < before+inPiece {
			off := time.Duration(math.Ceil((target - before) / st.PerSecond * float64(time.Second)))
			return start + min(off, st.For-1), true
		}
		before += inPiece
		start += st.For
	}
	return 0, false
}

// Length returns the sum of the pieces' lengths.
func (s Piecewise) Length() time.Duration {
	var d time.Duration
	for _, st := range s {
		d += st.For
	}
	return d
}

// Count returns how many requests the schedule holds in [from, to). It
// searches for both ends instead of walking every request, so a schedule of
// millions costs a hundred calls of Due.
func Count(s Schedule, from, to time.Duration) uint64 {
	if to <= from {
		return 0
	}
	return firstDue(s, to) - firstDue(s, from)
}

// firstDue returns the number of the first request of s due at or after
// t, or the number of requests when none is.
func firstDue(s Schedule, t time.Duration) uint64 {
	before := func(n uint64) bool {
		at, ok := s.Due(n)
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

// scheduleFor returns the schedule of an open-loop scenario at rate
// requests a second: Warmup at rate, then the phases of the measured period.
func scheduleFor(s Scenario, rate float64) Piecewise {
	var pieces Piecewise
	if s.Warmup > 0 {
		pieces = append(pieces, Steady{PerSecond: rate, For: s.Warmup})
	}
	for _, ph := range s.Phases() {
		pieces = append(pieces, Steady{PerSecond: rate * ph.Load, For: ph.For})
	}
	return pieces
}

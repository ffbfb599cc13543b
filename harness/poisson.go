package harness

import (
	"math/rand/v2"
	"time"
)

// Poisson is a schedule whose requests arrive as a Poisson process: the
// gaps between them are independent and exponential, at the rate of each
// piece of a [Piecewise] schedule. It is drawn whole when made (a
// request's due time depends on every gap before it), so it suits the
// thousands of requests of a load test, not millions.
type Poisson struct {
	at     []time.Duration
	length time.Duration
}

// NewPoisson draws the arrivals of a Poisson process that follows the
// rates of pieces, from a stream seeded by seed: the same seed draws the
// same schedule. The process starts afresh at each piece, which loses
// nothing because exponential gaps have no memory.
func NewPoisson(pieces Piecewise, seed uint64) Poisson {
	r := newDraw(seed, scheduleStream)
	var p Poisson
	for _, st := range pieces {
		start := p.length
		p.length += st.For
		if st.PerSecond <= 0 {
			continue
		}
		at := float64(start)
		for {
			at += r.ExpFloat64() / st.PerSecond * float64(time.Second)
			if at >= float64(p.length) {
				break
			}
			p.at = append(p.at, time.Duration(at))
		}
	}
	return p
}

// scheduleStream is the PCG stream of a Poisson schedule's draws, apart
// from the connections' streams (numbered from 0) of the same seed.
const scheduleStream = 1 << 63

// Due returns the n-th arrival.
func (p Poisson) Due(n uint64) (time.Duration, bool) {
	if n >= uint64(len(p.at)) {
		return 0, false
	}
	return p.at[n], true
}

// Length returns the length of the pieces it was drawn from.
func (p Poisson) Length() time.Duration { return p.length }

// scheduleOf returns the schedule of an open-loop scenario at rate
// requests a second, as its Arrivals asks: evenly spaced (scheduleFor), or
// a Poisson process with the same rates.
func scheduleOf(s Scenario, rate float64) Schedule {
	pieces := scheduleFor(s, rate)
	if s.Arrivals == PoissonArrivals {
		return NewPoisson(pieces, s.Seed)
	}
	return pieces
}

// newDraw returns the random stream number stream of seed. A scenario's
// draws (its schedule, each connection's service times, the occupancy
// sampler) take distinct streams of one seed.
func newDraw(seed, stream uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, stream)) }

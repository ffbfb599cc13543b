package adaptive

import (
	"sync"

	"github.com/tcpimg/tcpimg/core"
)

// Sample is what an algorithm learns from one admitted job that ran or was
// shed.
type Sample struct {
	core.Sample
	// InFlight is the number of admitted jobs, the sampled one included,
	// when it was admitted: an algorithm grows its limit only when that
	// load came near the limit, since a server that was never pushed has
	// not shown it could take more.
	InFlight int
}

// Algorithm moves a concurrency limit from samples. It is a pure state
// machine: no clock, no goroutine, no lock; its caller serialises calls.
type Algorithm interface {
	// Limit returns the current limit.
	Limit() int
	// Update learns from one sample and returns the new limit.
	Update(s Sample) int
}

// Admitter admits jobs up to the limit its algorithm sets. Samples of
// dropped jobs (core.OutcomeDropped) free their slot and teach the
// algorithm nothing. Build it with [New].
type Admitter struct {
	mu       sync.Mutex
	alg      Algorithm
	limit    int
	inFlight int
	refused  uint64
}

var _ core.Admitter = (*Admitter)(nil)

// New returns an admitter driven by alg, starting at alg's current limit.
func New(alg Algorithm) *Admitter {
	return &Admitter{alg: alg, limit: alg.Limit()}
}

// Acquire admits a job if fewer than the limit are in flight (see
// [core.Admitter]).
func (a *Admitter) Acquire() (core.Ticket, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.inFlight >= a.limit {
		a.refused++
		return core.Ticket{}, false
	}
	a.inFlight++
	return core.Ticket{InFlight: a.inFlight}, true
}

// Release frees t's slot and feeds s to the algorithm unless the job was
// dropped (see [core.Admitter]). A limit lowered below the jobs in flight
// refuses new ones until enough have finished.
func (a *Admitter) Release(t core.Ticket, s core.Sample) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.inFlight == 0 {
		panic("adaptive: released more than admitted")
	}
	a.inFlight--
	if s.Outcome != core.OutcomeDropped {
		a.limit = a.alg.Update(Sample{Sample: s, InFlight: t.InFlight})
	}
}

// Stats returns the current limit, the jobs in flight and the refusals
// (see [core.Admitter]).
func (a *Admitter) Stats() core.AdmitStats {
	a.mu.Lock()
	defer a.mu.Unlock()
	return core.AdmitStats{Limit: a.limit, InFlight: a.inFlight, Refused: a.refused}
}

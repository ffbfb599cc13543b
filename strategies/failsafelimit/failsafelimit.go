// Package failsafelimit is the failsafe strategy: the adaptive concurrency
// limiter of github.com/failsafe-go/failsafe-go (package adaptivelimiter),
// wrapped as a [core.Admitter] beside tcpimg's own (package adaptive), so
// that every measurement puts the library next to them.
//
// What the library does, and what the wrapper adds:
//   - Limit: the library compares a quantile (p90) of recent latencies
//     with a long-term baseline, and also watches whether throughput still
//     grows with the jobs in flight. It updates the limit at most once per
//     recent window (at least 1 s and 50 samples), so it moves slower than
//     AIMD or Gradient2, which update on every sample.
//   - Bounds: the wrapper passes the same [adaptive.Limits] as the others'
//     (min = workers, initial = 2 x workers, max = workers + queue). The
//     library also caps the limit at 5 x the jobs in flight (its default
//     max limit factor), which keeps an idle server's limit from growing.
//   - Acquire: TryAcquirePermit, which never waits; the library's optional
//     queueing is not used, since a refused job is answered BUSY at once.
//   - Release: a job that ran is recorded (its latency, from admission,
//     measured by the library's own clock); a shed or dropped job is
//     dropped, which frees the permit without teaching the library
//     anything. The library has no way to be told that a job was shed for
//     overload, so it learns of overload only through latencies.
//   - It starts no goroutine: nothing to close.
package failsafelimit

import (
	"sync/atomic"

	"github.com/failsafe-go/failsafe-go/adaptivelimiter"

	"github.com/tcpimg/tcpimg/core"
	"github.com/tcpimg/tcpimg/strategies/adaptive"
)

// Admitter admits jobs through a failsafe-go adaptive limiter.
type Admitter struct {
	lim     adaptivelimiter.AdaptiveLimiter[any]
	refused atomic.Uint64
}

var _ core.Admitter = (*Admitter)(nil)

// New returns an admitter within l. Limits that fail l.Validate are a
// *core.ConfigError (the library would panic on them).
func New(l adaptive.Limits) (*Admitter, error) {
	if err := l.Validate(); err != nil {
		return nil, err
	}
	lim := adaptivelimiter.NewBuilder[any]().
		WithLimits(uint(l.Min), uint(l.Max), uint(l.Initial)).
		Build()
	return &Admitter{lim: lim}, nil
}

// Acquire takes a permit if one is free at once (see [core.Admitter]).
func (a *Admitter) Acquire() (core.Ticket, bool) {
	p, ok := a.lim.TryAcquirePermit()
	if !ok {
		a.refused.Add(1)
		return core.Ticket{}, false
	}
	return core.Ticket{InFlight: a.lim.Inflight(), Data: p}, true
}

// Release records the latency of a job that ran and drops the permit of
// any other (see [core.Admitter] and the package documentation). A ticket
// this admitter did not issue panics.
func (a *Admitter) Release(t core.Ticket, s core.Sample) {
	p, ok := t.Data.(adaptivelimiter.Permit)
	if !ok {
		panic("failsafelimit: released more than admitted")
	}
	if s.Outcome == core.OutcomeDone {
		p.Record()
	} else {
		p.Drop()
	}
}

// Stats returns the library's current limit and jobs in flight, and the
// refusals (see [core.Admitter]).
func (a *Admitter) Stats() core.AdmitStats {
	return core.AdmitStats{Limit: a.lim.Limit(), InFlight: a.lim.Inflight(), Refused: a.refused.Load()}
}

// Package queueing holds the textbook models the harness checks the server
// against: Erlang C for M/M/c, Cosmetatos's approximation for M/D/c, the
// Allen-Cunneen approximation for G/G/c with measured variability, Little's
// law, and a batch-means confidence interval for the autocorrelated waits
// of a queue.
//
// A load test that reproduces these numbers on a server with no CPU
// contention (SLEEP jobs) shows that the harness measures waiting the way
// queueing theory defines it: arrivals, service times and waits are all
// timed where the models say, and nothing hides in the load generator.
//
// Notation: c servers (workers), arrival rate lambda (per second), mean
// service time s (seconds), offered load a = lambda*s in Erlangs, and
// utilisation rho = a/c, which must be below 1 for a steady state.
package queueing

import (
	"errors"
	"fmt"
	"math"
)

// ErrUnstable is returned for a utilisation of 1 or more: the queue has no
// steady state and its mean wait is unbounded.
var ErrUnstable = errors.New("queueing: utilisation must be below 1")

// ErlangC is the probability that an arrival waits in an M/M/c queue with
// c servers and offered load a Erlangs (the Erlang C formula). It is
// computed through the Erlang B recurrence, which stays accurate for large
// c where the textbook sum of a^k/k! overflows.
func ErlangC(c int, a float64) (float64, error) {
	if err := check(c, a); err != nil {
		return 0, err
	}
	b := 1.0 // Erlang B with 0 servers
	for k := 1; k <= c; k++ {
		b = a * b / (float64(k) + a*b)
	}
	rho := a / float64(c)
	return b / (1 - rho*(1-b)), nil
}

// WaitMMc is the mean time an arrival waits in the queue (not counting its
// service) of an M/M/c queue: ErlangC / (c/s - lambda).
func WaitMMc(c int, lambda, s float64) (float64, error) {
	a := lambda * s
	pw, err := ErlangC(c, a)
	if err != nil {
		return 0, err
	}
	return pw * s / (float64(c) - a), nil
}

// WaitMDc is the mean queue wait of an M/D/c queue (deterministic service
// times) by Cosmetatos's approximation (1975): half the M/M/c wait,
// corrected for c > 1 by
//
//	1 + (1-rho)(c-1)(sqrt(4+5c) - 2) / (16 rho c).
//
// It is exact for c = 1 (the Pollaczek-Khinchine formula) and within a few
// percent of the exact M/D/c wait for the utilisations the harness uses.
func WaitMDc(c int, lambda, s float64) (float64, error) {
	wmm, err := WaitMMc(c, lambda, s)
	if err != nil {
		return 0, err
	}
	rho := lambda * s / float64(c)
	cf := float64(c)
	corr := 1 + (1-rho)*(cf-1)*(math.Sqrt(4+5*cf)-2)/(16*rho*cf)
	return wmm / 2 * corr, nil
}

// WaitGGc is the Allen-Cunneen approximation of the mean queue wait of a
// G/G/c queue: the M/M/c wait scaled by (ca2 + cs2)/2, where ca2 and cs2
// are the squared coefficients of variation of the interarrival and the
// service times (1 each for Poisson arrivals and exponential service, 0
// for deterministic ones). Passing the variability the server measured,
// rather than the one the load asked for, keeps the model honest about
// timer granularity and scheduling noise.
func WaitGGc(c int, lambda, s, ca2, cs2 float64) (float64, error) {
	if ca2 < 0 || cs2 < 0 || math.IsNaN(ca2) || math.IsNaN(cs2) {
		return 0, fmt.Errorf("queueing: squared coefficients of variation %v, %v must not be negative", ca2, cs2)
	}
	wmm, err := WaitMMc(c, lambda, s)
	if err != nil {
		return 0, err
	}
	return wmm * (ca2 + cs2) / 2, nil
}

// LittleL is the mean number in a system by Little's law: throughput times
// the mean time in the system. It holds for any stable queue whatever its
// discipline, so a measured mean occupancy that disagrees with it means a
// measurement is wrong, not the model.
func LittleL(throughput, meanTime float64) float64 { return throughput * meanTime }

func check(c int, a float64) error {
	switch {
	case c < 1:
		return fmt.Errorf("queueing: %d servers, want at least 1", c)
	case !(a > 0) || math.IsInf(a, 0):
		return fmt.Errorf("queueing: offered load %v, want a positive number", a)
	case a >= float64(c):
		return fmt.Errorf("%w: offered load %v on %d servers", ErrUnstable, a, c)
	}
	return nil
}

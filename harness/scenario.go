package harness

import (
	"errors"
	"fmt"
	"time"

	"github.com/tcpimg/tcpimg/core"
)

// ErrBadScenario is wrapped by every error [Scenario.Validate] returns.
var ErrBadScenario = errors.New("bad scenario")

// Loop is a scenario's arrival model.
type Loop uint8

const (
	// ClosedLoop keeps a fixed number of requests in flight on every
	// connection: a request is sent when an answer comes back. The server's
	// speed sets the send rate, so queueing delay hides in a lower rate.
	ClosedLoop Loop = iota
	// OpenLoop sends on a schedule set by the clock, whatever the server does,
	// and measures latency from each request's scheduled time, so a server
	// that falls behind shows it as latency (no coordinated omission).
	OpenLoop
)

// String returns "closed" or "open".
func (l Loop) String() string {
	switch l {
	case ClosedLoop:
		return "closed"
	case OpenLoop:
		return "open"
	}
	return fmt.Sprintf("loop(%d)", uint8(l))
}

// Scenario is one named load, as data: who connects, how requests arrive,
// and what they ask for. Tests, benchmarks and cmd/loadgen all read the same
// catalog, [Scenarios]. Zero values are documented per field; [Scenario.Validate]
// rejects the combinations that cannot run.
type Scenario struct {
	// Name is the stable kebab-case id used in benchmark names and flags.
	Name string
	// Description says in one line what the scenario shows.
	Description string

	// Loop is the arrival model; the zero value is ClosedLoop.
	Loop Loop
	// Clients is the number of simulated users; 0 means 1.
	Clients int
	// ConnsPerClient is the connections each client opens; 0 means 1.
	ConnsPerClient int
	// Inflight bounds the requests sent and not yet answered on one
	// connection; 0 means 1. A closed loop keeps this many in flight; an
	// open loop never exceeds it (a due request waits for a free slot and
	// counts as late), so a stalled server cannot grow the load without
	// bound. Keep it at or below the server's -max-inflight (64 by
	// default), above which the server stops reading.
	Inflight int

	// Rate is an open loop's requests per second, for all connections
	// together. Ignored by a closed loop.
	Rate float64
	// RateOfCapacity, when positive, replaces Rate by this fraction of the
	// capacity the "saturate" scenario measured against the same target
	// (in process, against the default strategy; see [Runner]).
	RateOfCapacity float64
	// Shape, for an open loop, replaces the single measured period of
	// Duration at Rate by phases, each running at Load times Rate for its
	// own duration (Load 0 is idle). Empty means one phase {Duration, 1}.
	Shape []Phase

	// Duration is how long the measured period lasts, after Warmup. With
	// Jobs or Shape set it is ignored.
	Duration time.Duration
	// Jobs, when positive in a closed loop, makes every client send exactly
	// this many requests (spread over its connections) and stop: the run
	// ends when every answer is in, and its measured period is the whole
	// run (Warmup is ignored). Ignored by an open loop.
	Jobs int
	// Warmup is a period before the measured one, under the same load,
	// whose answers are checked but not recorded: the pool's workers, the
	// buffers and the heap reach their steady state first. 0 means none.
	Warmup time.Duration

	// FillQueue, for an open loop of one phase faster than the capacity,
	// stretches Warmup until the target's queue has had time to fill twice
	// over at the excess rate (see [Generator.QueueSize]): measured before
	// then, an overload run describes a queue still filling, and sheds
	// less than its steady state does. At 120% of a capacity of 576/s a
	// queue of 64 takes 0.55 s to fill.
	FillQueue bool
	// byRequest counts a run's answers by the request they answer rather
	// than by their arrival in the measured period. [Short] sets it: a
	// shortened period is shorter than one job's latency under the race
	// detector, and a shortened run checks correctness, not rates.
	byRequest bool

	// Workload is the mix of requests; it must not be empty.
	Workload Workload

	// SlowReaders is the fraction of clients (0..1, rounded to whole
	// clients) that read their answers slowly. Their latency is left out of
	// the histograms, which describe the clients that read promptly; their
	// answers count everywhere else.
	SlowReaders float64
	// SlowReadDelay is how long a slow reader waits before reading each
	// answer; 0 means 10 ms when SlowReaders is positive.
	SlowReadDelay time.Duration

	// Server, when not nil, is the server configuration [Runner] runs this
	// scenario with instead of its own: a scenario that needs a queue
	// that never sheds, or a given number of workers, says so here.
	Server *ServerConfig
	// Arrivals is how an open loop spreads its requests in time; the zero
	// value, EvenArrivals, spaces them evenly.
	Arrivals Arrivals
	// Seed seeds the scenario's random draws: Poisson arrival times, and
	// the service times of jobs with a [Dist], which each connection
	// draws from its own stream so that senders share no lock. The same
	// seed draws the same schedule and the same lengths on each
	// connection; repetitions meant as independent samples use different
	// seeds.
	Seed uint64
	// Model, when not nil, checks the run against queueing theory: every
	// request is traced, and the run's Metrics get a [ModelFit]. It needs
	// Server with a positive Workers, the c of the model. A remote target
	// (cmd/loadgen) must run with that configuration itself, and its
	// occupancy is not sampled.
	Model *ModelCheck
}

// Arrivals is how an open loop spreads its requests in time.
type Arrivals uint8

const (
	// EvenArrivals spaces requests evenly at the rate: the least variable
	// load, as vegeta's constant pacer.
	EvenArrivals Arrivals = iota
	// PoissonArrivals draws exponential gaps at the rate (seeded by
	// Scenario.Seed): the arrivals of queueing theory's M/./c models.
	PoissonArrivals
)

// String returns "even" or "poisson".
func (a Arrivals) String() string {
	switch a {
	case EvenArrivals:
		return "even"
	case PoissonArrivals:
		return "poisson"
	}
	return fmt.Sprintf("arrivals(%d)", uint8(a))
}

// Phase is one period of an open loop's measured load, at a multiple of
// the scenario's rate.
type Phase struct {
	For  time.Duration // how long the phase lasts
	Load float64       // multiple of the scenario's rate; 0 is idle
}

// Defaults a zero field takes.
const (
	DefaultSlowReadDelay = 10 * time.Millisecond
)

// withDefaults resolves the zero values documented on Scenario.
func (s Scenario) withDefaults() Scenario {
	s.Clients = max(s.Clients, 1)
	s.ConnsPerClient = max(s.ConnsPerClient, 1)
	s.Inflight = max(s.Inflight, 1)
	if s.SlowReaders > 0 && s.SlowReadDelay == 0 {
		s.SlowReadDelay = DefaultSlowReadDelay
	}
	return s
}

// Conns returns the number of connections the scenario opens.
func (s Scenario) Conns() int {
	s = s.withDefaults()
	return s.Clients * s.ConnsPerClient
}

// SlowClients returns how many of the clients read slowly.
func (s Scenario) SlowClients() int {
	s = s.withDefaults()
	return min(int(s.SlowReaders*float64(s.Clients)+0.5), s.Clients)
}

// Phases returns an open loop's measured period as phases (Shape, or one
// phase of Duration at the rate).
func (s Scenario) Phases() []Phase {
	if len(s.Shape) > 0 {
		return s.Shape
	}
	return []Phase{{For: s.Duration, Load: 1}}
}

// Measured returns the length of the measured period for a scenario whose
// length is fixed in advance (not a closed loop counting Jobs).
func (s Scenario) Measured() time.Duration {
	if s.Loop == ClosedLoop {
		return s.Duration
	}
	var d time.Duration
	for _, ph := range s.Phases() {
		d += ph.For
	}
	return d
}

// steady reports whether the scenario holds one load for its measured
// period, so that the period's two halves should agree: neither a closed
// loop counting jobs (it ends ragged) nor a shaped open loop.
func (s Scenario) steady() bool { return !s.CountsJobs() && len(s.Shape) == 0 }

// CountsJobs reports whether the scenario ends after a number of requests
// rather than after a duration.
func (s Scenario) CountsJobs() bool { return s.Loop == ClosedLoop && s.Jobs > 0 }

// Validate reports a scenario that cannot run.
func (s Scenario) Validate() error {
	var problems []string
	check := func(bad bool, format string, args ...any) {
		if bad {
			problems = append(problems, fmt.Sprintf(format, args...))
		}
	}
	check(s.Name == "", "no name")
	check(s.Clients < 0 || s.ConnsPerClient < 0 || s.Inflight < 0, "negative clients, connections or inflight")
	check(s.Inflight > core.DefaultMaxInflight, "inflight %d over the server's default -max-inflight %d", s.Inflight, core.DefaultMaxInflight)
	check(s.Loop > OpenLoop, "unknown loop %d", s.Loop)
	check(s.Warmup < 0 || s.Duration < 0, "negative duration")
	check(s.SlowReaders < 0 || s.SlowReaders > 1, "slow readers %v outside 0..1", s.SlowReaders)
	check(len(s.Workload) == 0, "empty workload")
	for i, j := range s.Workload {
		h := j.Header()
		err := h.Validate()
		check(err != nil, "job %d: %v", i, err)
		check(j.Weight < 0, "job %d: negative weight", i)
		check(j.Dist > Exponential, "job %d: unknown distribution %d", i, j.Dist)
		check(j.Dist != Fixed && j.Op != core.OpSpin && j.Op != core.OpSleep, "job %d: a distribution needs SPIN or SLEEP", i)
	}
	check(s.Arrivals > PoissonArrivals, "unknown arrivals %d", s.Arrivals)
	if s.Server != nil {
		check(s.Server.Workers < 0 || s.Server.QueueSize < 0, "server: negative workers or queue")
	}
	if s.Model != nil {
		check(s.Server == nil || s.Server.Workers <= 0, "a model needs Server.Workers, the model's c")
		check(s.Loop != OpenLoop, "a model needs an open loop")
		check(s.Model.Tolerance <= 0, "a model needs a positive tolerance")
	}
	switch s.Loop {
	case ClosedLoop:
		check(s.Jobs < 0, "negative jobs")
		check(s.Jobs == 0 && s.Duration <= 0, "closed loop needs Duration or Jobs")
	case OpenLoop:
		check(s.Rate < 0 || s.RateOfCapacity < 0, "negative rate")
		check(s.Rate == 0 && s.RateOfCapacity == 0, "open loop needs Rate or RateOfCapacity")
		check(s.Measured() <= 0, "open loop needs Duration or Shape")
		for i, ph := range s.Shape {
			check(ph.For <= 0 || ph.Load < 0, "shape phase %d: needs a positive duration and a load >= 0", i)
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("%w %q: %v", ErrBadScenario, s.Name, problems)
	}
	return nil
}

package harness

import (
	"fmt"
	"time"

	"github.com/tcpimg/tcpimg/core"
)

// The overload family: clients that give up, and clients that retry. Its
// runs are seconds long each, and its strategies include admission limits
// in front of the default pool, so it runs apart from the matrix
// (BenchmarkOverload, scripts/run-overload.sh).
//
// Every scenario runs twice: with the server's default queue of
// core.DefaultQueueSize, as people deploy it, and with the matrix's
// MatrixQueueSize. A FIFO queue collapses once it holds more work than
// its clients wait for: 256 thumbnails of about 3.5 ms on two workers are
// about 450 ms of waiting, against timeouts of 100 and 200 ms.
const (
	// overloadTimeout is the clients' timeout of overload-deadline.
	overloadTimeout = 100 * time.Millisecond
	// stormTimeout is the clients' timeout of the retry storms.
	stormTimeout = 200 * time.Millisecond
	// stormRetries is how many times a storm's client retries a request.
	stormRetries = 3
	// stormBin and stormWindow are the bins the storms are counted in and
	// the sliding window recovery-s averages over. The storms space their
	// requests evenly, so a window's count of answers varies only with the
	// server: even if arrivals were Poisson, a window of 1 s at 80% of one
	// worker's capacity (about 220 answers) would vary by about 7%, and
	// evenly spaced, the 1 s windows of a recovered run vary by 1% to 2%,
	// well inside the 5% that RecoveryShare allows. The bins of 250 ms
	// place the recovery to a quarter second.
	stormBin    = 250 * time.Millisecond
	stormWindow = time.Second
	// overloadDuration is overload-deadline's measured period: 40 bins of
	// 50 ms, two halves of about 1000 answers each at 200%.
	overloadDuration = 2 * time.Second
)

// stormShape is the retry storms' load, as multiples of 80% of the
// capacity: 3 s at 80%, 2 s at 300%, and 8 s at 80% again, long enough to
// see whether the goodput in time comes back.
var stormShape = []Phase{
	{For: 3 * time.Second, Load: 1},
	{For: 2 * time.Second, Load: 3 / 0.8},
	{For: 8 * time.Second, Load: 1},
}

// overloadQueues are the queue sizes each scenario of the family runs
// with.
var overloadQueues = []int{core.DefaultQueueSize, MatrixQueueSize}

// overloadCatalog is the overload family, for each queue size:
// overload-deadline without and with the deadline sent, then the retry
// storm without and with backoff, jitter and a budget.
var overloadCatalog = func() []Scenario {
	var out []Scenario
	for _, q := range overloadQueues {
		out = append(out,
			overloadDeadline(q, false),
			overloadDeadline(q, true),
			retryStorm(q, false),
			retryStorm(q, true),
		)
	}
	return out
}()

// overloadDeadline is an open loop at 200% of the capacity whose clients
// give up after overloadTimeout, with the deadline in the request when
// sent is set, on a server with a queue of queue.
func overloadDeadline(queue int, sent bool) Scenario {
	name, how := "overload-deadline", "without a deadline in the request: the server runs jobs nobody waits for"
	if sent {
		name, how = "overload-deadline-sent", "the deadline in the request: the server answers TIMEOUT unrun a job that could not start in time"
	}
	return Scenario{
		Name: fmt.Sprintf("%s-q%d", name, queue),
		Description: fmt.Sprintf("open loop at 200%% of the capacity, clients give up after %v, queue %d; %s",
			overloadTimeout, queue, how),
		Loop: OpenLoop, Clients: 16, Inflight: 16, RateOfCapacity: 2,
		Warmup: warmup, FillQueue: true, Duration: overloadDuration, BinWidth: 50 * time.Millisecond,
		Timeout: overloadTimeout, SendDeadline: sent,
		Workload: thumbs,
		Server:   &ServerConfig{QueueSize: queue},
	}
}

// retryStorm is 80% of the capacity, then 2 s at 300%, then 80% again,
// whose clients give up after stormTimeout and retry up to stormRetries
// times: at once, or, with backoff, after exponential backoff with full
// jitter within a budget of 10% of requests.
func retryStorm(queue int, backoff bool) Scenario {
	s := Scenario{
		Name: fmt.Sprintf("retry-storm-q%d", queue),
		Description: fmt.Sprintf("80%% of the capacity, 2 s at 300%%, 80%% again; clients give up after %v and retry at once up to %d times; queue %d: does goodput in time come back?",
			stormTimeout, stormRetries, queue),
		Loop: OpenLoop, Clients: 16, Inflight: 32, RateOfCapacity: 0.8,
		Warmup: nearSaturation, Shape: stormShape,
		Timeout: stormTimeout, Retry: &RetryPolicy{Max: stormRetries},
		BinWidth: stormBin, RecoveryWindow: stormWindow,
		Workload: thumbs,
		Server:   &ServerConfig{QueueSize: queue},
	}
	if backoff {
		s.Name = fmt.Sprintf("retry-storm-backoff-q%d", queue)
		s.Description = fmt.Sprintf("retry-storm-q%d, but the retries back off exponentially from 50 ms with full jitter, within a budget of 10%% of requests", queue)
		s.Retry = &RetryPolicy{Max: stormRetries, Base: 50 * time.Millisecond, Cap: time.Second, Budget: 0.1}
	}
	return s
}

// OverloadScenarios returns the overload family, in table order. The
// slice and its scenarios are copies.
func OverloadScenarios() []Scenario { return clones(overloadCatalog) }

// OverloadScenarioNames returns the names of OverloadScenarios.
func OverloadScenarioNames() []string { return nameList(overloadCatalog) }

// OverloadStrategies are what the overload family runs against: the
// default pool, the pools that shed by queue delay or serve the newest
// first, and the default pool behind each admission limit, named
// POOL+ADMIT (see [Runner.Run]).
func OverloadStrategies() []string {
	return []string{"chan-pool", "codel", "adaptive-lifo", "codel-lifo", "demand-lifo", "chan-pool+aimd", "chan-pool+gradient", "chan-pool+failsafe"}
}

// OverloadMatrix returns the overload family against OverloadStrategies,
// as [Matrix] orders its cells.
func OverloadMatrix(first int) []Cell {
	return crossCells(OverloadScenarios(), OverloadStrategies(), first)
}

package harness

import (
	"fmt"
	"time"

	"github.com/tcpimg/tcpimg/core"
)

// The model family checks the harness against queueing theory: Poisson
// arrivals at a utilisation of 0.5, 0.8 or 0.9 on two workers that SLEEP
// (no CPU, so the workers do not contend for the two cores), exponential
// (mm: M/M/2) or fixed (md: M/D/2) service times drawn by the client, a
// queue that never sheds. Each run reports its mean queue wait against the
// model's (see ModelFit); scripts/run-model.sh runs the family and pools
// the repetitions (PoolModel).
//
// The runs are long because waits near saturation are strongly
// correlated. In simulated queues, the 95% interval of the mean wait of
// 20,000 arrivals is ±9% wide for M/M/2 at 0.5, ±17% at 0.8, ±30% at 0.9,
// and for M/D/2 ±6%, ±12%, ±21%; it narrows as the square root of the
// arrivals. The lengths below give, pooled over six repetitions
// (scripts/run-model.sh's default), 15,000 to 90,000 arrivals per cell and
// an interval about four fifths of the tolerance.
const (
	// ModelWorkers is the c of the model family's M/M/c and M/D/c.
	ModelWorkers = 2
	// ModelService is the family's mean service time: long against the
	// millisecond granularity of Go's timers on an idle runtime (a SLEEP
	// overshoots by a few percent of it, the pacer bunches arrivals a
	// little), short against the length of the runs, which grows with it
	// for the same number of arrivals: at 20 ms the family would take
	// over two hours.
	ModelService = 10 * time.Millisecond
	// SleepOvershoot is how much longer than asked a SLEEP of about
	// ModelService lasts on an idle Go runtime here. The family's rates
	// allow for it, so that the utilisation the server sees is the one
	// named; the model itself uses the measured service times.
	SleepOvershoot = 400 * time.Microsecond
	// modelClients and modelInflight bound the family's requests in flight
	// (4 x 64), and modelQueue is larger, so that the queue never sheds.
	modelClients  = 4
	modelInflight = 64
	modelQueue    = 1024
)

// modelCatalog is the model family, apart from the matrix's catalog: its
// runs take minutes each, the matrix's budget seconds.
var modelCatalog = []Scenario{
	modelAt("mm", 50, 50*time.Second),
	modelAt("mm", 80, 90*time.Second),
	modelAt("mm", 90, 75*time.Second),
	modelAt("md", 50, 25*time.Second),
	modelAt("md", 80, 45*time.Second),
	modelAt("md", 90, 35*time.Second),
}

// modelAt returns the scenario of family "mm" or "md" at pct percent
// utilisation, measured for d.
func modelAt(family string, pct int, d time.Duration) Scenario {
	rho := float64(pct) / 100
	job, kind, kendall := Sleep(ModelService), "SLEEP of", "D"
	if family == "mm" {
		job, kind, kendall = SleepExp(ModelService), "exponential SLEEP of mean", "M"
	}
	tolerance, warm := 0.10, 3*time.Second
	if pct >= 90 {
		// Near saturation the queue takes longer to forget its empty
		// start, and the model is an approximation of wider error.
		tolerance, warm = 0.20, 5*time.Second
	}
	return Scenario{
		Name: fmt.Sprintf("model-%s-%d", family, pct),
		Description: fmt.Sprintf("Poisson arrivals, %s %v, on %d workers at utilisation %.1f: the queue wait against M/%s/%d",
			kind, ModelService, ModelWorkers, rho, kendall, ModelWorkers),
		Loop: OpenLoop, Clients: modelClients, Inflight: modelInflight,
		Rate:     rho * ModelWorkers / (ModelService + SleepOvershoot).Seconds(),
		Arrivals: PoissonArrivals,
		Warmup:   warm, Duration: d,
		Workload: Workload{job},
		Server:   ptr(ModelServer()),
		Model:    &ModelCheck{Tolerance: tolerance},
	}
}

// ModelServer is the server configuration of the model family:
// ModelWorkers workers, a queue longer than the requests the family can
// have in flight, so that it never sheds, and BUSY when full, so that a
// queue that did shed shows as BUSY answers rather than as waits.
func ModelServer() ServerConfig {
	return ServerConfig{Workers: ModelWorkers, QueueSize: modelQueue, Admission: core.AdmissionReject}
}

func ptr[T any](v T) *T { return &v }

// ModelScenarios returns the model family, in table order. The slice and
// its scenarios are copies.
func ModelScenarios() []Scenario { return clones(modelCatalog) }

// ModelScenarioNames returns the names of ModelScenarios, in table order.
func ModelScenarioNames() []string { return nameList(modelCatalog) }

// ModelStrategies are the strategies the model family runs: the default
// pool and the one whose queue is a mutex and a slice, two ways of
// handing a job to a worker that should wait alike.
func ModelStrategies() []string { return []string{"chan-pool", "mutex-queue"} }

// ModelMatrix returns the model family against ModelStrategies, as
// [Matrix] orders its cells: within each scenario the strategies start at
// index first and wrap around.
func ModelMatrix(first int) []Cell {
	var cells []Cell
	for _, s := range ModelScenarios() {
		for _, st := range rotate(ModelStrategies(), first) {
			cells = append(cells, Cell{Scenario: s, Strategy: st})
		}
	}
	return cells
}

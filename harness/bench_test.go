package harness_test

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"sync"
	"testing"

	"github.com/tcpimg/tcpimg/harness"
	"github.com/tcpimg/tcpimg/harness/isolate"
	"github.com/tcpimg/tcpimg/strategies"
)

var (
	recordsDir = flag.String("harness.records", "", "write a JSON record of every run into this `folder`")
	repBase    = flag.Int("harness.rep", 0, "number of the first repetition, for the names of records")
	scale      = flag.Float64("harness.scale", 1, "multiply every scenario's warm-up, duration, shape and jobs by this `factor`")
	capacityTo = flag.String("harness.capacity", "", "append the capacity this process measured, with its spread, to this `file`")
	freshCap   = flag.Bool("harness.fresh-capacity", false, "measure the capacity again before every open loop scaled by it (harness.Runner.FreshCapacity)")
	serverBin  = flag.String("harness.server", "", "run each server as this `binary` (cmd/server) in a process of its own, pinned apart from the load generator")
	serverCPUs = flag.String("harness.server-cpus", "", "with -harness.server: the server's `CPUs` (as taskset -c takes them); empty splits this machine's in two")
	loadCPUs   = flag.String("harness.load-cpus", "", "with -harness.server: the load generator's `CPUs`; empty splits this machine's in two")
)

// isolation configures every benchmark runner from the -harness.server
// flags, once, and pins this process to the load generator's CPUs.
var isolation = sync.OnceValues(func() (*harness.Isolation, error) {
	if *serverBin == "" {
		return nil, nil
	}
	iso := &harness.Isolation{Server: *serverBin}
	var err error
	if *serverCPUs == "" && *loadCPUs == "" {
		iso.ServerCPUs, iso.LoadCPUs, err = isolate.Split()
	} else {
		iso.ServerCPUs, err = isolate.ParseCPUSet(*serverCPUs)
		if err == nil {
			iso.LoadCPUs, err = isolate.ParseCPUSet(*loadCPUs)
		}
	}
	if err == nil {
		err = iso.Validate()
	}
	if err == nil {
		err = isolate.Pin(iso.LoadCPUs)
	}
	return iso, err
})

// setUp readies a benchmark's runner: shortened with -short, scaled, and
// isolated with -harness.server.
func setUp(b *testing.B, r *harness.Runner) {
	r.Short = testing.Short()
	r.Scale = *scale
	r.FreshCapacity = *freshCap
	iso, err := isolation()
	if err != nil {
		b.Fatal(err)
	}
	r.Isolate = iso
}

// benchRunner is shared by every sub-benchmark of the process, so that the
// capacity "saturate" measures for a strategy is the one its open loops use.
var benchRunner = &harness.Runner{Server: harness.MatrixServer()}

// modelRunner runs the model family, whose scenarios bring their own
// server configuration and need no capacity.
var modelRunner = &harness.Runner{}

// BenchmarkScenario runs the matrix (harness.Matrix): every scenario
// against every pool strategy over loopback, one scenario run per
// iteration, and reports the run's figures (the mean over the iterations
// when there are several). With -short the scenarios are shortened as the
// smoke test runs them.
//
// The first run in a process pays for faulting in the heap and warming
// caches, so an unmeasured run of the first scenario goes before the
// measured ones; and each repetition (-harness.rep) starts every scenario
// at a different strategy, so that no strategy always runs right after the
// same other one.
func BenchmarkScenario(b *testing.B) {
	setUp(b, benchRunner)
	cells := harness.Matrix(*repBase)
	if _, err := benchRunner.Run(b.Context(), cells[0].Scenario, harness.Strategies()[0]); err != nil {
		b.Fatalf("warm-up run: %v", err)
	}
	for _, c := range cells {
		b.Run(c.Name(), func(b *testing.B) { benchRun(b, benchRunner, c) })
	}
	if *capacityTo != "" {
		if err := appendCapacity(*capacityTo, benchRunner); err != nil {
			b.Fatal(err)
		}
	}
}

// appendCapacity writes one line for the capacity r measured: the median
// of every calibration run it made against the default strategy, their
// relative spread, (max - min) / median, and count, as
// "rep N: capacity MEDIAN spread SPREAD runs N".
func appendCapacity(path string, r *harness.Runner) error {
	runs := r.CalibrationHistory(strategies.DefaultPool)
	if len(runs) == 0 {
		return nil
	}
	est := harness.EstimateCapacity(runs)
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(f, "rep %d: capacity %.1f spread %.4f runs %d\n", *repBase, est.Median, est.Spread, est.N)
	return errors.Join(err, f.Close())
}

// BenchmarkModel runs the model family (harness.ModelMatrix), which
// checks the harness against queueing theory, apart from the matrix: its
// runs are minutes long. Each run reports, beside the usual figures, its
// mean queue wait and the model's (wait-ms, model-wait-ms, wait-ci-ms,
// wait-vs-model) and Little's law's check (little-vs-model);
// scripts/run-model.sh pools them over repetitions. A run that got a BUSY
// answer, or could not be fitted, fails.
func BenchmarkModel(b *testing.B) {
	// A configuration line for benchstat, which applies it to the results
	// that follow: the family's server, not the matrix's of TestMain.
	fmt.Printf("server: %s\n", harness.ModelServer())
	setUp(b, modelRunner)
	for _, c := range harness.ModelMatrix(*repBase) {
		b.Run(c.Name(), func(b *testing.B) { benchRun(b, modelRunner, c) })
	}
}

// overloadRunner runs the overload family, whose scenarios bring their
// own queue; its capacity is measured as the matrix's, on the matrix's
// server.
var overloadRunner = &harness.Runner{Server: harness.MatrixServer()}

// BenchmarkOverload runs the overload family (harness.OverloadMatrix):
// clients that give up after a timeout, with and without the deadline in
// the request, and clients that retry through a spike, against the default
// pool, the pools that shed or serve the newest first, and the default
// pool behind each admission limit. Beside the usual figures each run
// reports goodput-in-time/s, timeouts/op, wasted-work and retries/op, and
// the retry storms recovery-s and recovered. scripts/run-overload.sh runs
// it once per repetition.
func BenchmarkOverload(b *testing.B) {
	// A configuration line for benchstat, which applies it to the results
	// that follow: the queue is the scenario's, the admission limit the
	// strategy's.
	fmt.Printf("server: %s, queue from the scenario (-qN), admit from the strategy (+ADMIT)\n", harness.MatrixServer())
	setUp(b, overloadRunner)
	for _, c := range harness.OverloadMatrix(*repBase) {
		b.Run(c.Name(), func(b *testing.B) { benchRun(b, overloadRunner, c) })
	}
	if *capacityTo != "" {
		if err := appendCapacity(*capacityTo, overloadRunner); err != nil {
			b.Fatal(err)
		}
	}
}

// benchRun runs cell c b.N times on r. Each run draws from its own seed
// (the repetition's number), so that repetitions are independent samples
// of a scenario with random arrivals or service times.
func benchRun(b *testing.B, r *harness.Runner, c harness.Cell) {
	runs := make([]*harness.Metrics, 0, b.N)
	for range b.N {
		rep := nextRep(c.Name())
		s := c.Scenario
		s.Seed += uint64(rep)
		m, err := r.Run(b.Context(), s, c.Strategy)
		if err != nil {
			b.Fatal(err)
		}
		if m.Model != nil && m.Model.Invalid != "" {
			b.Errorf("%s: the model check is invalid: %s", c.Name(), m.Model.Invalid)
		}
		m.Rep = rep
		if *recordsDir != "" {
			if _, err := harness.WriteRecord(*recordsDir, m); err != nil {
				b.Fatal(err)
			}
		}
		runs = append(runs, m)
	}
	for _, f := range harness.MeanFigures(runs) {
		b.ReportMetric(f.Value, f.Unit)
	}
}

var reps = struct {
	sync.Mutex
	next map[string]int
}{next: map[string]int{}}

// nextRep numbers the runs of one cell in this process from -harness.rep.
func nextRep(cell string) int {
	reps.Lock()
	defer reps.Unlock()
	n := reps.next[cell]
	reps.next[cell] = n + 1
	return *repBase + n
}

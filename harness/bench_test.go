package harness_test

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"sync"
	"testing"

	"github.com/tcpimg/tcpimg/harness"
	"github.com/tcpimg/tcpimg/strategies"
)

var (
	recordsDir = flag.String("harness.records", "", "write a JSON record of every run into this `folder`")
	repBase    = flag.Int("harness.rep", 0, "number of the first repetition, for the names of records")
	scale      = flag.Float64("harness.scale", 1, "multiply every scenario's warm-up, duration, shape and jobs by this `factor`")
	capacityTo = flag.String("harness.capacity", "", "append the capacity this process measured, with its spread, to this `file`")
)

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
	benchRunner.Short = testing.Short()
	benchRunner.Scale = *scale
	cells := harness.Matrix(*repBase)
	if _, err := benchRunner.Run(b.Context(), cells[0].Scenario, harness.Strategies()[0]); err != nil {
		b.Fatalf("warm-up run: %v", err)
	}
	for _, c := range cells {
		b.Run(c.Name(), func(b *testing.B) { benchRun(b, benchRunner, c) })
	}
	if *capacityTo != "" {
		if err := appendCapacity(*capacityTo); err != nil {
			b.Fatal(err)
		}
	}
}

// appendCapacity writes one line for this process's capacity: the median
// of its latest calibration runs against the default strategy, their
// relative spread and count, as "rep N: capacity MEDIAN spread SPREAD runs N".
func appendCapacity(path string) error {
	est := benchRunner.CapacityEstimate(strategies.DefaultPool)
	if est.N == 0 {
		return nil
	}
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
	modelRunner.Short = testing.Short()
	modelRunner.Scale = *scale
	for _, c := range harness.ModelMatrix(*repBase) {
		b.Run(c.Name(), func(b *testing.B) { benchRun(b, modelRunner, c) })
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

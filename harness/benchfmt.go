package harness

import (
	"fmt"
	"io"
	"strings"
)

// BenchmarkName returns the name under which a run of scenario against
// strategy is reported, the same in the in-process benchmark and in
// cmd/loadgen's output, so that benchstat reads both alike.
func BenchmarkName(scenario, strategy string) string {
	return "BenchmarkScenario/scenario=" + scenario + "/strategy=" + strategy
}

// WriteBenchmark writes r as one line of Go benchmark output: one
// iteration, the measured period as ns/op, then r.Figures().
func WriteBenchmark(w io.Writer, r *Metrics) error {
	var b strings.Builder
	fmt.Fprintf(&b, "%s\t%8d\t%12d ns/op", BenchmarkName(r.Scenario, r.Strategy), 1, r.Elapsed.Nanoseconds())
	for _, m := range r.Figures() {
		fmt.Fprintf(&b, "\t%12.6g %s", m.Value, m.Unit)
	}
	b.WriteByte('\n')
	_, err := io.WriteString(w, b.String())
	return err
}

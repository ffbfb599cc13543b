package report

import (
	"math"

	"golang.org/x/perf/benchmath"
)

// Confidence is the level of every confidence interval, and Alpha the
// significance level of every comparison: benchstat's defaults.
const (
	Confidence = 0.95
	Alpha      = 0.05
)

// Direction says which way a metric improves.
type Direction int

const (
	// Neither: a significant change is shown as a difference, not
	// judged (utilisation: higher is more work done per core, and less
	// headroom).
	Neither Direction = iota
	// Higher values are better (goodput).
	Higher
	// Lower values are better (latency, memory, goroutines).
	Lower
)

// A Metric is a unit of the benchmark lines that the page compares.
type Metric struct {
	Unit   string // as written in raw.txt
	Title  string // what the grid's heading says
	Better Direction
}

// Metrics are the grids the page draws, in order, when raw.txt has them
// (see harness.Result.Metrics for what each unit measures).
var Metrics = []Metric{
	{"goodput/s", "Goodput: OK answers per second", Higher},
	{"p99-ns", "p99 latency of OK answers", Lower},
	{"busy/op", "BUSY answers per request sent", Lower},
	{"peak-heap-B", "Peak heap", Lower},
	{"peak-goroutines", "Peak goroutines", Lower},
	{"utilisation", "Utilisation", Neither},
	{"goodput-in-time/s", "Goodput within the client's timeout", Higher},
	{"wasted-work", "Service time spent on answers nobody waited for", Lower},
	{"recovery-s", "Seconds from the spike's end to recovered goodput", Lower},
}

// Verdict is the outcome of comparing a cell with the baseline strategy's
// cell of the same scenario.
type Verdict int

const (
	// NoVerdict: the cell is the baseline, or has nothing to be compared
	// with.
	NoVerdict Verdict = iota
	// Same: the U test finds no significant difference (benchstat's "~").
	Same
	// Better and Worse: significant, in the metric's good or bad direction.
	Better
	Worse
	// Differs: significant, for a metric with no better direction.
	Differs
)

// String returns the verdict as the page's CSS class names it.
func (v Verdict) String() string {
	switch v {
	case Same:
		return "same"
	case Better:
		return "better"
	case Worse:
		return "worse"
	case Differs:
		return "differs"
	}
	return "none"
}

// A Stat summarises one cell's repetitions of one metric, and compares
// them with the baseline's.
type Stat struct {
	N       int
	Summary benchmath.Summary // median, and its confidence interval

	// Compared is set when there was a baseline sample to compare with;
	// P, Delta, Verdict and Shift are meaningful only then.
	Compared bool
	P        float64
	// Delta is the change of the median against the baseline's median,
	// in percent; NaN when the baseline's median is 0 and this one is
	// not.
	Delta   float64
	Verdict Verdict
	// Shift is the ratio to the baseline with its confidence interval.
	Shift Shift
}

// Summarise computes a cell's statistics as benchstat does: the median
// with its confidence interval, and, when base is not empty, the
// Mann-Whitney U test of values against base, the change of medians and
// the ratio to base with its interval (ShiftOf).
// Neither slice is modified.
func Summarise(values, base []float64, better Direction) Stat {
	th := benchmath.DefaultThresholds
	th.CompareAlpha = Alpha
	s := benchmath.NewSample(clone(values), &th)
	st := Stat{N: len(values), Summary: benchmath.AssumeNothing.Summary(s, Confidence)}
	if len(base) == 0 || len(values) == 0 {
		return st
	}
	b := benchmath.NewSample(clone(base), &th)
	old := benchmath.AssumeNothing.Summary(b, Confidence).Center
	c := benchmath.AssumeNothing.Compare(b, s)
	st.Compared, st.P = true, c.P
	st.Delta = delta(old, st.Summary.Center)
	st.Verdict = verdict(c.P, old, st.Summary.Center, better)
	st.Shift = ShiftOf(values, base, Confidence)
	return st
}

// delta is the change from old to new in percent.
func delta(old, new float64) float64 {
	switch {
	case old == new:
		return 0
	case old == 0:
		return math.NaN()
	}
	return (new/old - 1) * 100
}

// verdict judges a change from old to new medians with p-value p. Like
// benchstat, a p-value equal to Alpha is significant.
func verdict(p, old, new float64, better Direction) Verdict {
	switch {
	case p > Alpha || old == new:
		return Same
	case better == Neither:
		return Differs
	case (new > old) == (better == Higher):
		return Better
	}
	return Worse
}

func clone(v []float64) []float64 { return append([]float64(nil), v...) }

package harness

import (
	"cmp"
	"math"
	"slices"

	"github.com/tcpimg/tcpimg/harness/queueing"
)

// ModelPool is the model check of one scenario on one strategy, pooled
// over its repetitions: the runs are independent, so their waits combine
// into one estimate whose interval narrows as runs are added.
type ModelPool struct {
	Scenario, Strategy string
	// Runs counts the valid runs pooled; Invalid those left out (see
	// ModelFit.Invalid), with the first reason.
	Runs, Invalid int
	Reason        string
	// Arrivals is the pooled runs' arrivals.
	Arrivals int
	// Utilisation is the arrival-weighted mean of the runs' measured
	// utilisations.
	Utilisation float64
	// Ratio is the pooled mean wait over the pooled model wait, with its
	// 95% interval.
	Ratio queueing.Interval
	// Little is the arrival-weighted mean of the runs' Little ratios, 0
	// when none sampled the occupancy.
	Little float64
	// Tolerance is the scenario's.
	Tolerance float64
}

// Verdicts of a pooled model check.
const (
	// VerdictPass: the pooled ratio is within the tolerance of 1, and its
	// interval no wider than the tolerance.
	VerdictPass = "PASS"
	// VerdictFail: the pooled ratio is further from 1 than the tolerance.
	VerdictFail = "FAIL"
	// VerdictWide: the ratio is within the tolerance, but its interval is
	// wider than it, so the runs were too short to tell.
	VerdictWide = "WIDE"
	// VerdictInvalid: a run shed load or could not be fitted, so the series
	// did not measure the model's queue.
	VerdictInvalid = "INVALID"
)

// Verdict judges the pooled ratio against the tolerance.
func (p ModelPool) Verdict() string {
	switch {
	case p.Invalid > 0 || p.Runs == 0:
		return VerdictInvalid
	case math.Abs(p.Ratio.Mean-1) > p.Tolerance:
		return VerdictFail
	case p.Ratio.Half > p.Tolerance:
		return VerdictWide
	}
	return VerdictPass
}

// PoolModel pools the model checks of records (runs without one are
// skipped), per scenario and strategy, sorted by both. Each run's mean
// wait counts in proportion to its arrivals, and so does its model wait;
// the interval of the pooled wait adds the runs' batch-means variances
// with the same weights, its degrees of freedom those of all the batches.
// The model wait, computed from means of thousands of samples, is taken as
// exact beside the wait's own noise.
func PoolModel(records []*Metrics) []ModelPool {
	type key struct{ scenario, strategy string }
	groups := map[key]*ModelPool{}
	fits := map[key][]*ModelFit{}
	for _, r := range records {
		if r.Model == nil {
			continue
		}
		k := key{r.Scenario, r.Strategy}
		p := groups[k]
		if p == nil {
			p = &ModelPool{Scenario: r.Scenario, Strategy: r.Strategy, Tolerance: r.Model.Tolerance}
			groups[k] = p
		}
		if r.Model.Invalid != "" || !finite(r.Model.WaitRatio()) || r.Model.Batches < 2 {
			p.Invalid++
			if p.Reason == "" {
				p.Reason = r.Model.Invalid
			}
			continue
		}
		fits[k] = append(fits[k], r.Model)
	}
	out := make([]ModelPool, 0, len(groups))
	for k, p := range groups {
		p.pool(fits[k])
		out = append(out, *p)
	}
	slices.SortFunc(out, func(a, b ModelPool) int {
		return cmp.Or(cmp.Compare(a.Scenario, b.Scenario), cmp.Compare(a.Strategy, b.Strategy))
	})
	return out
}

// pool combines valid fits into p.
func (p *ModelPool) pool(fits []*ModelFit) {
	p.Runs = len(fits)
	for _, f := range fits {
		p.Arrivals += f.Arrivals
	}
	if p.Runs == 0 || p.Arrivals == 0 {
		return
	}
	var wait, model, variance, little, littleWeight float64
	df := 0
	for _, f := range fits {
		w := float64(f.Arrivals) / float64(p.Arrivals)
		wait += w * f.Wait
		model += w * f.ModelWait
		p.Utilisation += w * f.Utilisation
		se := f.WaitHalf / queueing.T975(f.Batches-1)
		variance += w * w * se * se
		df += f.Batches - 1
		if f.OccupancySamples > 0 {
			little += w * f.LittleRatio()
			littleWeight += w
		}
	}
	if littleWeight > 0 {
		p.Little = little / littleWeight
	}
	half := queueing.T975(df) * math.Sqrt(variance)
	p.Ratio = queueing.Interval{Mean: wait / model, Half: half / model}
}

package queueing

import (
	"fmt"
	"math"
)

// Moments are the sample mean and squared coefficient of variation
// (variance / mean²) of a set of durations or counts.
type Moments struct {
	N    int
	Mean float64
	SCV  float64 // squared coefficient of variation; 0 for a constant
}

// MomentsOf returns the moments of xs, computed in one pass with Welford's
// method so that long runs of similar values lose no precision.
func MomentsOf(xs []float64) Moments {
	var m Moments
	var mean, m2 float64
	for i, x := range xs {
		d := x - mean
		mean += d / float64(i+1)
		m2 += d * (x - mean)
	}
	m.N, m.Mean = len(xs), mean
	if len(xs) > 1 && mean != 0 {
		m.SCV = m2 / float64(len(xs)-1) / (mean * mean)
	}
	return m
}

// Interval is an estimate with the half-width of its confidence interval:
// the true value lies in [Mean-Half, Mean+Half] at the stated confidence.
type Interval struct {
	Mean, Half float64
}

// Lo and Hi are the interval's ends.
func (iv Interval) Lo() float64 { return iv.Mean - iv.Half }

// Hi is the upper end of the interval.
func (iv Interval) Hi() float64 { return iv.Mean + iv.Half }

// Rel is the half-width relative to the mean: 0.05 is ±5%.
func (iv Interval) Rel() float64 { return iv.Half / math.Abs(iv.Mean) }

func (iv Interval) String() string {
	return fmt.Sprintf("%.4g ± %.2g (95%%)", iv.Mean, iv.Half)
}

// BatchMeans returns the 95% confidence interval of the mean of xs, a
// series in time order, by the method of batch means: xs is cut into
// batches consecutive runs, and the batch averages, which are nearly
// independent when a batch is much longer than the series' correlation
// time, are treated as a sample. The successive waits of a queue near
// saturation are strongly correlated, so an interval computed as if each
// wait were independent would be far too narrow. It needs at least two
// batches of at least one element.
func BatchMeans(xs []float64, batches int) (Interval, error) {
	if batches < 2 || len(xs) < batches {
		return Interval{}, fmt.Errorf("queueing: %d values cannot make %d batches (want at least 2)", len(xs), batches)
	}
	size := len(xs) / batches
	means := make([]float64, batches)
	for b := range batches {
		var sum float64
		for _, x := range xs[b*size : (b+1)*size] {
			sum += x
		}
		means[b] = sum / float64(size)
	}
	return MeanInterval(means)
}

// MeanInterval returns the 95% confidence interval of the mean of
// independent samples xs, by Student's t.
func MeanInterval(xs []float64) (Interval, error) {
	if len(xs) < 2 {
		return Interval{}, fmt.Errorf("queueing: %d samples, want at least 2 for an interval", len(xs))
	}
	m := MomentsOf(xs)
	sd := math.Sqrt(m.SCV) * math.Abs(m.Mean)
	if m.Mean == 0 {
		var ss float64
		for _, x := range xs {
			ss += x * x
		}
		sd = math.Sqrt(ss / float64(len(xs)-1))
	}
	return Interval{Mean: m.Mean, Half: T975(len(xs)-1) * sd / math.Sqrt(float64(len(xs)))}, nil
}

// t975 are Student's t quantiles at 0.975 for 1..30 degrees of freedom.
var t975 = [...]float64{
	12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
	2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
	2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042,
}

// T975 is the 0.975 quantile of Student's t with df degrees of freedom: the
// factor of a two-sided 95% interval. Past 30 it interpolates in 1/df
// towards the normal quantile 1.96, which is within 0.2% of the exact value.
func T975(df int) float64 {
	switch {
	case df < 1:
		return math.Inf(1)
	case df <= len(t975):
		return t975[df-1]
	}
	const z = 1.959964
	return z + (t975[len(t975)-1]-z)*float64(len(t975))/float64(df)
}

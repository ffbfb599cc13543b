package adaptive

import (
	"fmt"
	"math"

	"github.com/tcpimg/tcpimg/core"
)

// Defaults of Gradient2Config: Netflix's Gradient2Limit defaults.
const (
	// DefaultSmoothing is the weight of a new estimate in the limit; a
	// small weight keeps one slow job from cutting the limit.
	DefaultSmoothing = 0.2
	// DefaultTolerance is how much the latency may grow over its long-term
	// average before the limit shrinks: 1.5 lets it rise by half.
	DefaultTolerance = 1.5
	// DefaultLongWindow is the number of samples the long-term latency
	// averages over.
	DefaultLongWindow = 600
)

// warmupSamples are averaged plainly before the long-term average turns
// exponential, so that its first value is not one sample's noise.
const warmupSamples = 10

// Gradient2Config configures a Gradient2 limit. Zero fields other than
// Limits take their defaults.
type Gradient2Config struct {
	Limits
	// Smoothing is the weight of each new estimate, up to 1; 0 means
	// DefaultSmoothing.
	Smoothing float64
	// Tolerance is the ratio of latency to its long-term average tolerated
	// before the limit shrinks, 1 or more; 0 means DefaultTolerance.
	Tolerance float64
	// LongWindow is the span of the long-term latency average in samples,
	// 1 or more; 0 means DefaultLongWindow.
	LongWindow int
	// QueueAllowance is how much the limit may grow per estimate while
	// latency stays within the tolerance, given the current limit; nil
	// means [SqrtAllowance].
	QueueAllowance func(limit int) int
}

// SqrtAllowance returns ⌊√limit⌋, at least 1. Netflix's Gradient2 allows a
// fixed 4 (and its first Gradient limit √limit, at least 4): at a limit of
// 2 to 10, as on a small server, a fixed 4 would double the limit at every
// estimate, whereas √limit grows the limit in proportion to its scale.
//
// The allowance also sets how low sustained overload can push the limit:
// at gradient 0.5 the limit stops falling where 0.1 x limit equals
// 0.2 x allowance, which for √limit is 4 (so Min binds only above 4).
func SqrtAllowance(limit int) int { return max(1, int(math.Sqrt(float64(limit)))) }

// Gradient2 is a latency-based limit, Netflix's Gradient2Limit. For every
// sample it compares the job's latency (wait plus service) with a
// long-term exponential average of latencies:
//
//	gradient = clamp(Tolerance x long / latency, 0.5, 1)
//	estimate = limit x gradient + QueueAllowance(limit)
//	limit    = limit x (1 - Smoothing) + estimate x Smoothing
//
// so the limit grows by a smoothed allowance while latency stays within
// the tolerance of its average, and shrinks, by at most half an estimate,
// as it grows past it. It leaves the limit alone when fewer than half of it
// were in flight (the server was not pushed), and when a latency falls
// below half the long-term average (the load has passed) it takes 5% off
// the average, so the baseline recovers without waiting for the window.
//
// Netflix's algorithm reads latencies only. A shed job has none worth the
// name (a job the pool refused never queued), so here it counts as the
// strongest signal the gradient allows: gradient 0.5, the long-term
// average untouched.
type Gradient2 struct {
	cfg      Gradient2Config
	estimate float64 // the limit before truncation
	long     expAverage
}

var _ Algorithm = (*Gradient2)(nil)

// NewGradient2 returns a Gradient2 limit at cfg.Initial. Limits out of
// order or a parameter out of its range is a *core.ConfigError.
func NewGradient2(cfg Gradient2Config) (*Gradient2, error) {
	if err := cfg.Limits.Validate(); err != nil {
		return nil, err
	}
	if cfg.Smoothing == 0 {
		cfg.Smoothing = DefaultSmoothing
	}
	if cfg.Tolerance == 0 {
		cfg.Tolerance = DefaultTolerance
	}
	if cfg.LongWindow == 0 {
		cfg.LongWindow = DefaultLongWindow
	}
	if cfg.QueueAllowance == nil {
		cfg.QueueAllowance = SqrtAllowance
	}
	switch {
	case cfg.Smoothing < 0 || cfg.Smoothing > 1:
		return nil, &core.ConfigError{Field: "Smoothing", Value: cfg.Smoothing, Want: "0 (the default) or up to 1"}
	case cfg.Tolerance < 1:
		return nil, &core.ConfigError{Field: "Tolerance", Value: cfg.Tolerance, Want: "1 or more"}
	case cfg.LongWindow < 0:
		return nil, &core.ConfigError{Field: "LongWindow", Value: cfg.LongWindow, Want: "0 (the default) or more"}
	}
	return &Gradient2{
		cfg:      cfg,
		estimate: float64(cfg.Initial),
		long:     expAverage{factor: 2 / float64(cfg.LongWindow+1)},
	}, nil
}

// Limit returns the current limit.
func (g *Gradient2) Limit() int { return int(g.estimate) }

// Update learns from s (see [Gradient2]) and returns the new limit.
func (g *Gradient2) Update(s Sample) int {
	gradient := 0.5
	if s.Outcome != core.OutcomeShed {
		// A latency of 0 (a clock too coarse) would divide by zero.
		short := math.Max(float64(s.Latency()), 1)
		long := g.long.add(short)
		if long/short > 2 {
			g.long.value *= 0.95
		}
		if float64(s.InFlight) < g.estimate/2 {
			return g.Limit()
		}
		gradient = math.Max(0.5, math.Min(1, g.cfg.Tolerance*long/short))
	}
	queue := float64(g.cfg.QueueAllowance(int(g.estimate)))
	next := g.estimate*gradient + queue
	next = g.estimate*(1-g.cfg.Smoothing) + next*g.cfg.Smoothing
	g.estimate = math.Max(float64(g.cfg.Min), math.Min(float64(g.cfg.Max), next))
	return g.Limit()
}

// String describes the limit and the long-term latency, for logs.
func (g *Gradient2) String() string {
	return fmt.Sprintf("gradient2 limit=%d long=%.0fns", g.Limit(), g.long.value)
}

// expAverage is an exponential moving average that starts as a plain mean
// of its first warmupSamples samples.
type expAverage struct {
	factor float64 // weight of a new sample once warm: 2 / (window + 1)
	value  float64
	sum    float64
	count  int
}

// add takes a sample and returns the new average.
func (e *expAverage) add(x float64) float64 {
	if e.count < warmupSamples {
		e.count++
		e.sum += x
		e.value = e.sum / float64(e.count)
	} else {
		e.value = e.value*(1-e.factor) + x*e.factor
	}
	return e.value
}

package plot

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"slices"

	gonum "gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"

	"github.com/tcpimg/tcpimg/harness"
)

// ErrNoData is returned for a picture whose records are missing.
var ErrNoData = errors.New("no records to plot")

// Throughput draws goodput against offered load, one line per strategy,
// a point per steady open-loop scenario (the mean of its repetitions), and
// the diagonal a strategy that keeps up would follow.
func Throughput(rs []*harness.Metrics) (*gonum.Plot, error) {
	p := newPlot("Throughput against offered load", "offered load (requests/s)", "goodput (OK answers/s)")
	top := 0.0
	drawn := false
	for _, st := range strategiesOf(rs) {
		var pts plotter.XYs
		for _, sc := range openLoopScenarios(rs) {
			runs := filter(rs, sc, st)
			if !steady(sc) || len(runs) == 0 {
				continue
			}
			x := mean(runs, (*harness.Metrics).Offered)
			y := mean(runs, (*harness.Metrics).Goodput)
			pts = append(pts, plotter.XY{X: x, Y: y})
			top = max(top, x, y)
		}
		if len(pts) == 0 {
			continue
		}
		slices.SortFunc(pts, func(a, b plotter.XY) int { return cmp.Compare(a.X, b.X) })
		if err := addLine(p, st, pts, true); err != nil {
			return nil, err
		}
		drawn = true
	}
	if !drawn {
		return nil, fmt.Errorf("%w: no steady open-loop scenario", ErrNoData)
	}
	ideal, err := plotter.NewLine(plotter.XYs{{X: 0, Y: 0}, {X: top, Y: top}})
	if err != nil {
		return nil, err
	}
	ideal.Dashes = []vg.Length{vg.Points(2), vg.Points(4)}
	p.Add(ideal)
	p.Legend.Add("offered = goodput", ideal)
	p.X.Min, p.Y.Min = 0, 0
	return p, nil
}

// The spectrum runs from p50 to p99.99: 1/(1-q) from 2 to 10,000.
const (
	spectrumFrom = 2.0
	spectrumTo   = 10_000.0
	spectrumN    = 80
)

// spectrumPoints are the x values (1/(1-q)) at which a spectrum is drawn,
// evenly spaced on the log axis.
func spectrumPoints() []float64 {
	xs := make([]float64, spectrumN+1)
	for i := range xs {
		xs[i] = spectrumFrom * math.Pow(spectrumTo/spectrumFrom, float64(i)/spectrumN)
	}
	xs[spectrumN] = spectrumTo
	return xs
}

// Spectrum draws the latency percentile spectrum of scenario, one line per
// strategy from the merged histograms of its repetitions.
func Spectrum(rs []*harness.Metrics, scenario string) (*gonum.Plot, error) {
	p := newPlot("Latency by percentile: "+scenario, "percentile", "latency of OK answers (ms)")
	p.X.Scale = gonum.LogScale{}
	p.X.Tick.Marker = percentileTicks{}
	p.Y.Scale = gonum.LogScale{}
	p.Y.Tick.Marker = logTicks{}
	lo, hi := math.Inf(1), 0.0
	for _, st := range strategiesOf(rs) {
		runs := filter(rs, scenario, st)
		h := mergedLatency(runs)
		if h.Count() == 0 {
			continue
		}
		var pts plotter.XYs
		for _, x := range spectrumPoints() {
			ms := float64(h.Quantile(1-1/x)) / 1e6
			ms = max(ms, 0.001) // a log axis cannot show 0
			pts = append(pts, plotter.XY{X: x, Y: ms})
			lo, hi = min(lo, ms), max(hi, ms)
		}
		if err := addLine(p, st, pts, false); err != nil {
			return nil, err
		}
	}
	if hi == 0 {
		return nil, fmt.Errorf("%w: no latency for %s", ErrNoData, scenario)
	}
	p.X.Min, p.X.Max = spectrumFrom, spectrumTo
	p.Y.Min, p.Y.Max = lo/1.5, hi*1.5
	return p, nil
}

// Series draws one value of the time series of scenario, one line per
// strategy from its first repetition: value picks goroutines or heap.
func Series(rs []*harness.Metrics, scenario, title, unit string, value func(harness.Sample) float64) (*gonum.Plot, error) {
	p := newPlot(title+": "+scenario, "time since the run began (s)", unit)
	drawn := false
	for _, st := range strategiesOf(rs) {
		runs := filter(rs, scenario, st)
		runs = slices.DeleteFunc(runs, func(r *harness.Metrics) bool { return len(r.Series) == 0 })
		if len(runs) == 0 {
			continue
		}
		first := slices.MinFunc(runs, func(a, b *harness.Metrics) int { return a.Rep - b.Rep })
		pts := make(plotter.XYs, len(first.Series))
		for i, s := range first.Series {
			pts[i] = plotter.XY{X: s.At.Seconds(), Y: value(s)}
		}
		if err := addLine(p, st, pts, false); err != nil {
			return nil, err
		}
		drawn = true
	}
	if !drawn {
		return nil, fmt.Errorf("%w: no time series for %s", ErrNoData, scenario)
	}
	p.Y.Min = 0
	return p, nil
}

// Goroutines draws the goroutines over scenario's run.
func Goroutines(rs []*harness.Metrics, scenario string) (*gonum.Plot, error) {
	return Series(rs, scenario, "Goroutines", "goroutines", func(s harness.Sample) float64 { return float64(s.Goroutines) })
}

// Heap draws the heap over scenario's run, in MiB.
func Heap(rs []*harness.Metrics, scenario string) (*gonum.Plot, error) {
	return Series(rs, scenario, "Heap", "heap objects (MiB)", func(s harness.Sample) float64 { return float64(s.Heap) / (1 << 20) })
}

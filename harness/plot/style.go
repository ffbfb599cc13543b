package plot

import (
	"fmt"
	"math"

	gonum "gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
)

// Size of every picture.
const (
	width  = 18 * vg.Centimeter
	height = 11 * vg.Centimeter
)

// newPlot returns a plot with a title, axis labels and the legend top left.
func newPlot(title, x, y string) *gonum.Plot {
	p := gonum.New()
	p.Title.Text = title
	p.X.Label.Text = x
	p.Y.Label.Text = y
	p.Legend.Top = true
	p.Legend.Left = true
	p.Add(plotter.NewGrid())
	return p
}

// addLine draws pts as strategy's line, in its colour, with its name in
// the legend; points marks every point too.
func addLine(p *gonum.Plot, strategy string, pts plotter.XYs, points bool) error {
	i := colorIndex(strategy)
	l, err := plotter.NewLine(pts)
	if err != nil {
		return fmt.Errorf("%s: %w", strategy, err)
	}
	l.Color = plotutil.Color(i)
	l.Dashes = plotutil.Dashes(i)
	l.Width = vg.Points(1.5)
	p.Add(l)
	if !points {
		p.Legend.Add(strategy, l)
		return nil
	}
	s, err := plotter.NewScatter(pts)
	if err != nil {
		return fmt.Errorf("%s: %w", strategy, err)
	}
	s.Color = plotutil.Color(i)
	s.Shape = plotutil.Shape(i)
	p.Add(s)
	p.Legend.Add(strategy, l, s)
	return nil
}

// percentileTicks labels a log axis of 1/(1-q) with the percentiles that
// HdrHistogram plots use.
type percentileTicks struct{}

func (percentileTicks) Ticks(min, max float64) []gonum.Tick {
	var ticks []gonum.Tick
	for _, t := range []struct {
		x     float64
		label string
	}{{2, "50%"}, {10, "90%"}, {100, "99%"}, {1000, "99.9%"}, {10000, "99.99%"}, {100000, "99.999%"}} {
		if t.x >= min*(1-1e-9) && t.x <= max*(1+1e-9) {
			ticks = append(ticks, gonum.Tick{Value: t.x, Label: t.label})
		}
	}
	return ticks
}

// logTicks labels a log axis at 1, 2 and 5 times the powers of ten, with
// unit appended, so a latency axis reads "2ms", "50ms".
type logTicks struct{ unit string }

func (t logTicks) Ticks(min, max float64) []gonum.Tick {
	var ticks []gonum.Tick
	for e := math.Floor(math.Log10(min)); e <= math.Ceil(math.Log10(max)); e++ {
		for _, m := range []float64{1, 2, 5} {
			v := m * math.Pow(10, e)
			if v >= min && v <= max {
				ticks = append(ticks, gonum.Tick{Value: v, Label: fmt.Sprintf("%g%s", v, t.unit)})
			}
		}
	}
	return ticks
}

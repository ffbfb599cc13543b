package report

import (
	_ "embed"
	"html/template"
	"io"
	"math"
)

//go:embed page.html.tmpl
var pageTemplate string

var page = template.Must(template.New("page").Funcs(template.FuncMap{
	"better": func(b Direction) string {
		switch b {
		case Higher:
			return "higher is better"
		case Lower:
			return "lower is better"
		}
		return "no better direction: differences are marked, not judged"
	},
	"verdictText": func(v Verdict) string { return verdictText[v] },
	"pct":         func(share float64) float64 { return 100 * share },
}).Parse(pageTemplate))

// Render writes the page as one HTML document.
func (p *Page) Render(w io.Writer) error {
	return page.Execute(w, p)
}

// BusyMargin is the package's BusyMargin, for the page's legend.
func (p *Page) BusyMargin() float64 { return BusyMargin }

// Class is the cell's CSS class: its verdict, or base or missing.
func (gc GridCell) Class() string {
	switch {
	case gc.Missing:
		return "missing"
	case gc.Base:
		return "base"
	}
	return gc.Stat.Verdict.String()
}

// InfiniteCI reports whether any cell has too few repetitions for a
// finite confidence interval, so that the legend explains ±∞.
func (p *Page) InfiniteCI() bool {
	for _, g := range p.Grids {
		for _, r := range g.Rows {
			for _, c := range r.Cells {
				if !c.Missing && (math.IsInf(c.Stat.Summary.Lo, 0) || math.IsInf(c.Stat.Summary.Hi, 0)) {
					return true
				}
			}
		}
	}
	return false
}

// A Tally counts one strategy's verdicts against the baseline over every
// grid: the page's summary line per strategy.
type Tally struct {
	Strategy                     string
	Better, Worse, Same, Differs int
}

// Tallies returns a tally for every strategy but the baseline, in the
// grids' column order.
func (p *Page) Tallies() []Tally {
	var ts []Tally
	for i, st := range p.Strategies {
		if st == p.Baseline {
			continue
		}
		t := Tally{Strategy: st}
		for _, g := range p.Grids {
			for _, r := range g.Rows {
				c := r.Cells[i]
				if c.Missing || !c.Stat.Compared {
					continue
				}
				switch c.Stat.Verdict {
				case Better:
					t.Better++
				case Worse:
					t.Worse++
				case Same:
					t.Same++
				case Differs:
					t.Differs++
				}
			}
		}
		ts = append(ts, t)
	}
	return ts
}

// Undirected reports whether a grid's metric has no better direction, so
// that the legend explains the colour of its differences.
func (p *Page) Undirected() bool {
	for _, g := range p.Grids {
		if g.Metric.Better == Neither {
			return true
		}
	}
	return false
}

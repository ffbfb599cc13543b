package report

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strconv"
)

// The units a pick reads: goodput within the client's timeout where the
// scenario measured it (its clients give up), goodput otherwise; the tail
// latency of OK answers; the share of requests refused BUSY.
const (
	goodputUnit       = "goodput/s"
	goodputInTimeUnit = "goodput-in-time/s"
	p99Unit           = "p99-ns"
	busyUnit          = "busy/op"
)

// BusyMargin is how much larger a share of requests a strategy may refuse
// BUSY than the baseline and still be picked, where clients wait for
// every answer: such a client must retry a refusal, so a lower latency
// bought by refusing work the baseline served is no better for it. Where
// clients give up, goodput within their timeout already counts what a
// refusal cost them, and the margin does not apply.
const BusyMargin = 0.05

// A Pick is what a results folder says about one scenario: the strategies
// worth running there, lowest tail latency first, and those left out.
//
// A strategy is a candidate unless the data show it serving less
// (goodput, or goodput within the timeout, lower than the baseline's:
// the ratio's 95% interval lies below 1) or it refuses more than
// BusyMargin more of the requests BUSY than the baseline (medians; only
// where the clients wait for every answer). The baseline is always a
// candidate. Candidates are ranked by their median p99; one with no OK
// answer has no p99 and comes last. The pick, moved to the front, is the
// best-ranked candidate whose p99 the data show lower than the
// baseline's (any with a p99, when the baseline had no OK answer), or the
// baseline when none ranks above it: a lower median alone may be noise. A
// strategy that did not measure the judged goodput is left out, and says
// so.
type Pick struct {
	Scenario string
	// GoodputUnit is the unit goodput was judged by.
	GoodputUnit string
	Ranked      []Candidate
	Excluded    []Candidate
}

// A Candidate is one strategy's figures in a scenario, formatted.
type Candidate struct {
	Strategy string
	Base     bool
	// P99 and Goodput are medians, Busy the median share refused BUSY.
	P99, Goodput, Busy string
	// P99Ratio and GoodputRatio compare with the baseline: a ratio with
	// its 95% interval, or the two medians when no interval can be had.
	P99Ratio, GoodputRatio string
	// Why says why an excluded strategy was left out.
	Why string

	// Unpaired is set when a ratio's interval could not be paired by
	// repetition.
	Unpaired bool

	p99      float64 // the median, +Inf without OK answers: the rank
	p99Lower bool    // the data show the p99 lower than the baseline's
}

// Picks reads every scenario's pick out of res against baseline, in the
// scenarios' order. A scenario whose baseline measured no goodput has none.
func Picks(res *Results, baseline string) []Pick {
	var picks []Pick
	for _, sc := range res.Scenarios {
		base := res.Values[Cell{sc, baseline}]
		unit := goodputUnit
		if _, ok := base[goodputInTimeUnit]; ok {
			unit = goodputInTimeUnit
		}
		if len(base[unit]) == 0 {
			continue
		}
		p := Pick{Scenario: sc, GoodputUnit: unit}
		baseBusy := median(base[busyUnit])
		for _, st := range res.Strategies {
			units := res.Values[Cell{sc, st}]
			if len(units) == 0 {
				continue // not run in this scenario
			}
			if len(units[unit]) == 0 {
				p.Excluded = append(p.Excluded, Candidate{Strategy: st, Why: "no " + unit + " measured", p99: math.Inf(1)})
				continue
			}
			busy := median(units[busyUnit])
			c := Candidate{
				Strategy: st,
				Base:     st == baseline,
				Goodput:  FormatValue(median(units[unit]), unit),
				P99:      "no OK answer",
				Busy:     FormatValue(busy, busyUnit),
				p99:      math.Inf(1),
			}
			if len(units[p99Unit]) > 0 {
				c.p99 = median(units[p99Unit])
				c.P99 = FormatValue(c.p99, p99Unit)
			}
			if c.Base {
				p.Ranked = append(p.Ranked, c)
				continue
			}
			var lower, pairedG, pairedP bool
			c.GoodputRatio, lower, pairedG = compareTo(res, Cell{sc, st}, Cell{sc, baseline}, unit)
			c.P99Ratio, c.p99Lower, pairedP = compareTo(res, Cell{sc, st}, Cell{sc, baseline}, p99Unit)
			c.Unpaired = !pairedG || !pairedP
			if len(base[p99Unit]) == 0 && len(units[p99Unit]) > 0 {
				c.p99Lower = true // the baseline answered nothing OK
			}
			switch {
			case lower:
				c.Why = "serves less: " + c.GoodputRatio
			case unit == goodputUnit && busy > baseBusy+BusyMargin:
				c.Why = fmt.Sprintf("refuses %s BUSY against %s", c.Busy, FormatValue(baseBusy, busyUnit))
			}
			if c.Why != "" {
				p.Excluded = append(p.Excluded, c)
			} else {
				p.Ranked = append(p.Ranked, c)
			}
		}
		slices.SortStableFunc(p.Ranked, func(a, b Candidate) int { return cmp.Compare(a.p99, b.p99) })
		first := slices.IndexFunc(p.Ranked, func(c Candidate) bool { return c.Base || c.p99Lower })
		pick := p.Ranked[first]
		p.Ranked = slices.Insert(slices.Delete(p.Ranked, first, first+1), 0, pick)
		picks = append(picks, p)
	}
	return picks
}

// compareTo compares unit in cell a with cell b as a ratio with its 95%
// interval: paired by repetition when that gives an interval (6 pairs or
// more), unpaired otherwise; paired says which (true when the text shows
// no interval). lower reports whether the
// interval lies below 1. Where a value of 0 rules out ratios, the text
// gives the two medians, and lower says whether the interval of the
// difference lies below 0, or, with too few repetitions for one, whether
// a's median is 0 and b's is not: nothing served against something. A
// cell without the unit gives "".
func compareTo(res *Results, a, b Cell, unit string) (text string, lower, paired bool) {
	av, bv := res.Pairs(a, b, unit)
	sh, paired := PairedShiftOf(av, bv, Confidence), true
	if !sh.OK {
		sh, paired = ShiftOf(res.Values[a][unit], res.Values[b][unit], Confidence), false
	}
	if sh.OK {
		return fmt.Sprintf("%s× [%s, %s]", ratio(sh.Ratio), ratio(sh.Lo), ratio(sh.Hi)), sh.Hi < 1, paired
	}
	if len(res.Values[a][unit]) == 0 || len(res.Values[b][unit]) == 0 {
		return "", false, true
	}
	ma, mb := median(res.Values[a][unit]), median(res.Values[b][unit])
	text = fmt.Sprintf("%s against %s", FormatValue(ma, unit), FormatValue(mb, unit))
	if d := DifferenceOf(res.Values[a][unit], res.Values[b][unit], Confidence); d.OK {
		return text, d.Hi < 0, true
	}
	return text, ma == 0 && mb > 0, true
}

// ratio writes a ratio with two decimals, or two significant digits below
// 0.1.
func ratio(r float64) string {
	if r < 0.1 {
		return strconv.FormatFloat(r, 'g', 2, 64)
	}
	return fmt.Sprintf("%.2f", r)
}

// median is the median of values as the grids compute it; 0 for none.
func median(values []float64) float64 {
	if len(values) == 0 {
		return 0
	}
	return Summarise(values, nil, Neither).Summary.Center
}

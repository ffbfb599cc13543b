package report

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"golang.org/x/perf/benchunit"
)

// FormatValue writes a value of a raw.txt unit for people: durations in
// s, ms or µs, bytes in KiB, MiB or GiB, shares per request as percent,
// counts and rates with three or four significant digits and k or M past a
// thousand.
func FormatValue(v float64, unit string) string {
	switch {
	case math.IsInf(v, 1):
		return "∞"
	case math.IsInf(v, -1):
		return "−∞"
	case math.IsNaN(v):
		return "?"
	case strings.HasSuffix(unit, "-ns") || unit == "ns/op":
		return scaled(v/1e9, benchunit.Decimal, "s")
	case strings.HasSuffix(unit, "-B") || unit == "B/op":
		return scaled(v, benchunit.Binary, "B")
	case strings.HasSuffix(unit, "/op"):
		return strconv.FormatFloat(100*v, 'g', 3, 64) + "%"
	case math.Abs(v) < 1000:
		return strconv.FormatFloat(v, 'g', 4, 64)
	}
	return scaled(v, benchunit.Decimal, "")
}

// scaled formats v with benchstat's prefixes, then suffix.
func scaled(v float64, cls benchunit.Class, suffix string) string {
	if v == 0 {
		return strings.TrimSpace("0 " + suffix)
	}
	s := benchunit.CommonScale([]float64{v}, cls)
	num := strconv.FormatFloat(v/s.Factor, 'f', s.Prec, 64)
	if s.Prefix == "" && suffix == "" {
		return num
	}
	return num + " " + s.Prefix + suffix
}

// FormatDelta writes a change in percent; NaN, a change from a baseline
// of 0 that no percentage measures, is "from 0" (benchstat writes "?").
func FormatDelta(pct float64) string {
	if math.IsNaN(pct) {
		return "from 0"
	}
	return fmt.Sprintf("%+.1f%%", pct)
}

// format fills the cell's text from its Stat.
func (gc *GridCell) format(m Metric, baseline string) {
	st := gc.Stat
	gc.Median = FormatValue(st.Summary.Center, m.Unit)
	gc.CI = "±" + st.Summary.PctRangeString()
	var tip strings.Builder
	fmt.Fprintf(&tip, "%s, %s: median %s of %d, %v%% interval %s … %s",
		gc.Scenario, gc.Strategy, gc.Median, st.N, 100*Confidence,
		FormatValue(st.Summary.Lo, m.Unit), FormatValue(st.Summary.Hi, m.Unit))
	for _, w := range st.Summary.Warnings {
		fmt.Fprintf(&tip, " (%v)", w)
	}
	if st.Compared {
		gc.Delta = FormatDelta(st.Delta)
		gc.P = fmt.Sprintf("p=%.3f", st.P)
		fmt.Fprintf(&tip, "; against %s: %s, %s, %s", baseline, gc.Delta, gc.P, verdictText[st.Verdict])
		if sh := st.Shift; sh.OK {
			fmt.Fprintf(&tip, "; ratio %.3f, %.0f%% interval %.3f … %.3f", sh.Ratio, 100*Confidence, sh.Lo, sh.Hi)
		}
	}
	if gc.Unsteady > 0 {
		fmt.Fprintf(&tip, "; %d of %d repetitions failed the steady-state check", gc.Unsteady, st.N)
	}
	gc.Tooltip = tip.String()
}

// verdictText says what a verdict means, for tooltips and the legend.
var verdictText = map[Verdict]string{
	NoVerdict: "not compared",
	Same:      "no significant difference",
	Better:    "significantly better",
	Worse:     "significantly worse",
	Differs:   "significantly different",
}

package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/tcpimg/tcpimg/harness/report"
	"github.com/tcpimg/tcpimg/strategies"
)

// shiftCmd prints, for one metric of a results folder, every strategy's
// ratio to the baseline in each scenario with its confidence interval.
type shiftCmd struct {
	in, unit, baseline string
	scenarios          []string // all when empty
	within             float64  // when > 0, judge whether the interval lies within 1 ± within
	paired             bool     // compare repetition by repetition
}

func (c *shiftCmd) run(_ context.Context, stdout, _ io.Writer) error {
	path := filepath.Join(c.in, report.RawFile)
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("shift: %w", err)
	}
	defer f.Close()
	res, err := report.ParseResults(f, path)
	if err != nil {
		return fmt.Errorf("shift: %w", err)
	}
	if !res.Has(c.unit) {
		return fmt.Errorf("shift: no result in %s reports %s", path, c.unit)
	}
	base, found := res.Baseline(c.baseline)
	if !found && c.baseline != strategies.DefaultPool {
		return fmt.Errorf("shift: no strategy %s in %s", c.baseline, path)
	}
	for _, sc := range c.scenarios {
		if !slices.Contains(res.Scenarios, sc) {
			return fmt.Errorf("shift: no scenario %s in %s", sc, path)
		}
	}

	if c.paired {
		fmt.Fprintf(stdout, "%s against %s, paired by repetition: the median of the averages of every two of the repetitions' ratios (Hodges-Lehmann) and its %.0f%% interval (Wilcoxon signed-rank)\n",
			c.unit, base, 100*report.Confidence)
	} else {
		fmt.Fprintf(stdout, "%s against %s: the median ratio of every pair of repetitions (Hodges-Lehmann) and its %.0f%% interval (Mann-Whitney)\n",
			c.unit, base, 100*report.Confidence)
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	head := "SCENARIO\tSTRATEGY\tN\tRATIO\tINTERVAL\tCOVERAGE"
	if c.within > 0 {
		head += fmt.Sprintf("\tWITHIN ±%.0f%%", 100*c.within)
	}
	fmt.Fprintln(tw, head)
	for _, sc := range res.Scenarios {
		if len(c.scenarios) > 0 && !slices.Contains(c.scenarios, sc) {
			continue
		}
		bc := report.Cell{Scenario: sc, Strategy: base}
		for _, st := range res.Strategies {
			vc := report.Cell{Scenario: sc, Strategy: st}
			v, b := res.Values[vc][c.unit], res.Values[bc][c.unit]
			if c.paired {
				v, b = res.Pairs(vc, bc, c.unit)
			}
			if st == base || len(v) == 0 || len(b) == 0 {
				continue
			}
			shiftOf := report.ShiftOf
			if c.paired {
				shiftOf = report.PairedShiftOf
			}
			sh := shiftOf(v, b, report.Confidence)
			if !sh.OK {
				fmt.Fprintf(tw, "%s\t%s\t%d/%d\t-\t(too few repetitions, or a value of 0)\t\t\n", sc, st, len(v), len(b))
				continue
			}
			line := fmt.Sprintf("%s\t%s\t%d/%d\t%.3f\t[%.3f, %.3f]\t%.1f%%", sc, st, len(v), len(b), sh.Ratio, sh.Lo, sh.Hi, 100*sh.Confidence)
			if c.within > 0 {
				line += "\t" + yesNo(sh.Lo >= 1-c.within && sh.Hi <= 1+c.within)
			}
			fmt.Fprintln(tw, line)
		}
	}
	return tw.Flush()
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func parseShift(args []string, usage io.Writer) (command, error) {
	c := shiftCmd{baseline: strategies.DefaultPool}
	var scenarios string
	fs := flag.NewFlagSet("loadgen shift", flag.ContinueOnError)
	fs.StringVar(&c.in, "in", "", "results `folder` holding raw.txt (required)")
	fs.StringVar(&c.unit, "unit", "p99-ns", "the metric, as raw.txt writes its `unit`")
	fs.StringVar(&c.baseline, "baseline", c.baseline, "the `strategy` the others are compared with (default: chan-pool, or the file's first)")
	fs.StringVar(&scenarios, "scenario", "", "comma-separated scenario `names` (default: all)")
	fs.BoolVar(&c.paired, "paired", false, "compare each repetition with the baseline's same repetition (the cells' nth lines), which takes out what drifts between repetitions")
	fs.Float64Var(&c.within, "within", 0, "also say whether each interval lies within 1 ± this `fraction`, 0..1 (0: do not judge)")
	if err := parseFlagSet(fs, "loadgen shift -in DIR [-unit UNIT] [-baseline STRATEGY] [-scenario NAMES] [-paired] [-within F]", args, usage); err != nil {
		return nil, err
	}
	if err := checkIn("shift", fs, c.in); err != nil {
		return nil, err
	}
	if c.unit == "" {
		return nil, fmt.Errorf("shift: -unit is empty")
	}
	if !(c.within >= 0 && c.within <= 1) || math.IsNaN(c.within) {
		return nil, fmt.Errorf("shift: -within %v is outside 0..1", c.within)
	}
	if scenarios != "" {
		for _, s := range strings.Split(scenarios, ",") {
			if s = strings.TrimSpace(s); s != "" {
				c.scenarios = append(c.scenarios, s)
			}
		}
	}
	return &c, nil
}

package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/tcpimg/tcpimg/harness"
)

// errModelChecks is returned when a pooled model check does not pass.
var errModelChecks = errors.New("model checks did not pass")

// modelCmd pools the model family's records over repetitions, from one
// folder or several runs' folders.
type modelCmd struct {
	in []string
}

func (c *modelCmd) run(_ context.Context, stdout, _ io.Writer) error {
	var records []*harness.Metrics
	for _, dir := range c.in {
		if fi, err := os.Stat(filepath.Join(dir, "records")); err == nil && fi.IsDir() {
			dir = filepath.Join(dir, "records")
		}
		rs, err := harness.ReadRecords(dir)
		if err != nil {
			return err
		}
		records = append(records, rs...)
	}
	pools := harness.PoolModel(records)
	if len(pools) == 0 {
		return fmt.Errorf("model: no record of a model run in %s", strings.Join(c.in, ", "))
	}
	failed := 0
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SCENARIO\tSTRATEGY\tRUNS\tARRIVALS\tRHO\tWAIT-VS-MODEL\t95% CI\tLITTLE-VS-MODEL\tTOLERANCE\tVERDICT")
	for _, p := range pools {
		v := p.Verdict()
		if v != harness.VerdictPass {
			failed++
		}
		if p.Reason != "" {
			v += " (" + p.Reason + ")"
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%.3f\t%.3f\t[%.3f, %.3f]\t%.3f\t±%.0f%%\t%s\n",
			p.Scenario, p.Strategy, p.Runs, p.Arrivals, p.Utilisation,
			p.Ratio.Mean, p.Ratio.Lo(), p.Ratio.Hi(), p.Little, 100*p.Tolerance, v)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if failed > 0 {
		return fmt.Errorf("model: %d of %d: %w", failed, len(pools), errModelChecks)
	}
	return nil
}

func parseModel(args []string, usage io.Writer) (command, error) {
	var c modelCmd
	fs := flag.NewFlagSet("loadgen model", flag.ContinueOnError)
	fs.Func("in", "results `folder` of scripts/run-model.sh, or its records folder (required; repeat it to pool several runs)", func(dir string) error {
		c.in = append(c.in, dir)
		return nil
	})
	if err := parseFlagSet(fs, "loadgen model -in DIR [-in DIR...]", args, usage); err != nil {
		return nil, err
	}
	if len(c.in) == 0 {
		return nil, checkIn("model", fs, "")
	}
	for _, dir := range c.in {
		if err := checkIn("model", fs, dir); err != nil {
			return nil, err
		}
	}
	return &c, nil
}

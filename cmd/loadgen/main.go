// Command loadgen runs the harness's scenarios against any running tcpimg
// server, so that load can come from other machines than the server's.
//
// Usage:
//
//	loadgen -target HOST:PORT [-scenario NAMES] [-count N] [-out DIR] [flags]
//	loadgen merge -out DIR RECORD...
//	loadgen plot -in DIR [-out DIR]
//	loadgen report -in DIR [-out FILE]
//	loadgen model -in DIR
//	loadgen shift -in DIR [-unit UNIT] [-baseline STRATEGY] [-scenario NAMES] [-within F]
//	loadgen -list
//
// The first form runs each named scenario (comma-separated; all of them by
// default) -count times, scenario after scenario in each repetition, and
// prints one line of Go benchmark output per run, named as the in-process
// benchmark names its runs, with the target's label (-label, default
// "remote") as the strategy, so benchstat reads both alike. Scenarios that
// run at a fraction of the capacity use -capacity, or else the goodput of a
// "saturate" run made first. With -out, the same text goes to DIR/raw.txt
// and every run's record, HDR histograms included, to DIR/records.
//
// merge combines the records of runs made at the same time from several
// machines against one server (same scenario and repetition) into one
// record each, as if one machine had made every request, and prints their
// benchmark lines. plot draws a records folder's pictures. report writes a
// results folder's page, index.html (see harness/report). model pools the
// records of the model family (see scripts/run-model.sh) over their
// repetitions and prints, per scenario and strategy, the measured queue
// wait over the model's with its 95% interval, and whether it is within
// the scenario's tolerance; it exits 1 when a check does not pass. shift
// prints, for one metric of a results folder (p99-ns by default), each
// strategy's ratio to chan-pool (or -baseline) in each scenario with its
// 95% interval,
// and with -within F whether the interval lies within 1 ± F: what a claim
// that a strategy "costs nothing" needs, where benchstat's "~" only says
// that noise could explain the difference.
//
// A bad flag is a one-line error and exit status 2.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	os.Exit(mainCode(os.Args[1:], os.Stdout, os.Stderr))
}

// mainCode runs the command and returns its exit status.
func mainCode(args []string, stdout, stderr io.Writer) int {
	cmd, err := parse(args, stderr)
	switch {
	case errors.Is(err, errHelp):
		return 0
	case err != nil:
		fmt.Fprintf(stderr, "loadgen: %v\n", err)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := cmd.run(ctx, stdout, stderr); err != nil {
		fmt.Fprintf(stderr, "loadgen: %v\n", err)
		return 1
	}
	return 0
}

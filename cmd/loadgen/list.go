package main

import (
	"context"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/tcpimg/tcpimg/harness"
)

// listCmd prints the scenarios and the strategies the in-process matrix
// runs, one per line, for people and for scripts/run-matrix.sh, with the
// model family (scripts/run-model.sh) between them.
type listCmd struct{}

func (listCmd) run(_ context.Context, stdout, _ io.Writer) error {
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SCENARIO\tLOOP\tDESCRIPTION")
	for _, s := range harness.Scenarios() {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", s.Name, s.Loop, s.Description)
	}
	fmt.Fprintln(tw)
	fmt.Fprintln(tw, "MODEL SCENARIO\tLOOP\tDESCRIPTION")
	for _, s := range harness.ModelScenarios() {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", s.Name, s.Loop, s.Description)
	}
	fmt.Fprintln(tw)
	fmt.Fprintln(tw, "STRATEGY")
	for _, st := range harness.Strategies() {
		fmt.Fprintln(tw, st)
	}
	return tw.Flush()
}

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
// model family (scripts/run-model.sh) and the overload family
// (scripts/run-overload.sh) between them.
type listCmd struct{}

func (listCmd) run(_ context.Context, stdout, _ io.Writer) error {
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	for _, family := range []struct {
		heading   string
		scenarios []harness.Scenario
	}{
		{"SCENARIO", harness.Scenarios()},
		{"MODEL SCENARIO", harness.ModelScenarios()},
		{"OVERLOAD SCENARIO", harness.OverloadScenarios()},
	} {
		fmt.Fprintf(tw, "%s\tLOOP\tDESCRIPTION\n", family.heading)
		for _, s := range family.scenarios {
			fmt.Fprintf(tw, "%s\t%s\t%s\n", s.Name, s.Loop, s.Description)
		}
		fmt.Fprintln(tw)
	}
	fmt.Fprintln(tw, "STRATEGY")
	for _, st := range harness.Strategies() {
		fmt.Fprintln(tw, st)
	}
	return tw.Flush()
}

package main

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"slices"

	"github.com/tcpimg/tcpimg/harness"
)

// mergeCmd combines records made at the same time from several machines.
type mergeCmd struct {
	out    string
	label  string
	inputs []string
}

func (c *mergeCmd) run(_ context.Context, stdout, _ io.Writer) error {
	type key struct {
		scenario string
		rep      int
	}
	groups := map[key][]*harness.Metrics{}
	for _, path := range c.inputs {
		r, err := harness.ReadRecord(path)
		if err != nil {
			return err
		}
		k := key{r.Scenario, r.Rep}
		groups[k] = append(groups[k], r)
	}
	keys := slices.SortedFunc(func(yield func(key) bool) {
		for k := range groups {
			if !yield(k) {
				return
			}
		}
	}, func(a, b key) int { return cmp.Or(cmp.Compare(a.scenario, b.scenario), cmp.Compare(a.rep, b.rep)) })
	for _, k := range keys {
		m, err := harness.Merge(groups[k]...)
		if err != nil {
			return err
		}
		if c.label != "" {
			m.Strategy = c.label
		}
		if _, err := harness.WriteRecord(c.out, m); err != nil {
			return err
		}
		if err := harness.WriteBenchmark(stdout, m); err != nil {
			return err
		}
	}
	if len(keys) == 0 {
		return fmt.Errorf("merge: no records")
	}
	return nil
}

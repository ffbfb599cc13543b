package report

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"slices"

	"golang.org/x/perf/benchfmt"
)

// ErrNoResults means a benchmark file held no result of cellBenchmarks:
// nothing to compare.
var ErrNoResults = errors.New("no BenchmarkScenario, BenchmarkOverload or BenchmarkModel results")

// cellBenchmarks are the benchmarks whose runs are cells of a grid, named
// scenario=S/strategy=T: the matrix and the families with questions of
// their own.
var cellBenchmarks = []string{"Scenario", "Overload", "Model"}

// The name keys that place a result in the grid, as harness.BenchmarkName
// writes them.
const (
	scenarioKey = "scenario"
	strategyKey = "strategy"
)

// A Cell names one scenario run against one strategy.
type Cell struct {
	Scenario, Strategy string
}

// Results are the measurements of a run of the matrix or of a family, one
// value per repetition for every cell and unit.
type Results struct {
	// Scenarios and Strategies list the grid's rows and columns in the
	// order they first appear in the file: the order of the matrix table.
	Scenarios, Strategies []string

	// Values maps a cell and a unit, as written in the file (p99-ns, not
	// benchfmt's tidied p99-sec), to one value per repetition, in file
	// order.
	Values map[Cell]map[string][]float64
}

// ParseResults reads the cellBenchmarks lines of Go benchmark output.
// Other benchmarks are skipped; a line that does not parse is an error
// naming its line, since a half-read file would compare the wrong samples.
func ParseResults(r io.Reader, name string) (*Results, error) {
	res := &Results{Values: map[Cell]map[string][]float64{}}
	br := benchfmt.NewReader(r, name)
	for br.Scan() {
		var b *benchfmt.Result
		switch rec := br.Result().(type) {
		case *benchfmt.SyntaxError:
			return nil, rec
		case *benchfmt.Result:
			b = rec
		default:
			continue
		}
		cell, ok := cellOf(b.Name)
		if !ok {
			continue
		}
		if !slices.Contains(res.Scenarios, cell.Scenario) {
			res.Scenarios = append(res.Scenarios, cell.Scenario)
		}
		if !slices.Contains(res.Strategies, cell.Strategy) {
			res.Strategies = append(res.Strategies, cell.Strategy)
		}
		units := res.Values[cell]
		if units == nil {
			units = map[string][]float64{}
			res.Values[cell] = units
		}
		for _, v := range b.Values {
			unit, val := v.Unit, v.Value
			if v.OrigUnit != "" {
				unit, val = v.OrigUnit, v.OrigValue
			}
			units[unit] = append(units[unit], val)
		}
	}
	if err := br.Err(); err != nil {
		return nil, err
	}
	if len(res.Values) == 0 {
		return nil, fmt.Errorf("%s: %w", name, ErrNoResults)
	}
	return res, nil
}

// cellOf reads the scenario and strategy out of a benchmark name such as
// BenchmarkScenario/scenario=burst/strategy=ants-2; benchfmt has already
// split off the GOMAXPROCS suffix.
func cellOf(name benchfmt.Name) (Cell, bool) {
	base, parts := name.Parts()
	if !slices.Contains(cellBenchmarks, string(base)) {
		return Cell{}, false
	}
	var c Cell
	for _, p := range parts {
		k, v, ok := bytes.Cut(bytes.TrimPrefix(p, []byte("/")), []byte("="))
		if !ok || len(p) == 0 || p[0] != '/' {
			continue
		}
		switch string(k) {
		case scenarioKey:
			c.Scenario = string(v)
		case strategyKey:
			c.Strategy = string(v)
		}
	}
	return c, c.Scenario != "" && c.Strategy != ""
}

// Baseline returns preferred when the results hold that strategy, and
// their first strategy otherwise; found says which.
func (r *Results) Baseline(preferred string) (name string, found bool) {
	if slices.Contains(r.Strategies, preferred) {
		return preferred, true
	}
	return r.Strategies[0], false
}

// Has reports whether any cell measured unit.
func (r *Results) Has(unit string) bool {
	for _, units := range r.Values {
		if _, ok := units[unit]; ok {
			return true
		}
	}
	return false
}

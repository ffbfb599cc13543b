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

	// Reps maps a cell and a unit to the repetition of each of its
	// Values: the number of the cell's line in the file, from 0. Every
	// repetition runs each cell once, so the values of two cells with the
	// same repetition were measured minutes apart by one process, and can
	// be compared pair by pair (see [PairedShiftOf]); a line without the
	// unit leaves a gap.
	Reps map[Cell]map[string][]int
}

// ParseResults reads the cellBenchmarks lines of Go benchmark output.
// Other benchmarks are skipped; a line that does not parse is an error
// naming its line, since a half-read file would compare the wrong samples.
func ParseResults(r io.Reader, name string) (*Results, error) {
	res := &Results{Values: map[Cell]map[string][]float64{}, Reps: map[Cell]map[string][]int{}}
	lines := map[Cell]int{}
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
		units, reps := res.Values[cell], res.Reps[cell]
		if units == nil {
			units, reps = map[string][]float64{}, map[string][]int{}
			res.Values[cell], res.Reps[cell] = units, reps
		}
		for _, v := range b.Values {
			unit, val := v.Unit, v.Value
			if v.OrigUnit != "" {
				unit, val = v.OrigUnit, v.OrigValue
			}
			units[unit] = append(units[unit], val)
			reps[unit] = append(reps[unit], lines[cell])
		}
		lines[cell]++
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

// Pairs returns the values of unit in cell a and in cell b that were
// measured in the same repetitions, in repetition order.
func (r *Results) Pairs(a, b Cell, unit string) (av, bv []float64) {
	bRep := map[int]float64{}
	for i, rep := range r.Reps[b][unit] {
		bRep[rep] = r.Values[b][unit][i]
	}
	for i, rep := range r.Reps[a][unit] {
		if v, ok := bRep[rep]; ok {
			av = append(av, r.Values[a][unit][i])
			bv = append(bv, v)
		}
	}
	return av, bv
}

package harness

import (
	"slices"

	"github.com/tcpimg/tcpimg/strategies"
)

// Strategies returns the pool strategies a matrix runs: every registered
// one, the default first, so that benchstat compares the others with it.
func Strategies() []string {
	names := strategies.PoolNames()
	i := slices.Index(names, strategies.DefaultPool)
	if i > 0 {
		names = slices.Concat([]string{names[i]}, names[:i], names[i+1:])
	}
	return names
}

// Cell is one run of the matrix: a scenario against a strategy.
type Cell struct {
	Scenario Scenario
	Strategy string
}

// Name returns the cell's benchmark-style name,
// "scenario=NAME/strategy=NAME".
func (c Cell) Name() string { return "scenario=" + c.Scenario.Name + "/strategy=" + c.Strategy }

// Matrix returns every scenario against every strategy, scenario by
// scenario in catalog order, so that calibration runs before the scenarios
// that need it. Within each scenario the strategies start at index first
// (modulo their number) and wrap around: a series of runs that starts each
// repetition at the next strategy keeps any one strategy from always
// running right after the same other one. Tests run the matrix shortened;
// BenchmarkScenario runs it whole.
func Matrix(first int) []Cell { return crossCells(Scenarios(), Strategies(), first) }

// crossCells returns every scenario against every strategy, scenario by
// scenario, the strategies starting at index first, as Matrix says.
func crossCells(scenarios []Scenario, strategies []string, first int) []Cell {
	order := rotate(strategies, first)
	var cells []Cell
	for _, s := range scenarios {
		for _, st := range order {
			cells = append(cells, Cell{Scenario: s, Strategy: st})
		}
	}
	return cells
}

// rotate returns names starting at index k modulo their number.
func rotate(names []string, k int) []string {
	k = (k%len(names) + len(names)) % len(names)
	return append(names[k:len(names):len(names)], names[:k]...)
}

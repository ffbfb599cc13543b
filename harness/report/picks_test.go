package report

import (
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// spread returns n values around v, a percent apart, in an order that
// changes with seed, so that two cells with the same v are the same sample
// in another order and no pair of repetitions agrees by construction.
func spread(v float64, n, seed int) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = v * (1 + 0.01*float64((i*7+seed*3)%n))
	}
	return out
}

// resultsOf builds one scenario's results from each strategy's units, the
// baseline first; repetition i of every cell is its ith value.
func resultsOf(scenario string, cells map[string]map[string][]float64, order ...string) *Results {
	res := &Results{Scenarios: []string{scenario}, Strategies: order,
		Values: map[Cell]map[string][]float64{}, Reps: map[Cell]map[string][]int{}}
	for st, units := range cells {
		c := Cell{scenario, st}
		res.Values[c], res.Reps[c] = map[string][]float64{}, map[string][]int{}
		for unit, vs := range units {
			res.Values[c][unit] = vs
			for i := range vs {
				res.Reps[c][unit] = append(res.Reps[c][unit], i)
			}
		}
	}
	return res
}

func TestPicks(t *testing.T) {
	const n = 8
	waiting := func(goodput, p99, busy float64, seed int) map[string][]float64 {
		return map[string][]float64{
			"goodput/s": spread(goodput, n, seed),
			"p99-ns":    spread(p99, n, seed+1),
			"busy/op":   spread(busy, n, seed+2),
		}
	}
	givingUp := func(goodput, p99, busy float64, seed int) map[string][]float64 {
		units := waiting(goodput, p99, busy, seed)
		units["goodput-in-time/s"] = units["goodput/s"]
		if p99 == 0 {
			delete(units, "p99-ns")
		}
		return units
	}
	tests := []struct {
		name     string
		cells    map[string]map[string][]float64
		order    []string
		wantUnit string
		wantRank []string
		wantOut  []string
		wantWhy  []string // a part of each excluded strategy's reason
	}{
		{
			name: "a lower median that noise may explain leaves the baseline first",
			cells: map[string]map[string][]float64{
				"chan-pool": waiting(100, 20e6, 0, 0),
				"pond":      waiting(100, 19.8e6, 0, 1),
			},
			order:    []string{"chan-pool", "pond"},
			wantUnit: "goodput/s",
			wantRank: []string{"chan-pool", "pond"},
		},
		{
			name: "a p99 shown lower is the pick",
			cells: map[string]map[string][]float64{
				"chan-pool": waiting(100, 20e6, 0, 0),
				"codel":     waiting(100, 10e6, 0, 1),
				"pond":      waiting(100, 30e6, 0, 2),
			},
			order:    []string{"chan-pool", "pond", "codel"},
			wantUnit: "goodput/s",
			wantRank: []string{"codel", "chan-pool", "pond"},
		},
		{
			name: "serving less, or refusing more where clients wait, leaves a strategy out",
			cells: map[string]map[string][]float64{
				"chan-pool":  waiting(100, 20e6, 0.10, 0),
				"ants":       waiting(50, 5e6, 0.10, 1),
				"codel":      waiting(100, 5e6, 0.30, 2),
				"codel-lifo": waiting(100, 5e6, 0.14, 3),
			},
			order:    []string{"chan-pool", "ants", "codel", "codel-lifo"},
			wantUnit: "goodput/s",
			wantRank: []string{"codel-lifo", "chan-pool"},
			wantOut:  []string{"ants", "codel"},
			wantWhy:  []string{"serves less: 0.5", "refuses 31", "against 10"},
		},
		{
			name: "where clients give up, refusals do not leave a strategy out",
			cells: map[string]map[string][]float64{
				"chan-pool": givingUp(100, 90e6, 0.10, 0),
				"codel":     givingUp(100, 30e6, 0.50, 1),
			},
			order:    []string{"chan-pool", "codel"},
			wantUnit: "goodput-in-time/s",
			wantRank: []string{"codel", "chan-pool"},
		},
		{
			name: "the pick is the best-ranked p99 shown lower, not the lowest median",
			cells: map[string]map[string][]float64{
				"chan-pool": waiting(100, 20e6, 0, 0),
				"noisy": {
					"goodput/s": spread(100, n, 1),
					"p99-ns":    {2e6, 40e6, 3e6, 50e6, 4e6, 60e6, 10e6, 12e6},
					"busy/op":   make([]float64, n),
				},
				"tight": waiting(100, 15e6, 0, 2),
			},
			order:    []string{"chan-pool", "noisy", "tight"},
			wantUnit: "goodput/s",
			wantRank: []string{"tight", "noisy", "chan-pool"},
		},
		{
			name: "a value of 0 does not hide that a strategy serves less",
			cells: map[string]map[string][]float64{
				"chan-pool": waiting(200, 20e6, 0, 0),
				"stalls": {
					"goodput/s": {0, 0, 0, 100, 101, 102, 103, 104},
					"p99-ns":    spread(10e6, n, 1),
					"busy/op":   make([]float64, n),
				},
			},
			order:    []string{"chan-pool", "stalls"},
			wantUnit: "goodput/s",
			wantRank: []string{"chan-pool"},
			wantOut:  []string{"stalls"},
			wantWhy:  []string{"serves less: 100.5 against 207"},
		},
		{
			name: "a strategy without the judged goodput is left out, saying why",
			cells: map[string]map[string][]float64{
				"chan-pool": givingUp(100, 90e6, 0.1, 0),
				"old":       waiting(100, 30e6, 0.1, 1),
			},
			order:    []string{"chan-pool", "old"},
			wantUnit: "goodput-in-time/s",
			wantRank: []string{"chan-pool"},
			wantOut:  []string{"old"},
			wantWhy:  []string{"no goodput-in-time/s measured"},
		},
		{
			name: "a baseline with no OK answer in time ranks last",
			cells: map[string]map[string][]float64{
				"chan-pool":      givingUp(0, 0, 0.5, 0),
				"adaptive-lifo":  givingUp(200, 70e6, 0.5, 1),
				"chan-pool+aimd": givingUp(180, 60e6, 0.5, 2),
			},
			order:    []string{"chan-pool", "adaptive-lifo", "chan-pool+aimd"},
			wantUnit: "goodput-in-time/s",
			wantRank: []string{"chan-pool+aimd", "adaptive-lifo", "chan-pool"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			picks := Picks(resultsOf("open-50", tt.cells, tt.order...), "chan-pool")

			require.Len(t, picks, 1)
			p := picks[0]
			assert.Equal(t, "open-50", p.Scenario)
			assert.Equal(t, tt.wantUnit, p.GoodputUnit)
			assert.Equal(t, tt.wantRank, names(p.Ranked))
			assert.Equal(t, tt.wantOut, names(p.Excluded))
			var why []string
			for _, c := range p.Excluded {
				why = append(why, c.Why)
			}
			for _, w := range tt.wantWhy {
				assert.True(t, slices.ContainsFunc(why, func(s string) bool { return strings.Contains(s, w) }), "%q in %q", w, why)
			}
		})
	}
}

// TestPicksFigures checks what a candidate shows: medians, the ratios with
// their paired intervals, and "no OK answer" for a cell without a p99.
func TestPicksFigures(t *testing.T) {
	const n = 8
	base := map[string][]float64{"goodput/s": spread(100, n, 0), "p99-ns": spread(20e6, n, 1), "busy/op": make([]float64, n)}
	half := map[string][]float64{"goodput/s": spread(100, n, 2), "p99-ns": spread(10e6, n, 3), "busy/op": make([]float64, n)}
	res := resultsOf("open-90", map[string]map[string][]float64{"chan-pool": base, "codel": half}, "chan-pool", "codel")

	p := Picks(res, "chan-pool")[0]

	require.Equal(t, []string{"codel", "chan-pool"}, names(p.Ranked))
	c := p.Ranked[0]
	assert.Equal(t, "10.35 ms", c.P99)
	assert.Equal(t, "0.49× [0.49, 0.51]", c.P99Ratio)
	assert.Equal(t, "0.98× [0.98, 1.02]", c.GoodputRatio)
	assert.False(t, c.Unpaired)
	assert.Equal(t, "0%", c.Busy)
	assert.True(t, p.Ranked[1].Base)
	assert.Empty(t, p.Ranked[1].P99Ratio, "the baseline is not compared with itself")

	// Fewer than 6 repetitions: no paired interval, an unpaired one.
	for _, units := range res.Values {
		for u := range units {
			units[u] = units[u][:5]
		}
	}
	for _, reps := range res.Reps {
		for u := range reps {
			reps[u] = reps[u][:5]
		}
	}
	assert.True(t, Picks(res, "chan-pool")[0].Ranked[0].Unpaired)

	// A scenario whose baseline measured no goodput has no pick.
	delete(res.Values[Cell{"open-90", "chan-pool"}], "goodput/s")
	assert.Empty(t, Picks(res, "chan-pool"))
}

func names(cs []Candidate) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.Strategy)
	}
	return out
}

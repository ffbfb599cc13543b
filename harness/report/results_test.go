package report

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseResults(t *testing.T) {
	tests := []struct {
		name           string
		give           string
		wantScenarios  []string
		wantStrategies []string
		wantValues     map[Cell]map[string][]float64
	}{
		{
			name: "units as written, GOMAXPROCS suffix dropped, first-seen order",
			give: "goos: linux\n" +
				"BenchmarkScenario/scenario=open-50/strategy=ants-2 1 100 ns/op 2.5 goodput/s 7000 p99-ns 1024 peak-heap-B\n" +
				"BenchmarkScenario/scenario=open-50/strategy=chan-pool-2 1 100 ns/op 3.5 goodput/s 8000 p99-ns 2048 peak-heap-B\n" +
				"BenchmarkScenario/scenario=burst/strategy=ants-2 1 100 ns/op 4 goodput/s\n" +
				"BenchmarkScenario/scenario=open-50/strategy=ants-2 1 100 ns/op 2.6 goodput/s 7100 p99-ns 1025 peak-heap-B\n",
			wantScenarios:  []string{"open-50", "burst"},
			wantStrategies: []string{"ants", "chan-pool"},
			wantValues: map[Cell]map[string][]float64{
				{"open-50", "ants"}:      {"ns/op": {100, 100}, "goodput/s": {2.5, 2.6}, "p99-ns": {7000, 7100}, "peak-heap-B": {1024, 1025}},
				{"open-50", "chan-pool"}: {"ns/op": {100}, "goodput/s": {3.5}, "p99-ns": {8000}, "peak-heap-B": {2048}},
				{"burst", "ants"}:        {"ns/op": {100}, "goodput/s": {4}},
			},
		},
		{
			name: "other benchmarks, and names without both keys, are skipped",
			give: "BenchmarkPool/strategy=ants-2 1 100 ns/op\n" +
				"BenchmarkScenario/scenario=a-2 1 100 ns/op\n" +
				"BenchmarkScenario/strategy=x/scenario=a 1 5 steady\n" +
				"BenchmarkOverload/scenario=b/strategy=x 1 7 recovered\n",
			wantScenarios:  []string{"a", "b"},
			wantStrategies: []string{"x"},
			wantValues:     map[Cell]map[string][]float64{{"a", "x"}: {"steady": {5}}, {"b", "x"}: {"recovered": {7}}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseResults(strings.NewReader(tt.give), "raw.txt")
			require.NoError(t, err)
			assert.Equal(t, tt.wantScenarios, got.Scenarios)
			assert.Equal(t, tt.wantStrategies, got.Strategies)
			assert.Equal(t, tt.wantValues, got.Values)
		})
	}
}

func TestParseResultsErrors(t *testing.T) {
	tests := []struct {
		name    string
		give    string
		wantIs  error
		wantMsg string
	}{
		{"empty", "", ErrNoResults, "raw.txt: no BenchmarkScenario, BenchmarkOverload or BenchmarkModel results"},
		{"header only", "goos: linux\nPASS\n", ErrNoResults, "no BenchmarkScenario, BenchmarkOverload"},
		{"only other benchmarks", "BenchmarkPool-2 1 5 ns/op\n", ErrNoResults, "no BenchmarkScenario, BenchmarkOverload"},
		{"a broken line", "BenchmarkScenario/scenario=a/strategy=b 1 x ns/op\n", nil, "raw.txt:1: parsing measurement"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseResults(strings.NewReader(tt.give), "raw.txt")
			require.Error(t, err)
			if tt.wantIs != nil {
				assert.True(t, errors.Is(err, tt.wantIs), "%v", err)
			}
			assert.Contains(t, err.Error(), tt.wantMsg)
		})
	}
}

// TestPairs: values pair by the cells' repetition, the nth line of each,
// and a repetition without the unit in either cell has no pair.
func TestPairs(t *testing.T) {
	give := "BenchmarkScenario/scenario=s/strategy=base-2 1 100 ns/op 10 p99-ns\n" +
		"BenchmarkScenario/scenario=s/strategy=x-2 1 100 ns/op\n" +
		"BenchmarkScenario/scenario=s/strategy=base-2 1 100 ns/op 20 p99-ns\n" +
		"BenchmarkScenario/scenario=s/strategy=x-2 1 100 ns/op 22 p99-ns\n" +
		"BenchmarkScenario/scenario=s/strategy=x-2 1 100 ns/op 33 p99-ns\n" +
		"BenchmarkScenario/scenario=s/strategy=base-2 1 100 ns/op 30 p99-ns\n"
	res, err := ParseResults(strings.NewReader(give), "raw.txt")
	require.NoError(t, err)
	assert.Equal(t, map[string][]int{"ns/op": {0, 1, 2}, "p99-ns": {1, 2}}, res.Reps[Cell{"s", "x"}])
	x, base := res.Pairs(Cell{"s", "x"}, Cell{"s", "base"}, "p99-ns")
	assert.Equal(t, []float64{22, 33}, x)
	assert.Equal(t, []float64{20, 30}, base)
	x, base = res.Pairs(Cell{"s", "x"}, Cell{"s", "base"}, "goodput/s")
	assert.Empty(t, x)
	assert.Empty(t, base)
}

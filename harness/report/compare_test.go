package report

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestSummarise(t *testing.T) {
	var (
		low  = []float64{10, 11, 12, 13, 14}
		high = []float64{20, 21, 22, 23, 24}
	)
	tests := []struct {
		name         string
		values, base []float64
		better       Direction
		wantCompared bool
		wantVerdict  Verdict
		wantMedian   float64
		wantDelta    float64 // NaN: undefined
	}{
		{"higher and higher is better", high, low, Higher, true, Better, 22, 83.333},
		{"lower and higher is better", low, high, Higher, true, Worse, 12, -45.455},
		{"lower and lower is better", low, high, Lower, true, Better, 12, -45.455},
		{"higher and lower is better", high, low, Lower, true, Worse, 22, 83.333},
		{"significant, no direction", high, low, Neither, true, Differs, 22, 83.333},
		{"overlapping samples", []float64{11, 13, 10, 14, 12}, []float64{12, 10, 13, 11, 15}, Higher, true, Same, 12, 0},
		{"three repetitions cannot reach p 0.05", high[:3], low[:3], Higher, true, Same, 21, 90.909},
		{"no baseline sample", high, nil, Higher, false, NoVerdict, 22, 0},
		{"from a baseline of 0", high, []float64{0, 0, 0, 0, 0}, Lower, true, Worse, 22, math.NaN()},
		{"both 0", []float64{0, 0, 0, 0, 0}, []float64{0, 0, 0, 0, 0}, Lower, true, Same, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			values := append([]float64(nil), tt.values...)
			got := Summarise(tt.values, tt.base, tt.better)
			assert.Equal(t, values, tt.values, "the caller's slice is left alone")
			assert.Equal(t, len(tt.values), got.N)
			assert.Equal(t, tt.wantMedian, got.Summary.Center)
			assert.Equal(t, tt.wantCompared, got.Compared)
			assert.Equal(t, tt.wantVerdict, got.Verdict)
			if !tt.wantCompared {
				return
			}
			if math.IsNaN(tt.wantDelta) {
				assert.True(t, math.IsNaN(got.Delta), "delta %v", got.Delta)
			} else {
				assert.InDelta(t, tt.wantDelta, got.Delta, 0.001)
			}
		})
	}
}

func TestSummariseInterval(t *testing.T) {
	tests := []struct {
		name             string
		give             []float64
		wantLo, wantHi   float64
		wantWarning      bool
		wantPctRangeText string
	}{
		{"five repetitions: no finite 95% interval", []float64{1, 2, 3, 4, 5}, math.Inf(-1), 5, true, "∞"},
		{"ten repetitions", []float64{10, 1, 9, 2, 8, 3, 7, 4, 6, 5}, 2, 9, false, "64%"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Summarise(tt.give, nil, Higher).Summary
			assert.Equal(t, tt.wantLo, got.Lo)
			assert.Equal(t, tt.wantHi, got.Hi)
			assert.Equal(t, tt.wantWarning, len(got.Warnings) > 0)
			assert.Equal(t, tt.wantPctRangeText, got.PctRangeString())
		})
	}
}

func TestVerdict(t *testing.T) {
	tests := []struct {
		name     string
		p        float64
		old, new float64
		better   Direction
		want     Verdict
	}{
		{"p at alpha is significant, as in benchstat", Alpha, 1, 2, Higher, Better},
		{"p above alpha is not", 0.051, 1, 2, Higher, Same},
		{"equal medians are no change whatever p says", 0.001, 3, 3, Lower, Same},
		{"lower is better, and lower", 0.01, 3, 2, Lower, Better},
		{"lower is better, and higher", 0.01, 2, 3, Lower, Worse},
		{"no direction", 0.01, 2, 3, Neither, Differs},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, verdict(tt.p, tt.old, tt.new, tt.better))
		})
	}
}

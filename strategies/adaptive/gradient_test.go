package adaptive_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tcpimg/tcpimg/core"
	"github.com/tcpimg/tcpimg/strategies/adaptive"
)

// fixed returns a queue allowance of n whatever the limit, to keep the
// arithmetic of a table row short.
func fixed(n int) func(int) int { return func(int) int { return n } }

// repeat returns n copies of s.
func repeat(n int, s adaptive.Sample) []adaptive.Sample {
	out := make([]adaptive.Sample, n)
	for i := range out {
		out[i] = s
	}
	return out
}

// lat is a sample of a job that ran for a latency of n ms (all of it
// service) with inFlight admitted.
func lat(n, inFlight int) adaptive.Sample {
	return adaptive.Sample{Sample: core.Sample{Outcome: core.OutcomeDone, Service: ms(n)}, InFlight: inFlight}
}

// TestGradient2 feeds hand-computed sequences. With long the long-term
// average (a plain mean over the first 10 samples, then exponential with
// weight 2/(LongWindow+1)):
//
//	gradient = clamp(1.5 x long / latency, 0.5, 1)
//	limit    = limit x (1-s) + (limit x gradient + allowance) x s
//
// each step is the truncated limit after one sample.
func TestGradient2(t *testing.T) {
	tests := []struct {
		name    string
		give    adaptive.Gradient2Config
		samples []adaptive.Sample
		want    []int
	}{
		{
			name: "steady latency grows the limit by the smoothed allowance",
			give: adaptive.Gradient2Config{Limits: adaptive.Limits{Min: 1, Initial: 10, Max: 100},
				Smoothing: 0.5, QueueAllowance: fixed(2)},
			// gradient 1: 10 x 0.5 + 12 x 0.5 = 11, then 12, then 13.
			samples: repeat(3, lat(10, 10)),
			want:    []int{11, 12, 13},
		},
		{
			name: "the default allowance is the square root of the limit",
			give: adaptive.Gradient2Config{Limits: adaptive.Limits{Min: 2, Initial: 4, Max: 10}},
			// 4 x 0.8 + (4 + 2) x 0.2 = 4.4; 4.4 x 0.8 + 6.4 x 0.2 = 4.8;
			// 4.8 x 0.8 + 6.8 x 0.2 = 5.2.
			samples: repeat(3, lat(10, 4)),
			want:    []int{4, 4, 5},
		},
		{
			name: "not pushed: fewer than half the limit in flight leaves it alone",
			give: adaptive.Gradient2Config{Limits: adaptive.Limits{Min: 1, Initial: 10, Max: 100},
				Smoothing: 1, QueueAllowance: fixed(5)},
			// 4 < 10/2: held; 5 >= 10/2: 10 x 1 + 5 = 15.
			samples: []adaptive.Sample{lat(10, 4), lat(10, 5)},
			want:    []int{10, 15},
		},
		{
			name: "rising latency cuts the limit, by half at most",
			give: adaptive.Gradient2Config{Limits: adaptive.Limits{Min: 1, Initial: 10, Max: 100},
				Smoothing: 1, QueueAllowance: fixed(0)},
			samples: []adaptive.Sample{
				lat(10, 10),    // long 10: gradient 1: 10
				lat(100, 10),   // long 55: 1.5 x 55/100 = 0.825: 8.25
				lat(1000, 10),  // long 370: 0.555: 4.57875
				lat(10000, 10), // long 2777.5: 0.41 clamped to 0.5: 2.289375
			},
			want: []int{10, 8, 4, 2},
		},
		{
			name: "a shed job counts as gradient 0.5",
			give: adaptive.Gradient2Config{Limits: adaptive.Limits{Min: 1, Initial: 10, Max: 100},
				Smoothing: 1, QueueAllowance: fixed(0)},
			// 5, 2.5, 1.25, then 0.625 clamped to Min.
			samples: []adaptive.Sample{shed(0), shed(0), shed(0), shed(0)},
			want:    []int{5, 2, 1, 1},
		},
		{
			name: "clamped to Max",
			give: adaptive.Gradient2Config{Limits: adaptive.Limits{Min: 1, Initial: 19, Max: 20},
				Smoothing: 1, QueueAllowance: fixed(4)},
			samples: []adaptive.Sample{lat(10, 19)},
			want:    []int{20},
		},
		{
			name: "the long average drops 5% when latency falls below half of it",
			give: adaptive.Gradient2Config{Limits: adaptive.Limits{Min: 1, Initial: 100, Max: 100},
				Smoothing: 1, LongWindow: 3, QueueAllowance: fixed(0)},
			// Ten samples of 100 ms: long 100, gradient 1. Then 10 ms: long
			// 100 x 0.5 + 10 x 0.5 = 55, over twice the latency, so it is
			// stored as 52.25; the gradient (from 55) is 1. Then 200 ms:
			// long 52.25 x 0.5 + 100 = 126.125, gradient 0.9459375: 94.59
			// (without the 5% it would be 95.625: 95).
			samples: append(repeat(10, lat(100, 100)), lat(10, 100), lat(200, 100)),
			want:    []int{100, 100, 100, 100, 100, 100, 100, 100, 100, 100, 100, 94},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g, err := adaptive.NewGradient2(tt.give)
			require.NoError(t, err)
			assert.Equal(t, tt.give.Initial, g.Limit())
			assert.Equal(t, tt.want, feed(g, tt.samples))
		})
	}
}

func TestSqrtAllowance(t *testing.T) {
	tests := []struct{ give, want int }{{0, 1}, {1, 1}, {3, 1}, {4, 2}, {8, 2}, {9, 3}, {66, 8}, {258, 16}}
	for _, tt := range tests {
		assert.Equal(t, tt.want, adaptive.SqrtAllowance(tt.give), "SqrtAllowance(%d)", tt.give)
	}
}

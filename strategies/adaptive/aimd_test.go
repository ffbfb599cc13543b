package adaptive_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tcpimg/tcpimg/core"
	"github.com/tcpimg/tcpimg/strategies/adaptive"
)

// ms is a millisecond wait, for readable tables.
func ms(n int) time.Duration { return time.Duration(n) * time.Millisecond }

// ran is a sample of a job that ran after waiting wait with inFlight
// admitted.
func ran(wait time.Duration, inFlight int) adaptive.Sample {
	return adaptive.Sample{Sample: core.Sample{Outcome: core.OutcomeDone, Wait: wait, Service: ms(1)}, InFlight: inFlight}
}

// shed is a sample of a job shed with inFlight admitted.
func shed(inFlight int) adaptive.Sample {
	return adaptive.Sample{Sample: core.Sample{Outcome: core.OutcomeShed}, InFlight: inFlight}
}

// feed updates alg with each sample in turn and returns the limit after
// each.
func feed(alg adaptive.Algorithm, samples []adaptive.Sample) []int {
	got := make([]int, 0, len(samples))
	for _, s := range samples {
		got = append(got, alg.Update(s))
	}
	return got
}

// TestAIMD feeds hand-computed sequences: each step is the limit after one
// sample, worked out from the rules (+1 when 2 x InFlight >= limit, x0.9
// truncated on a shed job or a wait over MaxWait, clamped to the limits).
func TestAIMD(t *testing.T) {
	tests := []struct {
		name    string
		give    adaptive.AIMDConfig
		samples []adaptive.Sample
		want    []int
	}{
		{
			name: "Netflix's case: +1 at 20 with 10 in flight; then a drop, held at Min",
			give: adaptive.AIMDConfig{Limits: adaptive.Limits{Min: 20, Initial: 20, Max: 200}},
			// 2x10 >= 20: +1. Then a shed job at 21: 21 x 0.9 = 18.9, held at Min.
			samples: []adaptive.Sample{ran(ms(1), 10), shed(0)},
			want:    []int{21, 20},
		},
		{
			name:    "Netflix's case: a drop at 30 gives 27",
			give:    adaptive.AIMDConfig{Limits: adaptive.Limits{Min: 20, Initial: 30, Max: 200}},
			samples: []adaptive.Sample{shed(0)},
			want:    []int{27},
		},
		{
			name:    "Netflix's case: no overflow past Max",
			give:    adaptive.AIMDConfig{Limits: adaptive.Limits{Min: 1, Initial: 21, Max: 21}},
			samples: []adaptive.Sample{ran(ms(1), 10), ran(ms(1), 21)},
			want:    []int{21, 21},
		},
		{
			name: "a small server climbs, backs off and floors",
			give: adaptive.AIMDConfig{Limits: adaptive.Limits{Min: 2, Initial: 4, Max: 6}, MaxWait: ms(10)},
			samples: []adaptive.Sample{
				ran(ms(1), 2),  // 2x2 >= 4: 5
				ran(ms(1), 2),  // 2x2 < 5: 5
				ran(ms(1), 3),  // 2x3 >= 5: 6
				ran(ms(1), 6),  // 7, clamped to 6
				ran(ms(11), 6), // waited past MaxWait: 6 x 0.9 = 5.4: 5
				shed(1),        // 4.5: 4
				shed(1),        // 3.6: 3
				shed(1),        // 2.7: 2
				shed(1),        // 1.8, clamped to 2
				ran(ms(10), 1), // exactly MaxWait is not past it; 2x1 >= 2: 3
			},
			want: []int{5, 5, 6, 6, 5, 4, 3, 2, 2, 3},
		},
		{
			name: "a custom backoff",
			give: adaptive.AIMDConfig{Limits: adaptive.Limits{Min: 1, Initial: 10, Max: 10}, Backoff: 0.5},
			samples: []adaptive.Sample{
				shed(10),                          // 5
				ran(adaptive.DefaultMaxWait+1, 5), // waited past the default: 2.5: 2
				shed(0),                           // 1
				shed(0),                           // 0.5, clamped to 1
			},
			want: []int{5, 2, 1, 1},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := adaptive.NewAIMD(tt.give)
			require.NoError(t, err)
			assert.Equal(t, tt.give.Initial, a.Limit())
			assert.Equal(t, tt.want, feed(a, tt.samples))
			assert.Equal(t, tt.want[len(tt.want)-1], a.Limit())
		})
	}
}

// TestConstructorsRefuseBadConfig checks that each algorithm refuses a
// configuration it cannot run, naming the field.
func TestConstructorsRefuseBadConfig(t *testing.T) {
	ok := adaptive.Limits{Min: 1, Initial: 2, Max: 3}
	aimd := func(c adaptive.AIMDConfig) func() error {
		return func() error { _, err := adaptive.NewAIMD(c); return err }
	}
	gradient := func(c adaptive.Gradient2Config) func() error {
		return func() error { _, err := adaptive.NewGradient2(c); return err }
	}
	tests := []struct {
		name      string
		give      func() error
		wantField string
	}{
		{"min 0", aimd(adaptive.AIMDConfig{Limits: adaptive.Limits{Min: 0, Initial: 1, Max: 1}}), "Limits.Min"},
		{"max below min", aimd(adaptive.AIMDConfig{Limits: adaptive.Limits{Min: 3, Initial: 3, Max: 2}}), "Limits.Max"},
		{"initial above max", aimd(adaptive.AIMDConfig{Limits: adaptive.Limits{Min: 1, Initial: 4, Max: 3}}), "Limits.Initial"},
		{"initial below min", aimd(adaptive.AIMDConfig{Limits: adaptive.Limits{Min: 2, Initial: 1, Max: 3}}), "Limits.Initial"},
		{"backoff 1", aimd(adaptive.AIMDConfig{Limits: ok, Backoff: 1}), "Backoff"},
		{"backoff 0.4", aimd(adaptive.AIMDConfig{Limits: ok, Backoff: 0.4}), "Backoff"},
		{"negative wait", aimd(adaptive.AIMDConfig{Limits: ok, MaxWait: -1}), "MaxWait"},
		{"gradient: bad limits", gradient(adaptive.Gradient2Config{Limits: adaptive.Limits{Min: 2, Initial: 1, Max: 3}}), "Limits.Initial"},
		{"negative smoothing", gradient(adaptive.Gradient2Config{Limits: ok, Smoothing: -0.1}), "Smoothing"},
		{"smoothing over 1", gradient(adaptive.Gradient2Config{Limits: ok, Smoothing: 1.1}), "Smoothing"},
		{"tolerance below 1", gradient(adaptive.Gradient2Config{Limits: ok, Tolerance: 0.9}), "Tolerance"},
		{"negative window", gradient(adaptive.Gradient2Config{Limits: ok, LongWindow: -1}), "LongWindow"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var ce *core.ConfigError
			require.ErrorAs(t, tt.give(), &ce)
			assert.Equal(t, tt.wantField, ce.Field)
		})
	}
}

func TestScaledLimits(t *testing.T) {
	tests := []struct {
		name           string
		workers, queue int
		want           adaptive.Limits
	}{
		{"two workers, the matrix's queue", 2, 64, adaptive.Limits{Min: 2, Initial: 4, Max: 66}},
		{"two workers, the default queue", 2, core.DefaultQueueSize, adaptive.Limits{Min: 2, Initial: 4, Max: 258}},
		{"no queue: a fixed limit", 4, 0, adaptive.Limits{Min: 4, Initial: 4, Max: 4}},
		{"a short queue cuts the initial limit", 4, 1, adaptive.Limits{Min: 4, Initial: 5, Max: 5}},
		{"nonsense sizes count as the least", 0, -3, adaptive.Limits{Min: 1, Initial: 1, Max: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := adaptive.ScaledLimits(tt.workers, tt.queue)
			assert.Equal(t, tt.want, got)
			assert.NoError(t, got.Validate())
		})
	}
}

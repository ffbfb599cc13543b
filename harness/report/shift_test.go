package report

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestUCDF checks the exact null distribution of the Mann-Whitney U
// statistic against published critical values: for two samples of 10 the
// two-sided 5% critical value is 23, so P(U <= 23) is under 2.5% and
// P(U <= 24) over it; for 5 and 5 it is 2.
func TestUCDF(t *testing.T) {
	tests := []struct {
		n, m, critical int
	}{
		{10, 10, 23},
		{5, 5, 2},
		{6, 8, 8},
		{20, 20, 127},
	}
	for _, tt := range tests {
		cdf := uCDF(tt.n, tt.m)
		require.Len(t, cdf, tt.n*tt.m+1)
		assert.LessOrEqual(t, cdf[tt.critical], 0.025, "%dx%d", tt.n, tt.m)
		assert.Greater(t, cdf[tt.critical+1], 0.025, "%dx%d", tt.n, tt.m)
		assert.InDelta(t, 1, cdf[len(cdf)-1], 1e-12)
		// U is symmetric about nm/2.
		assert.InDelta(t, cdf[tt.critical], 1-cdf[tt.n*tt.m-tt.critical-1], 1e-12)
	}
	// Two against one: the three orderings put U at 0, 1 or 2 equally.
	assert.InDeltaSlice(t, []float64{1.0 / 3, 2.0 / 3, 1}, uCDF(2, 1), 1e-12)
}

func TestShiftOf(t *testing.T) {
	base := []float64{100, 101, 102, 103, 104, 105, 106, 107, 108, 109}
	scaled := func(f float64) []float64 {
		out := make([]float64, len(base))
		for i, b := range base {
			out[i] = f * b
		}
		return out
	}
	tests := []struct {
		name      string
		values    []float64
		wantOK    bool
		wantRatio float64
		// the interval must hold these ratios, and must not hold out
		holds, out []float64
	}{
		{"the same sample", base, true, 1, []float64{0.98, 1, 1.02}, []float64{0.95, 1.05}},
		{"a fifth more", scaled(1.2), true, 1.2, []float64{1.2}, []float64{1, 1.1}},
		{"a tenth less", scaled(0.9), true, 0.9, []float64{0.9}, []float64{1, 0.85}},
		{"too few values for 95%", base[:3], false, 0, nil, nil},
		{"a value of 0 has no logarithm", append([]float64{0}, base[1:]...), false, 0, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			against := base
			if len(tt.values) < 4 {
				against = base[:3]
			}
			got := ShiftOf(tt.values, against, 0.95)
			require.Equal(t, tt.wantOK, got.OK, "%+v", got)
			if !got.OK {
				return
			}
			assert.InDelta(t, tt.wantRatio, got.Ratio, 1e-9)
			assert.GreaterOrEqual(t, got.Confidence, 0.95)
			for _, r := range tt.holds {
				assert.True(t, got.Lo <= r && r <= got.Hi, "%v in %v..%v", r, got.Lo, got.Hi)
			}
			for _, r := range tt.out {
				assert.False(t, got.Lo <= r && r <= got.Hi, "%v not in %v..%v", r, got.Lo, got.Hi)
			}
		})
	}
}

// TestShiftOfCoverage checks the interval's coverage by simulation: two
// samples of 10 from one log-normal distribution, one of them scaled by
// 1.1, hold 1.1 in the interval at least 95% of the time.
func TestShiftOfCoverage(t *testing.T) {
	const trials = 2000
	seed := uint64(1)
	normal := func() float64 { // Box-Muller on a linear congruential generator
		next := func() float64 {
			seed = seed*6364136223846793005 + 1442695040888963407
			return (float64(seed>>11) + 0.5) / (1 << 53)
		}
		return math.Sqrt(-2*math.Log(next())) * math.Cos(2*math.Pi*next())
	}
	held := 0
	for range trials {
		a, b := make([]float64, 10), make([]float64, 10)
		for i := range a {
			a[i] = 1.1 * math.Exp(0.2*normal())
			b[i] = math.Exp(0.2 * normal())
		}
		if sh := ShiftOf(a, b, 0.95); sh.OK && sh.Lo <= 1.1 && 1.1 <= sh.Hi {
			held++
		}
	}
	// 95% of 2000 is 1900, with a standard error of about 10.
	assert.GreaterOrEqual(t, held, 1870)
}

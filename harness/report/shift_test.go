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

// normalSource returns a deterministic source of standard normal values:
// Box-Muller on a linear congruential generator.
func normalSource(seed uint64) func() float64 {
	next := func() float64 {
		seed = seed*6364136223846793005 + 1442695040888963407
		return (float64(seed>>11) + 0.5) / (1 << 53)
	}
	return func() float64 {
		return math.Sqrt(-2*math.Log(next())) * math.Cos(2*math.Pi*next())
	}
}

// TestShiftOfCoverage checks the interval's coverage by simulation: two
// samples of 10 from one log-normal distribution, one of them scaled by
// 1.1, hold 1.1 in the interval at least 95% of the time.
func TestShiftOfCoverage(t *testing.T) {
	const trials = 2000
	normal := normalSource(1)
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

// TestSignedRankCDF checks the exact null distribution of the Wilcoxon
// signed-rank statistic against published two-sided 5% critical values:
// P(T <= critical) is under 2.5% and P(T <= critical+1) over it.
func TestSignedRankCDF(t *testing.T) {
	tests := []struct{ n, critical int }{
		{6, 0}, {7, 2}, {8, 3}, {9, 5}, {10, 8}, {15, 25}, {20, 52},
	}
	for _, tt := range tests {
		cdf := signedRankCDF(tt.n)
		require.Len(t, cdf, tt.n*(tt.n+1)/2+1)
		assert.LessOrEqual(t, cdf[tt.critical], 0.025, "n=%d", tt.n)
		assert.Greater(t, cdf[tt.critical+1], 0.025, "n=%d", tt.n)
		assert.InDelta(t, 1, cdf[len(cdf)-1], 1e-12)
	}
	// Ten pairs: 25 of the 1024 subsets of the ranks sum to 8 or less.
	assert.InDelta(t, 25.0/1024, signedRankCDF(10)[8], 1e-12)
}

// drifted returns ten pairs measured on a machine whose speed differs by
// up to a factor of two between repetitions, the values f times the base
// with a noise of about 1% of their own.
func drifted(f float64) (values, base []float64) {
	drift := []float64{1, 1.6, 0.8, 1.9, 1.2, 0.7, 1.4, 1.05, 1.75, 0.95}
	noise := []float64{1.01, 0.99, 1.005, 0.995, 1.012, 0.988, 1, 1.007, 0.993, 1.002}
	for i, d := range drift {
		base = append(base, 100*d)
		values = append(values, 100*d*f*noise[i])
	}
	return values, base
}

func TestPairedShiftOf(t *testing.T) {
	v, b := drifted(1.05)
	paired := PairedShiftOf(v, b, 0.95)
	require.True(t, paired.OK)
	assert.InDelta(t, 1.05, paired.Ratio, 0.01)
	assert.True(t, paired.Lo > 1.02 && paired.Hi < 1.08, "paired %+v", paired)
	assert.GreaterOrEqual(t, paired.Confidence, 0.95)
	// Unpaired, the drift swamps the difference.
	unpaired := ShiftOf(v, b, 0.95)
	require.True(t, unpaired.OK)
	assert.True(t, unpaired.Lo < 0.9 && unpaired.Hi > 1.2, "unpaired %+v", unpaired)

	tests := []struct {
		name         string
		values, base []float64
	}{
		{"lengths differ", v, b[:9]},
		{"too few pairs for 95%", v[:5], b[:5]},
		{"a value of 0", append([]float64{0}, v[1:]...), b},
		{"none", nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.False(t, PairedShiftOf(tt.values, tt.base, 0.95).OK)
		})
	}
}

// TestPairedShiftOfCoverage checks the paired interval's coverage by
// simulation: ten pairs sharing a drift, one of each scaled by 1.1, hold
// 1.1 in the interval at least 95% of the time.
func TestPairedShiftOfCoverage(t *testing.T) {
	const trials = 2000
	normal := normalSource(7)
	held := 0
	for range trials {
		a, b := make([]float64, 10), make([]float64, 10)
		for i := range a {
			drift := math.Exp(0.4 * normal())
			a[i] = 1.1 * drift * math.Exp(0.1*normal())
			b[i] = drift * math.Exp(0.1*normal())
		}
		if sh := PairedShiftOf(a, b, 0.95); sh.OK && sh.Lo <= 1.1 && 1.1 <= sh.Hi {
			held++
		}
	}
	assert.GreaterOrEqual(t, held, 1870)
}

// TestDifferenceOf checks the interval of a difference where samples hold
// 0: the same sample lies around 0, one shifted down by 100 lies below it.
func TestDifferenceOf(t *testing.T) {
	base := []float64{0, 100, 101, 102, 103, 104, 105, 106}
	same := DifferenceOf(base, base, 0.95)
	require.True(t, same.OK)
	assert.Less(t, same.Lo, 0.0)
	assert.Greater(t, same.Hi, 0.0)
	lower := make([]float64, len(base))
	for i, b := range base {
		lower[i] = max(b-100, 0)
	}
	d := DifferenceOf(lower, base, 0.95)
	require.True(t, d.OK)
	assert.Less(t, d.Hi, 0.0)
	assert.InDelta(t, -100, d.Ratio, 1)
	assert.False(t, DifferenceOf(base[:3], base[:3], 0.95).OK, "3 against 3 cannot reach 95%")
	assert.False(t, DifferenceOf(nil, base, 0.95).OK)
}

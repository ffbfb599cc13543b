package queueing_test

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tcpimg/tcpimg/harness/queueing"
)

// TestErlangC checks the formula against published values: Erlang C
// tables give 0.4092 for 10 servers at 8 Erlangs, and the small cases
// have closed forms (rho for one server, a²/(2+a) for two).
func TestErlangC(t *testing.T) {
	tests := []struct {
		name string
		c    int
		a    float64
		want float64
	}{
		{"M/M/1 is rho", 1, 0.5, 0.5},
		{"two servers at 0.5", 2, 1, 1.0 / 3},
		{"two servers at 0.8", 2, 1.6, 1.6 * 1.6 / (2 + 1.6)},
		{"two servers at 0.9", 2, 1.8, 1.8 * 1.8 / (2 + 1.8)},
		{"five servers at 4 Erlangs", 5, 4, 0.5541125541},
		{"call-centre table: 10 servers at 8 Erlangs", 10, 8, 0.4091801508},
		{"100 servers at 90 Erlangs", 100, 90, 0.2169404809},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := queueing.ErlangC(tt.c, tt.a)
			require.NoError(t, err)
			assert.InDelta(t, tt.want, got, 1e-9)
		})
	}
}

func TestErlangCRefusesUnstableOrNonsense(t *testing.T) {
	tests := []struct {
		name     string
		c        int
		a        float64
		unstable bool
	}{
		{"saturated", 2, 2, true},
		{"overloaded", 1, 1.5, true},
		{"no servers", 0, 0.5, false},
		{"no load", 2, 0, false},
		{"NaN", 2, math.NaN(), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := queueing.ErlangC(tt.c, tt.a)
			require.Error(t, err)
			assert.Equal(t, tt.unstable, errors.Is(err, queueing.ErrUnstable))
		})
	}
}

// TestWaits checks the mean waits against closed forms: M/M/1 waits
// rho*s/(1-rho), M/D/1 half of that (Pollaczek-Khinchine), and
// Allen-Cunneen reduces to M/M/c for Poisson arrivals and exponential
// service and to Cosmetatos's uncorrected half for deterministic service.
func TestWaits(t *testing.T) {
	const s = 0.010
	for _, rho := range []float64{0.5, 0.8, 0.9} {
		lambda := rho / s
		mm1, err := queueing.WaitMMc(1, lambda, s)
		require.NoError(t, err)
		assert.InDelta(t, rho*s/(1-rho), mm1, 1e-12)

		md1, err := queueing.WaitMDc(1, lambda, s)
		require.NoError(t, err)
		assert.InDelta(t, rho*s/(2*(1-rho)), md1, 1e-12)

		lambda2 := 2 * rho / s
		mm2, err := queueing.WaitMMc(2, lambda2, s)
		require.NoError(t, err)
		pw := 4 * rho * rho / (2 + 2*rho) // ErlangC(2, 2rho)
		assert.InDelta(t, pw*s/(2-2*rho), mm2, 1e-12)

		gg, err := queueing.WaitGGc(2, lambda2, s, 1, 1)
		require.NoError(t, err)
		assert.InDelta(t, mm2, gg, 1e-12)

		md2, err := queueing.WaitMDc(2, lambda2, s)
		require.NoError(t, err)
		assert.Greater(t, md2, mm2/2, "Cosmetatos corrects the half upwards for c > 1")
		assert.Less(t, md2, mm2)
	}
	_, err := queueing.WaitGGc(2, 100, 0.01, -1, 1)
	assert.Error(t, err)
}

// TestBatchMeansCoversTheMean draws autocorrelated series (an AR(1)
// process, like successive waits in a queue) with a known mean and checks
// that the 95% interval covers it about 95% of the time, while the naive
// interval that treats every value as independent covers it far less.
func TestBatchMeansCoversTheMean(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	const (
		trials = 400
		n      = 4000
		phi    = 0.95 // correlation of successive values
		mean   = 10.0
	)
	var batched, naive int
	xs := make([]float64, n)
	for range trials {
		x := 0.0
		for i := range xs {
			x = phi*x + rng.NormFloat64()
			xs[i] = mean + x
		}
		iv, err := queueing.BatchMeans(xs, 20)
		require.NoError(t, err)
		if iv.Lo() <= mean && mean <= iv.Hi() {
			batched++
		}
		nv, err := queueing.MeanInterval(xs)
		require.NoError(t, err)
		if nv.Lo() <= mean && mean <= nv.Hi() {
			naive++
		}
	}
	assert.InDelta(t, 0.95, float64(batched)/trials, 0.04, "batch-means coverage")
	assert.Less(t, float64(naive)/trials, 0.6, "the naive interval should be too narrow for correlated data")
}

func TestBatchMeansNeedsTwoBatches(t *testing.T) {
	_, err := queueing.BatchMeans([]float64{1, 2, 3}, 1)
	assert.Error(t, err)
	_, err = queueing.BatchMeans([]float64{1}, 2)
	assert.Error(t, err)
}

func TestMomentsOf(t *testing.T) {
	tests := []struct {
		name     string
		give     []float64
		wantMean float64
		wantSCV  float64
	}{
		{"constant", []float64{3, 3, 3}, 3, 0},
		{"two values", []float64{1, 3}, 2, 0.5}, // variance 2, mean² 4
		{"one value", []float64{5}, 5, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := queueing.MomentsOf(tt.give)
			assert.InDelta(t, tt.wantMean, m.Mean, 1e-12)
			assert.InDelta(t, tt.wantSCV, m.SCV, 1e-12)
		})
	}
}

func TestT975(t *testing.T) {
	tests := []struct {
		df   int
		want float64
	}{
		{1, 12.706}, {9, 2.262}, {30, 2.042}, {60, 2.000}, {120, 1.980},
	}
	for _, tt := range tests {
		assert.InDelta(t, tt.want, queueing.T975(tt.df), 0.003, "df=%d", tt.df)
	}
}

func TestLittleL(t *testing.T) {
	assert.InDelta(t, 4.5, queueing.LittleL(900, 0.005), 1e-12)
}

package harness_test

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tcpimg/tcpimg/core"
	"github.com/tcpimg/tcpimg/harness"
	"github.com/tcpimg/tcpimg/harness/queueing"
)

func TestDrawLengths(t *testing.T) {
	tests := []struct {
		name     string
		give     harness.Dist
		mean     uint32
		wantMean float64 // relative tolerance 2%
		wantSCV  float64
		scvTol   float64
	}{
		{"fixed is the mean every time", harness.Fixed, 10_000, 10_000, 0, 0},
		{"exponential", harness.Exponential, 10_000, 10_000, 1, 0.03},
		{"exponential of a short job", harness.Exponential, 200, 200, 1, 0.03},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			draws := harness.Draws(tt.give, 1, tt.mean, 50_000)
			xs := make([]float64, len(draws))
			for i, d := range draws {
				require.GreaterOrEqual(t, d, uint32(1), "the protocol's least length")
				xs[i] = float64(d)
			}
			m := queueing.MomentsOf(xs)
			assert.InEpsilon(t, tt.wantMean, m.Mean, 0.02, "mean")
			assert.InDelta(t, tt.wantSCV, m.SCV, tt.scvTol, "squared coefficient of variation")
		})
	}
	assert.Equal(t, harness.Draws(harness.Exponential, 7, 500, 100), harness.Draws(harness.Exponential, 7, 500, 100), "a seed draws the same lengths")
	assert.NotEqual(t, harness.Draws(harness.Exponential, 7, 500, 100), harness.Draws(harness.Exponential, 8, 500, 100), "another seed, others")
	assert.Equal(t, []uint32{10_000_000}, harness.Draws(harness.Exponential, 1, math.MaxUint32, 1), "kept within the protocol's bound")
}

func TestPoissonSchedule(t *testing.T) {
	sec := time.Second
	tests := []struct {
		name      string
		give      harness.Piecewise
		wantCount float64 // expected arrivals; the draw must be within 3%
		idleUntil time.Duration
	}{
		{"steady", harness.Piecewise{{PerSecond: 1000, For: 50 * sec}}, 50_000, 0},
		{"idle, then busy", harness.Piecewise{{PerSecond: 0, For: 10 * sec}, {PerSecond: 2000, For: 25 * sec}}, 50_000, 10 * sec},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := harness.NewPoisson(tt.give, 1)
			assert.Equal(t, tt.give.Length(), p.Length())
			n := harness.Count(p, 0, p.Length())
			assert.InEpsilon(t, tt.wantCount, float64(n), 0.03, "arrivals")
			first, ok := p.Due(0)
			require.True(t, ok)
			assert.GreaterOrEqual(t, first, tt.idleUntil, "nothing due in an idle piece")
			var gaps []float64
			prev := first
			for i := uint64(1); i < n; i++ {
				at, ok := p.Due(i)
				require.True(t, ok)
				require.GreaterOrEqual(t, at, prev, "due times never decrease")
				gaps = append(gaps, (at - prev).Seconds())
				prev = at
			}
			_, ok = p.Due(n)
			assert.False(t, ok, "no arrival past the count")
			assert.Less(t, prev, p.Length())
			m := queueing.MomentsOf(gaps)
			assert.InEpsilon(t, tt.give[len(tt.give)-1].PerSecond, 1/m.Mean, 0.03, "rate")
			assert.InDelta(t, 1, m.SCV, 0.03, "exponential gaps have an SCV of 1")
		})
	}
	a, b := harness.NewPoisson(harness.Piecewise{{PerSecond: 100, For: sec}}, 3), harness.NewPoisson(harness.Piecewise{{PerSecond: 100, For: sec}}, 3)
	assert.Equal(t, a, b, "a seed draws the same schedule")
}

func TestModelWait(t *testing.T) {
	const c, lambda, s = 2, 160.0, 0.01 // utilisation 0.8
	mm, err := queueing.WaitMMc(c, lambda, s)
	require.NoError(t, err)
	md, err := queueing.WaitMDc(c, lambda, s)
	require.NoError(t, err)
	tests := []struct {
		name     string
		ca2, cs2 float64
		want     float64
	}{
		{"M/M/c is Erlang C", 1, 1, mm},
		{"M/D/c is Cosmetatos's", 1, 0, md},
		{"more variable service is Allen-Cunneen's", 1, 2, mm * 1.5},
		{"halfway between, half the correction", 1, 0.5, mm * 0.75 * (1 + 0.5*(md/(mm/2)-1))},
		{"bunched arrivals wait longer", 2, 1, mm * 1.5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := harness.ModelWait(c, lambda, s, tt.ca2, tt.cs2)
			require.NoError(t, err)
			assert.InEpsilon(t, tt.want, got, 1e-9)
		})
	}
	_, err = harness.ModelWait(c, 200, s, 1, 1)
	assert.ErrorIs(t, err, queueing.ErrUnstable)
}

// mm2 simulates n arrivals of an M/M/2 queue (FCFS, by the Kiefer-Wolfowitz
// recursion) at utilisation rho with mean service s, and returns the
// series a run measures, in arrival order.
func mm2(n int, rho, s float64, seed uint64) (gaps, waits, services, sojourns []float64) {
	r := rand.New(rand.NewPCG(seed, 0))
	lambda := rho * 2 / s
	free := [2]float64{} // work left at each server, least first
	for i := range n {
		a := r.ExpFloat64() / lambda
		if i > 0 {
			gaps = append(gaps, a)
		}
		for j := range free {
			free[j] = max(free[j]-a, 0)
		}
		if free[1] < free[0] {
			free[0], free[1] = free[1], free[0]
		}
		w, sv := free[0], r.ExpFloat64()*s
		free[0] += sv
		waits, services, sojourns = append(waits, w), append(services, sv), append(sojourns, w+sv)
	}
	return gaps, waits, services, sojourns
}

func TestFitModel(t *testing.T) {
	gaps, waits, services, sojourns := mm2(200_000, 0.5, 0.01, 1)
	f := harness.FitSeries(2, gaps, waits, services, sojourns)
	require.Empty(t, f.Invalid)
	assert.InEpsilon(t, 100, f.ArrivalRate, 0.02)
	assert.InDelta(t, 1, f.ArrivalSCV, 0.05)
	assert.InDelta(t, 1, f.ServiceSCV, 0.05)
	assert.InDelta(t, 0.5, f.Utilisation, 0.02)
	assert.Equal(t, harness.ModelBatches, f.Batches)
	assert.InDelta(t, 1, f.WaitRatio(), 0.1, "a simulated M/M/2 queue waits as Erlang C says")
	assert.Less(t, f.WaitHalf/f.Wait, 0.1, "200,000 arrivals at 0.5 know the mean wait to 10%")
	assert.Zero(t, f.LittleRatio(), "no occupancy sampled")
	f.Occupancy, f.OccupancySamples = f.ArrivalRate*f.Sojourn*1.1, 100
	assert.InEpsilon(t, 1.1, f.LittleRatio(), 1e-9)

	tests := []struct {
		name                            string
		gaps, waits, services, sojourns []float64
		want                            string
	}{
		{"no gaps", []float64{0, 0, 0}, []float64{0, 0, 0, 0}, []float64{1, 1, 1, 1}, []float64{1, 1, 1, 1}, "no time"},
		{"too few answers", []float64{1, 1, 1}, []float64{0, 0, 0}, []float64{1, 1, 1}, []float64{1, 1, 1}, "batches"},
		{"saturated", []float64{1, 1, 1, 1}, []float64{0, 0, 0, 0}, []float64{3, 3, 3, 3}, []float64{3, 3, 3, 3}, "utilisation"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := harness.FitSeries(2, tt.gaps, tt.waits, tt.services, tt.sojourns)
			assert.Contains(t, f.Invalid, tt.want)
		})
	}
}

// fitted returns a record of a valid model run.
func fitted(scenario, strategy string, arrivals int, wait, half, model float64) *harness.Metrics {
	return &harness.Metrics{Scenario: scenario, Strategy: strategy, Model: &harness.ModelFit{
		Workers: 2, Arrivals: arrivals, ArrivalRate: 100, Utilisation: 0.5, Sojourn: 0.015,
		Wait: wait, WaitHalf: half, Batches: 10, ModelWait: model, Tolerance: 0.1,
		Occupancy: 1.5, OccupancySamples: 1000,
	}}
}

func TestPoolModel(t *testing.T) {
	t9 := queueing.T975(9)
	tests := []struct {
		name        string
		give        []*harness.Metrics
		wantRuns    int
		wantRatio   float64
		wantHalf    float64
		wantVerdict string
	}{
		{
			name:     "one run keeps its interval",
			give:     []*harness.Metrics{fitted("m", "a", 1000, 0.0105, 0.0005, 0.010)},
			wantRuns: 1, wantRatio: 1.05, wantHalf: 0.05, wantVerdict: harness.VerdictPass,
		},
		{
			name: "equal runs: the interval narrows as the square root of their number",
			give: []*harness.Metrics{
				fitted("m", "a", 1000, 0.010, 0.002, 0.010), fitted("m", "a", 1000, 0.010, 0.002, 0.010),
				fitted("m", "a", 1000, 0.010, 0.002, 0.010), fitted("m", "a", 1000, 0.010, 0.002, 0.010),
			},
			wantRuns: 4, wantRatio: 1, wantHalf: 0.2 / 2 / t9 * queueing.T975(36), wantVerdict: harness.VerdictPass,
		},
		{
			name: "runs weigh by their arrivals",
			give: []*harness.Metrics{
				fitted("m", "a", 3000, 0.0113, 0.0001, 0.010), fitted("m", "a", 1000, 0.0081, 0.0001, 0.010),
			},
			wantRuns: 2, wantRatio: 1.05, wantHalf: math.Sqrt(0.75*0.75+0.25*0.25) * 0.01 / t9 * queueing.T975(18), wantVerdict: harness.VerdictPass,
		},
		{
			name:     "too far from the model",
			give:     []*harness.Metrics{fitted("m", "a", 1000, 0.013, 0.0005, 0.010)},
			wantRuns: 1, wantRatio: 1.3, wantHalf: 0.05, wantVerdict: harness.VerdictFail,
		},
		{
			name:     "too short to tell",
			give:     []*harness.Metrics{fitted("m", "a", 1000, 0.010, 0.002, 0.010)},
			wantRuns: 1, wantRatio: 1, wantHalf: 0.2, wantVerdict: harness.VerdictWide,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pools := harness.PoolModel(tt.give)
			require.Len(t, pools, 1)
			p := pools[0]
			assert.Equal(t, tt.wantRuns, p.Runs)
			assert.InEpsilon(t, tt.wantRatio, p.Ratio.Mean, 1e-9)
			assert.InEpsilon(t, tt.wantHalf, p.Ratio.Half, 1e-9)
			assert.InEpsilon(t, 1.5/(100*0.015), p.Little, 1e-9)
			assert.Equal(t, tt.wantVerdict, p.Verdict())
		})
	}
}

func TestPoolModelGroupsAndInvalid(t *testing.T) {
	busy := fitted("m", "a", 1000, 0.010, 0.0005, 0.010)
	busy.Model.Invalid = "3 BUSY answers: the queue shed"
	records := []*harness.Metrics{
		fitted("m", "b", 1000, 0.010, 0.0005, 0.010),
		{Scenario: "open-50", Strategy: "a"}, // no model: skipped
		fitted("m", "a", 1000, 0.010, 0.0005, 0.010),
		busy,
		fitted("k", "a", 1000, 0.010, 0.0005, 0.010),
	}
	pools := harness.PoolModel(records)
	require.Len(t, pools, 3)
	got := [][2]string{}
	for _, p := range pools {
		got = append(got, [2]string{p.Scenario, p.Strategy})
	}
	assert.Equal(t, [][2]string{{"k", "a"}, {"m", "a"}, {"m", "b"}}, got, "sorted by scenario, then strategy")
	assert.Equal(t, 1, pools[1].Invalid)
	assert.Equal(t, busy.Model.Invalid, pools[1].Reason)
	assert.Equal(t, harness.VerdictInvalid, pools[1].Verdict(), "one BUSY spoils the series")
	assert.Equal(t, harness.VerdictPass, pools[2].Verdict())
}

// TestModelSmoke runs the model family shortened, as TestMatrixSmoke runs
// the matrix: a scenario's own server configuration is the one used and
// recorded, the queue never sheds, and every run is fitted.
func TestModelSmoke(t *testing.T) {
	runner := &harness.Runner{Server: harness.MatrixServer(), Short: true}
	for _, cell := range harness.ModelMatrix(0) {
		t.Run(cell.Name(), func(t *testing.T) {
			r, err := runner.Run(t.Context(), cell.Scenario, cell.Strategy)
			require.NoError(t, err)
			assert.Zero(t, r.Lost, "lost")
			assert.Zero(t, r.Status[core.StatusBusy], "the queue never sheds")
			assert.Zero(t, r.Leaked, "goroutines left after Shutdown")
			want := cell.Scenario.Server.Resolved()
			assert.Equal(t, &want, r.ServerConfig, "the scenario's server, not the runner's, defaults spelled out")
			require.NotNil(t, r.Model)
			assert.Empty(t, r.Model.Invalid)
			assert.Equal(t, harness.ModelWorkers, r.Model.Workers)
			assert.Positive(t, r.Model.ArrivalRate)
			assert.Positive(t, r.Model.Service)
			assert.Positive(t, r.Model.OccupancySamples, "the server's jobs in flight were sampled")
			assert.Equal(t, int(r.Sent), r.Model.Arrivals, "every request sent was traced")
		})
	}
}

package harness_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tcpimg/tcpimg/core"
	"github.com/tcpimg/tcpimg/harness"
	"github.com/tcpimg/tcpimg/harness/loadclient"
)

// window builds a window of bins, each with ok OK and busy BUSY answers,
// every OK answer served in 4 ms.
func window(bins ...[2]uint64) *loadclient.Window {
	w := &loadclient.Window{From: time.Unix(0, 0), To: time.Unix(1, 0)}
	for _, b := range bins {
		var bin loadclient.Bin
		bin.Status[core.StatusOK], bin.Status[core.StatusBusy] = b[0], b[1]
		bin.OKServiceUS = 4000 * b[0]
		w.Bins = append(w.Bins, bin)
	}
	return w
}

// secondHalfServes sets the mean service time of every OK answer in w's second
// half.
func secondHalfServes(w *loadclient.Window, ms float64) *loadclient.Window {
	for i := len(w.Bins) / 2; i < len(w.Bins); i++ {
		w.Bins[i].OKServiceUS = uint64(ms * 1e3 * float64(w.Bins[i].Status[core.StatusOK]))
	}
	return w
}

func TestCheckSteady(t *testing.T) {
	tests := []struct {
		name  string
		give  *loadclient.Window
		want  bool
		speed bool // SpeedChanged
	}{
		{"equal halves", window([2]uint64{300, 60}, [2]uint64{300, 60}), true, false},
		{"Poisson-sized noise", window([2]uint64{300, 60}, [2]uint64{330, 62}), true, false},
		{"goodput falls by a third", window([2]uint64{300, 0}, [2]uint64{200, 0}), false, false},
		{"a real but negligible drift", window([2]uint64{100000, 0}, [2]uint64{102000, 0}), true, false},
		{"the queue is still filling: BUSY share grows", window([2]uint64{300, 10}, [2]uint64{300, 80}), false, false},
		{"shares differ on too few answers to tell", window([2]uint64{5, 0}, [2]uint64{5, 1}), true, false},
		{"four bins", window([2]uint64{150, 0}, [2]uint64{150, 0}, [2]uint64{150, 0}, [2]uint64{150, 0}), true, false},
		{"empty", window(), true, false},
		{"too few OK answers to judge the speed", secondHalfServes(window([2]uint64{5, 0}, [2]uint64{5, 0}), 8), true, false},
		{"the server slowed by a third", secondHalfServes(window([2]uint64{300, 0}, [2]uint64{225, 0}), 5.33), false, true},
		{"the server slowed a little, queue steady", secondHalfServes(window([2]uint64{300, 0}, [2]uint64{295, 0}), 4.2), true, false},
		{"steady goodput at another speed (more workers than cores)", secondHalfServes(window([2]uint64{300, 0}, [2]uint64{300, 0}), 5), true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := harness.CheckSteady(tt.give)
			assert.Equal(t, tt.want, got.OK, "%+v", got)
			assert.Equal(t, tt.speed, got.SpeedChanged, "%+v", got)
			if !got.OK || got.SpeedChanged {
				assert.NotEmpty(t, got.Why)
			}
		})
	}
}

func TestFillWarmup(t *testing.T) {
	open := harness.Scenario{Name: "x", Loop: harness.OpenLoop, Warmup: 100 * time.Millisecond, FillQueue: true}
	tests := []struct {
		name     string
		queue    int
		scenario harness.Scenario
		rate     float64
		want     time.Duration
	}{
		// 64 slots at 120 - 100 = 20 excess a second fill in 3.2 s.
		{"overload fills the queue twice", 64, open, 120, 6400 * time.Millisecond},
		{"under capacity: as it is", 64, open, 90, 100 * time.Millisecond},
		{"queue unknown: as it is", 0, open, 120, 100 * time.Millisecond},
		{"not asked to fill", 64, harness.Scenario{Name: "x", Loop: harness.OpenLoop, Warmup: time.Second}, 200, time.Second},
		{"already longer", 2, open, 200, 100 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := &harness.Generator{QueueSize: tt.queue}
			assert.Equal(t, tt.want, g.FillWarmup(tt.scenario, tt.rate, 100))
		})
	}
}

func TestCapacityIsTheMedianOfTheLatestRuns(t *testing.T) {
	r := &harness.Runner{}
	assert.Zero(t, r.CapacityEstimate("chan-pool").N)
	for _, v := range []float64{900, 500, 600, 550} { // the first falls out
		r.AddCalibration("chan-pool", v)
	}
	est := r.CapacityEstimate("chan-pool")
	require.Equal(t, harness.CalibrationRuns, est.N)
	assert.Equal(t, 550.0, est.Median)
	assert.InDelta(t, 100.0/550, est.Spread, 1e-9)
}

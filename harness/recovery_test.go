package harness_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/tcpimg/tcpimg/harness"
	"github.com/tcpimg/tcpimg/harness/loadclient"
)

// TestMeasureRecovery runs recovery-s over synthetic bins: 10 s in bins of
// 250 ms, a spike that ends at 3 s, a target of 100 answers in time a
// second (95 in a window of 1 s).
func TestMeasureRecovery(t *testing.T) {
	const (
		bin      = 250 * time.Millisecond
		spikeEnd = 3 * time.Second
		target   = 100
	)
	// from returns the answers in time of each bin: before the spike's
	// end high, after it low until at, then high again until fall.
	from := func(at, fall time.Duration, low, high uint64) func(time.Duration) uint64 {
		return func(t time.Duration) uint64 {
			if t < spikeEnd || (t >= at && t < fall) {
				return high
			}
			return low
		}
	}
	tests := []struct {
		name          string
		give          func(time.Duration) uint64
		wantSeconds   float64
		wantRecovered bool
	}{
		{name: "never fell", give: from(0, time.Hour, 25, 25), wantSeconds: 0, wantRecovered: true},
		{name: "back at 5 s", give: from(5*time.Second, time.Hour, 10, 25), wantSeconds: 2, wantRecovered: true},
		{name: "never back", give: from(time.Hour, time.Hour, 10, 25), wantSeconds: 7},
		{name: "back, then down again at 9 s", give: from(5*time.Second, 9*time.Second, 10, 25), wantSeconds: 7},
		{name: "just short of the target", give: from(0, time.Hour, 23, 23), wantSeconds: 7},
		{name: "noisy bins, steady windows", give: func(t time.Duration) uint64 {
			if t/bin%2 == 0 {
				return 22
			}
			return 28
		}, wantSeconds: 0, wantRecovered: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := loadclient.Window{From: time.Unix(0, 0), To: time.Unix(10, 0), Bins: make([]loadclient.Bin, 40)}
			for i := range w.Bins {
				w.Bins[i].InTime = tt.give(time.Duration(i) * bin)
			}
			got := harness.MeasureRecovery(&w, spikeEnd, target, time.Second)
			assert.InDelta(t, tt.wantSeconds, got.Seconds, 1e-9)
			assert.Equal(t, tt.wantRecovered, got.Recovered)
			assert.Equal(t, bin, got.Bin)
		})
	}
}

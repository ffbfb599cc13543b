package harness

import (
	"time"

	"github.com/tcpimg/tcpimg/harness/loadclient"
)

// RecoveryShare is the share of the offered rate that the answers in time
// must reach again, after a spike, for the run to have recovered.
const RecoveryShare = 0.95

// Recovery is how long the answers in time took, after a spike of load,
// to come back to RecoveryShare of the rate offered after it, and stay
// there until the end of the run.
//
// The answers in time are counted in the window's bins and averaged over
// a window of several bins sliding by one bin, so that the noise of
// arrivals does not decide: 600 answers a second vary by about 4% from
// one second to the next, as much as the margin of RecoveryShare.
// Recovery time is the start of the first such window, at or after the
// spike's end, from which on every window reaches the target. A run that
// never gets there has not recovered: the rest of the run after the spike
// is its recovery time, a lower bound, and Recovered is false. That is a
// metastable failure: the load is back to normal and the goodput is not.
type Recovery struct {
	// Seconds is the recovery time, from the end of the spike.
	Seconds float64 `json:"seconds"`
	// Recovered is false when the goodput in time never came back for
	// good before the run ended.
	Recovered bool `json:"recovered"`
	// Target is the answers in time per second the windows had to reach.
	Target float64 `json:"target"`
	// Bin and Window are the bin width and the sliding window's length.
	Bin    time.Duration `json:"bin"`
	Window time.Duration `json:"window"`
}

// MeasureRecovery returns the recovery of w after a spike that ended at
// spikeEnd (from w.From), against target answers in time per second,
// averaged over windows of length window. A window of no bins, or a window
// longer than what follows the spike, never recovers.
func MeasureRecovery(w *loadclient.Window, spikeEnd time.Duration, target float64, window time.Duration) Recovery {
	bin := w.BinWidth()
	total := w.To.Sub(w.From)
	rest := max(total-spikeEnd, 0)
	r := Recovery{Seconds: rest.Seconds(), Target: target, Bin: bin, Window: window}
	if bin <= 0 {
		return r
	}
	k := max(int((window+bin/2)/bin), 1)
	first := int((spikeEnd + bin - 1) / bin) // the first bin wholly after the spike
	last := len(w.Bins) - k                  // the last window's first bin
	need := RecoveryShare * target * (time.Duration(k) * bin).Seconds()
	from := -1
	for j := last; j >= first; j-- {
		var got uint64
		for _, b := range w.Bins[j : j+k] {
			got += b.InTime
		}
		if float64(got) < need {
			break
		}
		from = j
	}
	if from < 0 {
		return r
	}
	r.Seconds = max(time.Duration(from)*bin-spikeEnd, 0).Seconds()
	r.Recovered = true
	return r
}

// spike returns where s's highest phase ends, from the start of the
// measured period, and the load of the last phase: the load the run must
// recover to.
func (s Scenario) spike() (end time.Duration, after float64) {
	high := 0
	for i, ph := range s.Shape {
		if ph.Load > s.Shape[high].Load {
			high = i
		}
	}
	for _, ph := range s.Shape[:high+1] {
		end += ph.For
	}
	return end, s.Shape[len(s.Shape)-1].Load
}

package loadclient

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/tcpimg/tcpimg/core"
)

func TestWindowCountsByArrival(t *testing.T) {
	from := time.Unix(100, 0)
	tl := NewTally()
	tl.SetWindow(from, from.Add(time.Second), 4)
	tests := []struct {
		at      time.Duration // after from
		status  core.Status
		warmup  bool
		service uint32 // µs
	}{
		{-time.Millisecond, core.StatusOK, true, 1}, // before: not counted
		{0, core.StatusOK, true, 10},                // an answer to a warm-up request, read inside: counted
		{260 * time.Millisecond, core.StatusBusy, false, 0},
		{999 * time.Millisecond, core.StatusOK, false, 30},
		{time.Second, core.StatusOK, false, 1000}, // the end is outside
	}
	for i, tt := range tests {
		tl.add(&Result{Response: &core.Response{ResponseHeader: core.ResponseHeader{Status: tt.status, JobID: uint64(i), ServiceUS: tt.service}},
			At: from.Add(tt.at), Warmup: tt.warmup}, true, 0)
	}
	w := tl.Counts().Window
	assert.Equal(t, uint64(2), w.Status[core.StatusOK])
	assert.Equal(t, uint64(1), w.Status[core.StatusBusy])
	assert.Equal(t, uint64(3), w.Answered())
	assert.Equal(t, uint64(1), w.Bins[0].Status[core.StatusOK])
	assert.Equal(t, uint64(1), w.Bins[1].Status[core.StatusBusy])
	assert.Equal(t, uint64(1), w.Bins[3].Status[core.StatusOK])
	assert.Equal(t, []uint64{10, 0, 0, 30}, []uint64{w.Bins[0].OKServiceUS, w.Bins[1].OKServiceUS, w.Bins[2].OKServiceUS, w.Bins[3].OKServiceUS})
	assert.Equal(t, uint64(40), w.ServiceUS)
	assert.Equal(t, uint64(3), tl.Counts().Status[core.StatusOK]+tl.Counts().Status[core.StatusBusy], "counts by request leave out the warm-up")
}

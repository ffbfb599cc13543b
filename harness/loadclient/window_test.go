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
		at     time.Duration // after from
		status core.Status
		warmup bool
	}{
		{-time.Millisecond, core.StatusOK, true}, // before: not counted
		{0, core.StatusOK, true},                 // an answer to a warm-up request, read inside: counted
		{260 * time.Millisecond, core.StatusBusy, false},
		{999 * time.Millisecond, core.StatusOK, false},
		{time.Second, core.StatusOK, false}, // the end is outside
	}
	for i, tt := range tests {
		tl.add(&Result{Response: &core.Response{ResponseHeader: core.ResponseHeader{Status: tt.status, JobID: uint64(i)}},
			At: from.Add(tt.at), Warmup: tt.warmup}, true)
	}
	w := tl.Counts().Window
	assert.Equal(t, uint64(2), w.Status[core.StatusOK])
	assert.Equal(t, uint64(1), w.Status[core.StatusBusy])
	assert.Equal(t, uint64(3), w.Answered())
	assert.Equal(t, uint64(1), w.Bins[0].Status[core.StatusOK])
	assert.Equal(t, uint64(1), w.Bins[1].Status[core.StatusBusy])
	assert.Equal(t, uint64(1), w.Bins[3].Status[core.StatusOK])
	assert.Equal(t, uint64(3), tl.Counts().Status[core.StatusOK]+tl.Counts().Status[core.StatusBusy], "counts by request leave out the warm-up")
}

package core_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tcpimg/tcpimg/core"
	"github.com/tcpimg/tcpimg/strategies"
)

// TestCodelShedsStaleJobs sends one worker forty 5 ms SLEEP jobs at once: a
// standing queue of 200 ms against a CoDel target of 1 ms and an interval
// of 20 ms. The CoDel pools must answer the jobs that went stale BUSY
// without running them, and count them as shed; the pools that do not shed
// must run them all. The assertions are on statuses and counters, which
// the timing of a loaded machine can only push further into overload.
func TestCodelShedsStaleJobs(t *testing.T) {
	tests := []struct {
		pool     string
		wantShed bool
	}{
		{"codel", true},
		{"codel-lifo", true},
		{"demand-lifo", true},
		{"adaptive-lifo", false},
		{"mutex-queue", false},
	}
	const jobs = 40
	size := strategies.PoolConfig{Workers: 1, QueueSize: 64, CodelTarget: time.Millisecond, CodelInterval: 20 * time.Millisecond}
	for _, tt := range tests {
		t.Run("pool="+tt.pool, func(t *testing.T) {
			ts := startServer(t, withPool(t, tt.pool, size, core.Config{}))
			c := dial(t, ts.Addr)
			for i := range jobs {
				require.NoError(t, c.SendBuffered(core.RequestHeader{Op: core.OpSleep, JobID: uint64(i + 1), Arg1: 5000}, nil))
			}
			require.NoError(t, c.Flush())
			byStatus := map[core.Status]int{}
			for _, r := range recvAll(t, c, jobs) {
				byStatus[r.Status]++
				if r.Status == core.StatusBusy {
					assert.Zero(t, r.QueueUS, "a shed job never started: job %d", r.JobID)
					assert.Zero(t, r.ServiceUS, "a shed job never ran: job %d", r.JobID)
				}
			}
			require.Eventually(t, func() bool { return ts.Stats().InFlight == 0 }, 5*time.Second, time.Millisecond)
			st := ts.Stats()
			assert.Equal(t, jobs, byStatus[core.StatusOK]+byStatus[core.StatusBusy], "answers %v", byStatus)
			assert.Equal(t, uint64(jobs), st.Accepted, "every job was accepted: %+v", st)
			assert.Zero(t, st.Busy, "nothing was refused at admission: %+v", st)
			assert.Equal(t, uint64(byStatus[core.StatusOK]), st.Completed, "%+v", st)
			assert.Equal(t, uint64(byStatus[core.StatusBusy]), st.Shed, "%+v", st)
			assert.Equal(t, st.Accepted, st.Completed+st.Failed+st.TimedOut+st.Shed+st.Dropped, "%+v", st)
			assert.Positive(t, byStatus[core.StatusOK], "the fresh jobs ran")
			if tt.wantShed {
				assert.Positive(t, byStatus[core.StatusBusy], "stale jobs were run instead of shed")
			} else {
				assert.Zero(t, byStatus[core.StatusBusy], "a pool without CoDel shed jobs")
			}
		})
	}
}

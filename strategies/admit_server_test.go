package strategies_test

import (
	"bytes"
	"context"
	"log/slog"
	"net"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tcpimg/tcpimg/core"
	"github.com/tcpimg/tcpimg/strategies"
)

// admitServer serves spec on 127.0.0.1:0 with an operation that holds its
// worker until release is closed, and returns the server and a client
// connection. Cleanup closes both and waits for the server.
func admitServer(t *testing.T, spec strategies.Spec, release <-chan struct{}) (*core.Server, *core.ClientConn) {
	t.Helper()
	hold := func(ctx context.Context, _ *core.RequestHeader, _ []byte, _ *bytes.Buffer) error {
		select {
		case <-release:
		case <-ctx.Done():
		}
		return nil
	}
	srv, err := strategies.NewServer(spec, core.Config{Process: hold, Logger: slog.New(slog.DiscardHandler)})
	require.NoError(t, err)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	c, err := core.Dial(ln.Addr().String())
	require.NoError(t, err)
	t.Cleanup(func() {
		c.Close()
		srv.Close()
		assert.ErrorIs(t, <-served, core.ErrServerClosed)
	})
	return srv, c
}

// send pipelines NOOP requests with the given job ids.
func send(t *testing.T, c *core.ClientConn, ids ...uint64) {
	t.Helper()
	for _, id := range ids {
		require.NoError(t, c.SendBuffered(core.RequestHeader{Version: core.Version, Op: core.OpNoop, JobID: id}, nil))
	}
	require.NoError(t, c.Flush())
}

// recvStatus reads one response and requires its job id and status.
func recvStatus(t *testing.T, c *core.ClientConn, id uint64, want core.Status) {
	t.Helper()
	r, err := c.Recv()
	require.NoError(t, err)
	assert.Equal(t, id, r.JobID)
	assert.Equal(t, want, r.Status, "job %d: %s", id, r.Payload)
}

// requireBalanced requires the server's counters to add up, with nothing
// in flight.
func requireBalanced(t *testing.T, st core.Stats) {
	t.Helper()
	require.Zero(t, st.InFlight)
	require.Equal(t, st.Accepted, st.Completed+st.Failed+st.TimedOut+st.Dropped)
}

// TestAdmitThroughServer runs every admission limit in a real server: jobs
// that hold their workers fill the limit, the next request is answered
// BUSY at once, the limit shows in the server's stats, and once the jobs
// finish every slot is back and the counters balance.
func TestAdmitThroughServer(t *testing.T) {
	cfg := strategies.PoolConfig{Workers: 2, QueueSize: 6} // limits 2..8, starting at 4
	for _, e := range strategies.Admitters() {
		t.Run("admit="+e.Name, func(t *testing.T) {
			release := make(chan struct{})
			srv, c := admitServer(t, strategies.Spec{Admit: e.Name, PoolConfig: cfg}, release)
			as, ok := srv.AdmitStats()
			if !e.Adaptive {
				assert.False(t, ok, "no admitter, no admission stats")
				close(release)
				return
			}
			require.True(t, ok)
			limit := as.Limit
			require.Equal(t, 4, limit, "initial limit of 2 workers: 2 x workers")
			ids := make([]uint64, limit+1)
			for i := range ids {
				ids[i] = uint64(i + 1)
			}
			send(t, c, ids...)
			// The first limit jobs hold their slots, so the one after them
			// is the first answered.
			recvStatus(t, c, uint64(limit+1), core.StatusBusy)
			as, _ = srv.AdmitStats()
			assert.Equal(t, core.AdmitStats{Limit: limit, InFlight: limit, Refused: 1}, as)
			st := srv.Stats()
			assert.Equal(t, uint64(1), st.Busy)
			assert.Equal(t, uint64(limit), st.Accepted)

			close(release)
			for range limit {
				r, err := c.Recv()
				require.NoError(t, err)
				assert.Equal(t, core.StatusOK, r.Status)
			}
			as, _ = srv.AdmitStats()
			assert.Zero(t, as.InFlight, "every slot back once every answer is in")
			assert.True(t, 2 <= as.Limit && as.Limit <= 8, "limit %d out of 2..8", as.Limit)
			st = srv.Stats()
			requireBalanced(t, st)
			assert.Equal(t, uint64(limit), st.Completed)
		})
	}
}

// TestAdmitLearnsFromPoolRefusals puts aimd (limit 4) in front of ants,
// which has no queue and so holds only its 2 workers' jobs: the 3rd and 4th
// jobs are admitted, refused by the pool, answered BUSY and released as
// shed, and each shed job takes a tenth off the limit (4 to 3 to 2); the
// 5th is then refused by the admitter itself.
func TestAdmitLearnsFromPoolRefusals(t *testing.T) {
	release := make(chan struct{})
	spec := strategies.Spec{Pool: "ants", Admit: "aimd", PoolConfig: strategies.PoolConfig{Workers: 2, QueueSize: 6}}
	srv, c := admitServer(t, spec, release)
	send(t, c, 1, 2, 3, 4)
	recvStatus(t, c, 3, core.StatusBusy)
	recvStatus(t, c, 4, core.StatusBusy)
	as, _ := srv.AdmitStats()
	assert.Equal(t, core.AdmitStats{Limit: 2, InFlight: 2, Refused: 0}, as)
	send(t, c, 5)
	recvStatus(t, c, 5, core.StatusBusy)
	as, _ = srv.AdmitStats()
	assert.Equal(t, core.AdmitStats{Limit: 2, InFlight: 2, Refused: 1}, as)
	close(release)
	for range 2 {
		r, err := c.Recv()
		require.NoError(t, err)
		assert.Equal(t, core.StatusOK, r.Status)
	}
	st := srv.Stats()
	requireBalanced(t, st)
	assert.Equal(t, uint64(3), st.Busy)
	assert.Equal(t, uint64(2), st.Completed)
}

package core_test

import (
	"bytes"
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tcpimg/tcpimg/core"
	"github.com/tcpimg/tcpimg/strategies/adaptive"
)

// release is one Release an admitter saw: the ticket's load and the sample.
type release struct {
	inFlight int
	sample   core.Sample
}

// fixedLimit is an adaptive algorithm that never moves its limit.
type fixedLimit int

func (n fixedLimit) Limit() int                 { return int(n) }
func (n fixedLimit) Update(adaptive.Sample) int { return int(n) }

// recordingAdmitter is a fixed limit that records every release, in order.
type recordingAdmitter struct {
	*adaptive.Admitter
	mu       sync.Mutex
	released []release
}

func newRecordingAdmitter(limit int) *recordingAdmitter {
	return &recordingAdmitter{Admitter: adaptive.New(fixedLimit(limit))}
}

func (a *recordingAdmitter) Release(t core.Ticket, s core.Sample) {
	a.mu.Lock()
	a.released = append(a.released, release{t.InFlight, s})
	a.mu.Unlock()
	a.Admitter.Release(t, s)
}

func (a *recordingAdmitter) outcomes() []core.Outcome {
	a.mu.Lock()
	defer a.mu.Unlock()
	var out []core.Outcome
	for _, r := range a.released {
		out = append(out, r.sample.Outcome)
	}
	return out
}

// TestAdmitterSeesEveryOutcome runs one worker behind an admission limit
// of 4: job 1 holds the worker, job 2's deadline passes while it waits
// (shed), jobs 3 and 4 run (done), job 5 is over the limit (BUSY, never
// admitted). The admitter must see each admitted job released once, in
// the order the single worker took them, with its wait and service time.
func TestAdmitterSeesEveryOutcome(t *testing.T) {
	hold := make(chan struct{})
	block := func(ctx context.Context, h *core.RequestHeader, p []byte, out *bytes.Buffer) error {
		if h.JobID == 1 {
			<-hold
		}
		return nil
	}
	adm := newRecordingAdmitter(4)
	ts := startServer(t, core.Config{Pool: chanPool(1, 8), Process: block, Admit: adm})
	c := dial(t, ts.Addr)
	require.NoError(t, c.Send(core.RequestHeader{Op: core.OpSpin, JobID: 1, Arg1: 1}, nil))
	require.NoError(t, c.Send(core.RequestHeader{Op: core.OpSpin, JobID: 2, Arg1: 1, Deadline: 1}, nil))
	require.NoError(t, c.Send(core.RequestHeader{Op: core.OpSpin, JobID: 3, Arg1: 1}, nil))
	require.NoError(t, c.Send(core.RequestHeader{Op: core.OpSpin, JobID: 4, Arg1: 1}, nil))
	require.NoError(t, c.Send(core.RequestHeader{Op: core.OpSpin, JobID: 5, Arg1: 1}, nil))
	r, err := c.Recv()
	require.NoError(t, err)
	assert.Equal(t, uint64(5), r.JobID, "the job over the limit is answered first")
	assert.Equal(t, core.StatusBusy, r.Status)
	st, ok := ts.AdmitStats()
	require.True(t, ok)
	assert.Equal(t, core.AdmitStats{Limit: 4, InFlight: 4, Refused: 1}, st)
	// Hold job 1 until job 2's deadline has surely passed.
	deadline := time.Now().Add(5 * time.Millisecond)
	assert.Eventually(t, func() bool { return time.Now().After(deadline) }, time.Second, time.Millisecond)
	close(hold)
	got := map[uint64]core.Status{}
	for _, r := range recvAll(t, c, 4) {
		got[r.JobID] = r.Status
	}
	assert.Equal(t, map[uint64]core.Status{1: core.StatusOK, 2: core.StatusTimeout, 3: core.StatusOK, 4: core.StatusOK}, got)

	adm.mu.Lock()
	rel := adm.released
	adm.mu.Unlock()
	require.Len(t, rel, 4, "released before each answer was written")
	for i, want := range []core.Outcome{core.OutcomeDone, core.OutcomeShed, core.OutcomeDone, core.OutcomeDone} {
		assert.Equal(t, i+1, rel[i].inFlight, "release %d: load at admission", i)
		assert.Equal(t, want, rel[i].sample.Outcome, "release %d", i)
	}
	assert.GreaterOrEqual(t, rel[0].sample.Service, 5*time.Millisecond, "job 1 ran while held")
	assert.Greater(t, rel[1].sample.Wait, time.Millisecond, "job 2 waited past its deadline")
	assert.Zero(t, rel[1].sample.Service, "job 2 never ran")
	assert.Equal(t, core.AdmitStats{Limit: 4, InFlight: 0, Refused: 1}, adm.Stats())
	s := ts.Stats()
	assert.Equal(t, uint64(1), s.Busy)
	assert.Equal(t, uint64(4), s.Accepted)
	assert.Equal(t, s.Accepted, s.Completed+s.Failed+s.TimedOut+s.Dropped+uint64(s.InFlight))
}

// TestAdmitterFreesDroppedJobs breaks a connection (it stops inside a
// frame) while one admitted job runs and two wait: the two are dropped,
// and their slots come back without teaching the admitter anything
// about load.
func TestAdmitterFreesDroppedJobs(t *testing.T) {
	block := func(ctx context.Context, h *core.RequestHeader, p []byte, out *bytes.Buffer) error {
		<-ctx.Done()
		return nil
	}
	adm := newRecordingAdmitter(4)
	ts := startServer(t, core.Config{Pool: chanPool(1, 8), Process: block, Admit: adm})
	c := dial(t, ts.Addr)
	for id := range uint64(3) {
		require.NoError(t, c.Send(core.RequestHeader{Op: core.OpSpin, JobID: id + 1, Arg1: 1}, nil))
	}
	require.Eventually(t, func() bool { return adm.Stats().InFlight == 3 }, 5*time.Second, time.Millisecond)
	_, err := c.Conn().Write([]byte("TIMQ"))
	require.NoError(t, err)
	require.NoError(t, c.Close())
	require.Eventually(t, func() bool { return adm.Stats().InFlight == 0 }, 5*time.Second, time.Millisecond)
	assert.Equal(t, []core.Outcome{core.OutcomeDone, core.OutcomeDropped, core.OutcomeDropped}, adm.outcomes())
	require.Eventually(t, func() bool { return ts.Stats().InFlight == 0 }, 5*time.Second, time.Millisecond)
	s := ts.Stats()
	assert.Equal(t, uint64(2), s.Dropped)
	assert.Equal(t, s.Accepted, s.Completed+s.Failed+s.TimedOut+s.Dropped)
}

func TestOutcomeString(t *testing.T) {
	tests := []struct {
		give core.Outcome
		want string
	}{
		{core.OutcomeDone, "done"},
		{core.OutcomeShed, "shed"},
		{core.OutcomeDropped, "dropped"},
		{core.Outcome(9), "outcome(9)"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, tt.give.String())
	}
}

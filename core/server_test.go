package core_test

import (
	"bytes"
	"context"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tcpimg/tcpimg/core"
	"github.com/tcpimg/tcpimg/strategies"
)

func TestPipelinedOutOfOrder(t *testing.T) {
	forEachPool(t, testPipelinedOutOfOrder)
}

func testPipelinedOutOfOrder(t *testing.T, pool string) {
	// Block admission and no shedding: every strategy answers every job.
	ts := startServer(t, withPool(t, pool, noShedding(strategies.PoolConfig{Workers: 8, QueueSize: 256}), core.Config{Admission: core.AdmissionBlock}))
	c := dial(t, ts.Addr)
	const n = 200
	// Early requests sleep longest, so with 8 workers later ones overtake them.
	for i := range n {
		us := uint32(20_000 - i*100)
		require.NoError(t, c.SendBuffered(core.RequestHeader{Op: core.OpSleep, JobID: uint64(1000 + i), Arg1: us}, nil))
	}
	require.NoError(t, c.Flush())
	seen := map[uint64]int{}
	var order []uint64
	for _, r := range recvAll(t, c, n) {
		require.Equal(t, core.StatusOK, r.Status, "job %d: %s", r.JobID, r.Payload)
		seen[r.JobID]++
		order = append(order, r.JobID)
		assert.NotZero(t, r.ServiceUS, "service time of job %d", r.JobID)
	}
	require.Len(t, seen, n)
	for id, k := range seen {
		require.Equal(t, 1, k, "job %d answered %d times", id, k)
		require.True(t, id >= 1000 && id < 1000+n, "unknown job id %d", id)
	}
	inOrder := true
	for i := 1; i < len(order); i++ {
		if order[i] < order[i-1] {
			inOrder = false
		}
	}
	assert.False(t, inOrder, "responses came back in request order; want them as jobs finish")
}

func TestNoopEchoesPayload(t *testing.T) {
	forEachPool(t, testNoopEchoesPayload)
}

func testNoopEchoesPayload(t *testing.T, pool string) {
	ts := startServer(t, withPool(t, pool, strategies.PoolConfig{QueueSize: core.DefaultQueueSize}, core.Config{}))
	c := dial(t, ts.Addr)
	tests := []struct {
		name string
		give []byte
	}{
		{"empty", nil},
		{"small", []byte("hello")},
		{"64KiB", bytes.Repeat([]byte{0xAB, 0x01}, 32<<10)},
		{"odd size over a class", bytes.Repeat([]byte{7}, 5000)},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.NoError(t, c.Send(core.RequestHeader{Op: core.OpNoop, JobID: uint64(i + 1)}, tt.give))
			r := recvAll(t, c, 1)[0]
			require.Equal(t, core.StatusOK, r.Status)
			assert.Equal(t, uint64(i+1), r.JobID)
			assert.Equal(t, len(tt.give), len(r.Payload))
			assert.True(t, bytes.Equal(tt.give, r.Payload))
		})
	}
}

// TestRefusals covers every request the server answers without running it,
// and whether the connection stays open after, as PROTOCOL.md's table says.
func TestRefusals(t *testing.T) {
	tests := []struct {
		name       string
		give       []byte
		wantStatus core.Status
		wantID     uint64
		wantClosed bool
	}{
		{"wrong magic", rawHeader("XXXX", 1, 0, 0, 0, 7, 0, 0, 0, 0), core.StatusBadRequest, 0, true},
		{"response magic", rawHeader("TIMS", 1, 0, 0, 0, 7, 0, 0, 0, 0), core.StatusBadRequest, 0, true},
		{"version 2", rawHeader("TIMQ", 2, 0, 0, 0, 7, 0, 0, 0, 0), core.StatusUnsupported, 0, true},
		{"version 0", rawHeader("TIMQ", 0, 0, 0, 0, 7, 0, 0, 0, 0), core.StatusUnsupported, 0, true},
		{"length just over the limit", rawHeader("TIMQ", 1, 0, 0, 0, 7, 0, 0, 0, 4097), core.StatusTooLarge, 7, true},
		{"length 0xFFFFFFFF", rawHeader("TIMQ", 1, 0, 0, 0, 7, 0, 0, 0, 0xFFFFFFFF), core.StatusTooLarge, 7, true},
		{"unknown op", rawHeader("TIMQ", 1, 9, 0, 0, 7, 0, 0, 0, 0), core.StatusBadRequest, 7, false},
		{"unknown format", rawHeader("TIMQ", 1, 0, 3, 0, 7, 0, 0, 0, 0), core.StatusBadRequest, 7, false},
		{"quality 101", rawHeader("TIMQ", 1, 0, 2, 101, 7, 0, 0, 0, 0), core.StatusBadRequest, 7, false},
		{"blur radius 0", rawHeader("TIMQ", 1, 3, 0, 0, 7, 0, 0, 0, 0), core.StatusBadRequest, 7, false},
		{"blur radius 65", rawHeader("TIMQ", 1, 3, 0, 0, 7, 65, 0, 0, 0), core.StatusBadRequest, 7, false},
		{"spin 0", rawHeader("TIMQ", 1, 4, 0, 0, 7, 0, 0, 0, 0), core.StatusBadRequest, 7, false},
		{"spin over the maximum", rawHeader("TIMQ", 1, 4, 0, 0, 7, 10_000_001, 0, 0, 0), core.StatusBadRequest, 7, false},
		{"sleep over the maximum", rawHeader("TIMQ", 1, 5, 0, 0, 7, 10_000_001, 0, 0, 0), core.StatusBadRequest, 7, false},
		{"thumbnail 0x0", rawHeader("TIMQ", 1, 1, 0, 0, 7, 0, 0, 0, 0), core.StatusBadRequest, 7, false},
		{"grayscale of nothing", rawHeader("TIMQ", 1, 2, 0, 0, 7, 0, 0, 0, 0), core.StatusBadRequest, 7, false},
	}
	forEachPool(t, func(t *testing.T, pool string) {
		ts := startServer(t, withPool(t, pool, strategies.PoolConfig{QueueSize: core.DefaultQueueSize}, core.Config{Limits: core.Limits{MaxFrame: 4096}}))
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				c := dial(t, ts.Addr)
				_, err := c.Conn().Write(tt.give)
				require.NoError(t, err)
				r := recvAll(t, c, 1)[0]
				assert.Equal(t, tt.wantStatus, r.Status, "message %q", r.Payload)
				assert.Equal(t, tt.wantID, r.JobID)
				assert.NotEmpty(t, r.Payload, "an error response carries a message")
				assert.LessOrEqual(t, len(r.Payload), core.MaxMessage)
				if tt.wantClosed {
					expectClosed(t, c)
					return
				}
				// Still usable.
				require.NoError(t, c.Send(core.RequestHeader{Op: core.OpNoop, JobID: 99}, []byte("ok")))
				r = recvAll(t, c, 1)[0]
				assert.Equal(t, core.StatusOK, r.Status)
				assert.Equal(t, uint64(99), r.JobID)
			})
		}
	})
}

// TestFatalAnswersInFlightFirst: after a framing error the server still
// answers the jobs it had accepted on that connection, then closes.
func TestFatalAnswersInFlightFirst(t *testing.T) {
	forEachPool(t, testFatalAnswersInFlightFirst)
}

func testFatalAnswersInFlightFirst(t *testing.T, pool string) {
	ts := startServer(t, withPool(t, pool, strategies.PoolConfig{Workers: 2, QueueSize: core.DefaultQueueSize}, core.Config{Admission: core.AdmissionBlock}))
	c := dial(t, ts.Addr)
	for i := range 5 {
		require.NoError(t, c.SendBuffered(core.RequestHeader{Op: core.OpSleep, JobID: uint64(i + 1), Arg1: 30_000}, nil))
	}
	require.NoError(t, c.Flush())
	_, err := c.Conn().Write(rawHeader("JUNK", 1, 0, 0, 0, 77, 0, 0, 0, 0))
	require.NoError(t, err)
	got := map[uint64]core.Status{}
	for _, r := range recvAll(t, c, 6) {
		got[r.JobID] = r.Status
	}
	assert.Equal(t, map[uint64]core.Status{0: core.StatusBadRequest, 1: 0, 2: 0, 3: 0, 4: 0, 5: 0}, got)
	expectClosed(t, c)
}

func TestHalfCloseAnswersEverything(t *testing.T) {
	forEachPool(t, testHalfCloseAnswersEverything)
}

func testHalfCloseAnswersEverything(t *testing.T, pool string) {
	ts := startServer(t, withPool(t, pool, strategies.PoolConfig{Workers: 2, QueueSize: core.DefaultQueueSize}, core.Config{Admission: core.AdmissionBlock}))
	c := dial(t, ts.Addr)
	for i := range 20 {
		require.NoError(t, c.SendBuffered(core.RequestHeader{Op: core.OpSleep, JobID: uint64(i), Arg1: 2000}, nil))
	}
	require.NoError(t, c.CloseWrite())
	rs := recvAll(t, c, 20)
	for _, r := range rs {
		assert.Equal(t, core.StatusOK, r.Status)
	}
	expectClosed(t, c)
}

func TestBusyWhenQueueFull(t *testing.T) {
	release := make(chan struct{})
	started := make(chan struct{}, 10)
	block := func(ctx context.Context, h *core.RequestHeader, p []byte, out *bytes.Buffer) error {
		started <- struct{}{}
		<-release
		return nil
	}
	ts := startServer(t, core.Config{Pool: chanPool(1, 2), Process: block})
	c := dial(t, ts.Addr)
	require.NoError(t, c.Send(core.RequestHeader{Op: core.OpSpin, JobID: 1, Arg1: 1}, nil))
	<-started // the worker is busy; now fill the queue and overflow it
	for id := uint64(2); id <= 5; id++ {
		require.NoError(t, c.SendBuffered(core.RequestHeader{Op: core.OpSpin, JobID: id, Arg1: 1}, nil))
	}
	require.NoError(t, c.Flush())
	busy := recvAll(t, c, 2)
	for _, r := range busy {
		assert.Equal(t, core.StatusBusy, r.Status)
		assert.Contains(t, []uint64{4, 5}, r.JobID)
	}
	close(release)
	for _, r := range recvAll(t, c, 3) {
		assert.Equal(t, core.StatusOK, r.Status)
		assert.Contains(t, []uint64{1, 2, 3}, r.JobID)
	}
	st := ts.Stats()
	assert.Equal(t, uint64(2), st.Busy)
	assert.Equal(t, uint64(3), st.Completed)
}

func TestBlockAdmissionAppliesBackpressure(t *testing.T) {
	release := make(chan struct{})
	block := func(ctx context.Context, h *core.RequestHeader, p []byte, out *bytes.Buffer) error {
		<-release
		return nil
	}
	ts := startServer(t, core.Config{Pool: chanPool(1, 1), Admission: core.AdmissionBlock, Process: block})
	c := dial(t, ts.Addr)
	for id := range uint64(6) {
		require.NoError(t, c.SendBuffered(core.RequestHeader{Op: core.OpSpin, JobID: id, Arg1: 1}, nil))
	}
	require.NoError(t, c.Flush())
	// One running, one queued, the reader blocked submitting the third (not
	// accepted until the pool takes it) and reading no further.
	assert.Eventually(t, func() bool { return ts.Stats().Accepted == 2 }, 5*time.Second, time.Millisecond)
	assert.Never(t, func() bool { return ts.Stats().Accepted > 2 }, 100*time.Millisecond, 5*time.Millisecond)
	close(release)
	for _, r := range recvAll(t, c, 6) {
		assert.Equal(t, core.StatusOK, r.Status)
	}
	assert.Zero(t, ts.Stats().Busy)
}

func TestInflightWindowStopsReading(t *testing.T) {
	release := make(chan struct{})
	block := func(ctx context.Context, h *core.RequestHeader, p []byte, out *bytes.Buffer) error {
		<-release
		return nil
	}
	ts := startServer(t, core.Config{Pool: chanPool(4, 100), Process: block, Limits: core.Limits{MaxInflight: 3}})
	c := dial(t, ts.Addr)
	for id := range uint64(10) {
		require.NoError(t, c.SendBuffered(core.RequestHeader{Op: core.OpSpin, JobID: id, Arg1: 1}, nil))
	}
	require.NoError(t, c.Flush())
	assert.Eventually(t, func() bool { return ts.Stats().Accepted == 3 }, 5*time.Second, time.Millisecond)
	// The window is full: no more requests are read while nothing is answered.
	assert.Never(t, func() bool { return ts.Stats().Accepted > 3 }, 100*time.Millisecond, 5*time.Millisecond)
	close(release)
	for _, r := range recvAll(t, c, 10) {
		assert.Equal(t, core.StatusOK, r.Status)
	}
}

func TestDeadlineTimeout(t *testing.T) {
	release := make(chan struct{})
	block := func(ctx context.Context, h *core.RequestHeader, p []byte, out *bytes.Buffer) error {
		if h.JobID == 1 {
			<-release
		}
		return nil
	}
	ts := startServer(t, core.Config{Pool: chanPool(1, core.DefaultQueueSize), Process: block})
	c := dial(t, ts.Addr)
	require.NoError(t, c.Send(core.RequestHeader{Op: core.OpSpin, JobID: 1, Arg1: 1}, nil))
	require.NoError(t, c.Send(core.RequestHeader{Op: core.OpSpin, JobID: 2, Arg1: 1, Deadline: 1}, nil))
	require.NoError(t, c.Send(core.RequestHeader{Op: core.OpSpin, JobID: 3, Arg1: 1, Deadline: 60_000}, nil))
	assert.Eventually(t, func() bool { return ts.Stats().Accepted == 3 }, 5*time.Second, time.Millisecond)
	// Hold job 1 until job 2's deadline has surely passed.
	deadline := time.Now().Add(5 * time.Millisecond)
	assert.Eventually(t, func() bool { return time.Now().After(deadline) }, time.Second, time.Millisecond)
	close(release)
	got := map[uint64]core.Response{}
	for _, r := range recvAll(t, c, 3) {
		got[r.JobID] = r
	}
	assert.Equal(t, core.StatusOK, got[1].Status)
	assert.Equal(t, core.StatusTimeout, got[2].Status)
	assert.Zero(t, got[2].QueueUS, "a job that never started reports no queue time")
	assert.Zero(t, got[2].ServiceUS)
	assert.Equal(t, core.StatusOK, got[3].Status)
	assert.Equal(t, uint64(1), ts.Stats().TimedOut)
}

func TestPanicAnswersInternal(t *testing.T) {
	boom := func(ctx context.Context, h *core.RequestHeader, p []byte, out *bytes.Buffer) error {
		if h.JobID == 13 {
			out.WriteString("partial")
			panic("injected")
		}
		return core.Process(ctx, h, p, out)
	}
	ts := startServer(t, core.Config{Pool: chanPool(1, core.DefaultQueueSize), Process: boom})
	c := dial(t, ts.Addr)
	require.NoError(t, c.Send(core.RequestHeader{Op: core.OpNoop, JobID: 13}, []byte("x")))
	r := recvAll(t, c, 1)[0]
	assert.Equal(t, core.StatusInternal, r.Status)
	assert.Contains(t, string(r.Payload), "injected")
	// The worker and the connection survive.
	require.NoError(t, c.Send(core.RequestHeader{Op: core.OpNoop, JobID: 14}, []byte("y")))
	r = recvAll(t, c, 1)[0]
	assert.Equal(t, core.StatusOK, r.Status)
	assert.Equal(t, "y", string(r.Payload))
	assert.Equal(t, uint64(1), ts.Stats().Panics)
}

func TestTimeouts(t *testing.T) {
	tests := []struct {
		name string
		give func(t *testing.T, c net.Conn)
	}{
		{"idle with nothing sent", func(t *testing.T, c net.Conn) {}},
		{"partial header", func(t *testing.T, c net.Conn) {
			_, err := c.Write([]byte("TIMQ\x01"))
			require.NoError(t, err)
		}},
		{"partial payload", func(t *testing.T, c net.Conn) {
			_, err := c.Write(rawHeader("TIMQ", 1, 0, 0, 0, 1, 0, 0, 0, 100))
			require.NoError(t, err)
		}},
	}
	ts := startServer(t, core.Config{Limits: core.Limits{IdleTimeout: 50 * time.Millisecond, FrameTimeout: 50 * time.Millisecond}})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := dial(t, ts.Addr)
			tt.give(t, c.Conn())
			expectClosed(t, c)
		})
	}
	assert.Zero(t, ts.Stats().Accepted, "no job may be queued from a partial frame")
}

func TestShutdownDrainsQueuedJobs(t *testing.T) {
	forEachPool(t, testShutdownDrainsQueuedJobs)
}

func testShutdownDrainsQueuedJobs(t *testing.T, pool string) {
	h := newHook(0)
	ts := startHooked(t, pool, noShedding(strategies.PoolConfig{Workers: 2, QueueSize: 100}), core.Config{Admission: core.AdmissionBlock}, h)
	c := dial(t, ts.Addr)
	const n = 50
	// Job 0 holds a worker until the test lets it go, so that the
	// connection still has a job in flight when the late request arrives,
	// however long shutdown takes to close the listener.
	require.NoError(t, c.SendBuffered(marked(0, markHold), nil))
	for i := 1; i < n; i++ {
		require.NoError(t, c.SendBuffered(core.RequestHeader{Op: core.OpSleep, JobID: uint64(i), Arg1: 5000}, nil))
	}
	require.NoError(t, c.Flush())
	require.Eventually(t, func() bool { return ts.Stats().Accepted == n }, 5*time.Second, time.Millisecond)
	h.waitHeld(t, 1)

	done := make(chan error, 1)
	go func() { done <- ts.Shutdown(context.Background()) }()
	// Requests that arrive after shutdown began are refused.
	require.Eventually(t, func() bool {
		_, err := net.Dial("tcp", ts.Addr)
		return err != nil
	}, 5*time.Second, time.Millisecond, "listener still accepting")
	require.NoError(t, c.Send(core.RequestHeader{Op: core.OpNoop, JobID: 500}, nil))

	// Job 0 is let go once the late request has been refused, so the
	// refusal cannot race the connection's close.
	var got []core.Response
	c.Conn().SetReadDeadline(time.Now().Add(20 * time.Second))
	for len(got) < n+1 {
		r, err := c.Recv()
		require.NoError(t, err, "after %d responses", len(got))
		got = append(got, r)
		if r.JobID == 500 {
			h.releaseHeld()
		}
	}
	ok, shutting := 0, 0
	for _, r := range got {
		switch r.Status {
		case core.StatusOK:
			ok++
			assert.Less(t, r.JobID, uint64(n))
		case core.StatusShuttingDown:
			shutting++
			assert.Equal(t, uint64(500), r.JobID)
		default:
			t.Errorf("job %d: %v %s", r.JobID, r.Status, r.Payload)
		}
	}
	assert.Equal(t, n, ok)
	assert.Equal(t, 1, shutting)
	expectClosed(t, c)
	require.NoError(t, <-done)
	st := ts.Stats()
	assert.Equal(t, uint64(n), st.Completed)
	assert.Zero(t, st.InFlight)
}

func TestMaxConnsHoldsAccept(t *testing.T) {
	ts := startServer(t, core.Config{Limits: core.Limits{MaxConns: 2}})
	a, b := dial(t, ts.Addr), dial(t, ts.Addr)
	for i, c := range []*core.ClientConn{a, b} {
		require.NoError(t, c.Send(core.RequestHeader{Op: core.OpNoop, JobID: uint64(i)}, nil))
		recvAll(t, c, 1)
	}
	third := dial(t, ts.Addr) // the kernel completes the handshake; the server does not serve it yet
	require.NoError(t, third.Send(core.RequestHeader{Op: core.OpNoop, JobID: 3}, nil))
	assert.Never(t, func() bool { return ts.Stats().Conns > 2 }, 100*time.Millisecond, 5*time.Millisecond)
	a.Close()
	r := recvAll(t, third, 1)[0]
	assert.Equal(t, core.StatusOK, r.Status)
	assert.Equal(t, 2, ts.Stats().ConnsMax)
}

func TestCloseIsImmediateAndIdempotent(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	srv, err := core.NewServer(core.Config{Pool: chanPool(1, core.DefaultQueueSize)})
	if err != nil {
		t.Fatal(err)
	}
	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.Serve(ln) }()
	c := dial(t, ln.Addr().String())
	for i := range 10 {
		require.NoError(t, c.SendBuffered(core.RequestHeader{Op: core.OpSleep, JobID: uint64(i), Arg1: 5_000_000}, nil))
	}
	require.NoError(t, c.Flush())
	require.Eventually(t, func() bool { return srv.Stats().Accepted == 10 }, 5*time.Second, time.Millisecond)
	start := time.Now()
	require.NoError(t, srv.Close())
	require.NoError(t, srv.Close())
	assert.Less(t, time.Since(start), 4*time.Second, "Close waited for sleeping jobs")
	require.ErrorIs(t, <-serveErr, core.ErrServerClosed)
	require.ErrorIs(t, srv.Serve(ln), core.ErrServerClosed)
	st := srv.Stats()
	assert.Zero(t, st.InFlight)
	assert.Equal(t, st.Accepted, st.Completed+st.Failed+st.TimedOut+st.Shed+st.Dropped)
}

// TestMemoryBudgetPushesBack: payload bytes held across connections are
// bounded; a reader whose payload does not fit waits until answers free
// the budget, and then everything is served.
func TestMemoryBudgetPushesBack(t *testing.T) {
	release := make(chan struct{})
	block := func(ctx context.Context, h *core.RequestHeader, p []byte, out *bytes.Buffer) error {
		<-release
		return nil
	}
	const size = 60 << 10
	ts := startServer(t, core.Config{Pool: chanPool(4, core.DefaultQueueSize), Process: block, Limits: core.Limits{MaxMemory: 100 << 10}})
	a, b := dial(t, ts.Addr), dial(t, ts.Addr)
	payload := make([]byte, size)
	require.NoError(t, a.Send(core.RequestHeader{Op: core.OpNoop, JobID: 1}, payload))
	require.Eventually(t, func() bool { return ts.Stats().Accepted == 1 }, 5*time.Second, time.Millisecond)
	require.NoError(t, b.Send(core.RequestHeader{Op: core.OpNoop, JobID: 2}, payload))
	assert.Never(t, func() bool { return ts.Stats().Accepted > 1 }, 100*time.Millisecond, 5*time.Millisecond,
		"a second 60 KiB payload was read within a 100 KiB budget")
	close(release)
	for _, c := range []*core.ClientConn{a, b} {
		r := recvAll(t, c, 1)[0]
		assert.Equal(t, core.StatusOK, r.Status)
	}
}

// TestStatsOnlyGrow samples the counters while most requests are refused
// BUSY by a pool with no queue and the rest finish at once: no counter may
// step back, and every sample must balance.
func TestStatsOnlyGrow(t *testing.T) {
	ts := startServer(t, core.Config{Pool: chanPool(1, 0)})
	const conns, each = 4, 500
	done := make(chan struct{})
	var samples []core.Stats
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		for {
			select {
			case <-done:
				return
			default:
				samples = append(samples, ts.Stats())
			}
		}
	}()
	var wg sync.WaitGroup
	for range conns {
		c := dial(t, ts.Addr)
		wg.Go(func() {
			for id := range uint64(each) {
				assert.NoError(t, c.SendBuffered(core.RequestHeader{Op: core.OpNoop, JobID: id}, nil))
			}
			assert.NoError(t, c.Flush())
			recvAll(t, c, each)
		})
	}
	wg.Wait()
	close(done)
	<-sampled
	require.NotEmpty(t, samples)
	prev := samples[0]
	for _, st := range samples {
		require.Equal(t, st.Accepted, st.Completed+st.Failed+st.TimedOut+st.Shed+st.Dropped+uint64(st.InFlight), "%+v", st)
		require.GreaterOrEqual(t, st.Accepted, prev.Accepted, "Accepted stepped back: %+v after %+v", st, prev)
		require.GreaterOrEqual(t, st.Busy, prev.Busy)
		require.GreaterOrEqual(t, st.Completed, prev.Completed)
		prev = st
	}
	last := samples[len(samples)-1]
	assert.Positive(t, last.Busy, "the test needs refusals to mean anything")
	t.Logf("%d samples, final %+v", len(samples), ts.Stats())
}

package core_test

// Hostile connections: clients that trickle, idle, never read, or vanish
// mid-batch. Cases that wait on a server timeout run their pools in
// parallel to keep the suite short; none of them measures the process as a
// whole (memory, descriptors), which parallel tests would disturb.

import (
	"net"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tcpimg/tcpimg/core"
	"github.com/tcpimg/tcpimg/strategies"
)

// trickle writes prefix at once and then data one byte per tick, until all
// is written or a write fails (the server closed). It reports how many
// bytes of data were written.
func trickle(nc net.Conn, prefix, data []byte, tick time.Duration) <-chan int {
	done := make(chan int, 1)
	go func() {
		n := 0
		defer func() { done <- n }()
		if _, err := nc.Write(prefix); err != nil {
			return
		}
		t := time.NewTicker(tick)
		defer t.Stop()
		for n < len(data) {
			<-t.C
			if _, err := nc.Write(data[n : n+1]); err != nil {
				return
			}
			n++
		}
	}()
	return done
}

// Slowloris: a frame trickled a byte at a time defeats a per-read
// timeout but not the frame deadline, which runs from the frame's first
// byte: the connection is closed when it passes, without an answer, and no
// job is queued. The pace keeps PROTOCOL.md's ratio of one byte per second
// against the 10 s default, scaled down: a byte every 20 ms against 200 ms.
// A well-behaved client is served meanwhile. Over TLS each trickled byte
// is a record of its own, which the frame deadline bounds the same way.
func TestHostileSlowloris(t *testing.T) {
	const (
		frameTimeout = 200 * time.Millisecond
		tick         = 20 * time.Millisecond
	)
	payload := make([]byte, 64)
	tests := []struct {
		name     string
		prefix   []byte // sent at once
		trickled []byte // sent a byte per tick
	}{
		{"header trickled", nil, rawHeader("TIMQ", 1, 0, 0, 0, 1, 0, 0, 0, 0)},
		{"payload trickled", rawHeader("TIMQ", 1, 0, 0, 0, 2, 0, 0, 0, uint32(len(payload))), payload},
	}
	forEachTransport(t, func(t *testing.T, tr transport) {
		forEachPool(t, func(t *testing.T, pool string) {
			t.Parallel()
			ts := startServer(t, withPool(t, pool, strategies.PoolConfig{Workers: 1, QueueSize: core.DefaultQueueSize}, core.Config{TLS: tr.server, Limits: core.Limits{
				FrameTimeout: frameTimeout, IdleTimeout: 20 * time.Second}}))
			type trickler struct {
				c     *core.ClientConn
				start time.Time
				sent  <-chan int
			}
			var tricklers []trickler
			for _, tt := range tests {
				c := tr.dial(t, ts.Addr)
				tricklers = append(tricklers, trickler{c, time.Now(), trickle(c.Conn(), tt.prefix, tt.trickled, tick)})
			}
			good := tr.dial(t, ts.Addr)
			require.NoError(t, good.Send(core.RequestHeader{Op: core.OpNoop, JobID: 9}, []byte("ok")))
			assert.Equal(t, core.StatusOK, recvAll(t, good, 1)[0].Status)
			for i, tt := range tests {
				tr := tricklers[i]
				expectClosed(t, tr.c)
				elapsed := time.Since(tr.start)
				tr.c.Close() // ends the trickle
				sent := <-tr.sent
				assert.Less(t, sent, len(tt.trickled), "%s: the whole frame got through", tt.name)
				assert.GreaterOrEqual(t, elapsed, frameTimeout, "%s: closed before the frame deadline", tt.name)
			}
			st := assertConsistent(t, ts)
			assert.Equal(t, uint64(1), st.Accepted, "a trickled frame was queued")
			assert.Zero(t, st.Refused, "a trickled frame was answered")
		})
	})
}

// Idle connections are closed at the idle timeout, which runs only
// while nothing is in flight: a job that takes longer than the timeout is
// still answered, and the clock starts after its answer.
func TestHostileIdle(t *testing.T) {
	const idle = 150 * time.Millisecond
	tests := []struct {
		name string
		give []core.RequestHeader // sent and answered before idling
	}{
		{"nothing sent", nil},
		{"after an answer", []core.RequestHeader{{Op: core.OpNoop, JobID: 1}}},
		{"a job longer than the idle timeout", []core.RequestHeader{{Op: core.OpSleep, JobID: 2, Arg1: uint32(3 * idle / time.Microsecond)}}},
	}
	forEachPool(t, func(t *testing.T, pool string) {
		t.Parallel()
		ts := startServer(t, withPool(t, pool, strategies.PoolConfig{Workers: 2, QueueSize: core.DefaultQueueSize}, core.Config{Limits: core.Limits{IdleTimeout: idle}}))
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				c := dial(t, ts.Addr)
				if len(tt.give) > 0 {
					sendAll(t, c, tt.give...)
					for _, r := range recvAll(t, c, len(tt.give)) {
						require.Equal(t, core.StatusOK, r.Status, "%s", r.Payload)
					}
				}
				start := time.Now()
				expectClosed(t, c)
				// The server's clock started a moment before our read of the
				// last answer returned; allow for that moment.
				assert.GreaterOrEqual(t, time.Since(start), idle/2, "closed before the idle timeout")
			})
		}
		st := assertConsistent(t, ts)
		assert.Equal(t, uint64(2), st.Completed)
	})
}

// stuckBig is the response size of a stuck client's jobs: large, so that
// few responses fill the socket buffers.
const stuckBig = 256 << 10

// A client sends 1,000 requests and never reads. The server stops reading
// it at the in-flight window (it runs no more of its jobs than the window
// plus what the socket buffers swallowed), serves the other clients while
// it is stuck, and closes it at the write deadline.
func TestHostileStuckReader(t *testing.T) {
	const (
		n        = 1000
		window   = core.DefaultMaxInflight
		rcvbuf   = 64 << 10
		others   = 4
		perOther = 16
	)
	forEachPool(t, func(t *testing.T, pool string) {
		t.Parallel()
		h := newHook(stuckBig)
		// The write timeout only needs to outlast the other clients' few
		// milliseconds of work; it is a wide margin for a loaded machine.
		ts := startHooked(t, pool, noShedding(strategies.PoolConfig{Workers: 2, QueueSize: 64}), core.Config{Admission: core.AdmissionBlock,
			Limits: core.Limits{WriteTimeout: 2 * time.Second}}, h)
		stuck := dialNoRead(t, ts.Addr, rcvbuf)
		sendAll(t, stuck, repeat(n, 0, markBig)...)
		// A window of big answers cannot fit the socket buffers: the
		// server's writes to the stuck client are blocked from here on.
		require.Greater(t, window*stuckBig, socketBufferBound(rcvbuf))
		require.Eventually(t, func() bool { return h.bigRuns.Load() >= window }, 10*time.Second, time.Millisecond)

		done := make(chan error, others)
		for i := range others {
			c := dial(t, ts.Addr)
			go func() {
				for j := range perOther {
					h := core.RequestHeader{Op: core.OpNoop, JobID: uint64(j)}
					if j%2 == 1 {
						h = core.RequestHeader{Op: core.OpSleep, JobID: uint64(j), Arg1: 500}
					}
					if err := c.SendBuffered(h, []byte{byte(i)}); err != nil {
						done <- err
						return
					}
				}
				if err := c.Flush(); err != nil {
					done <- err
					return
				}
				for range perOther {
					r, err := c.Recv()
					if err == nil {
						err = r.Err()
					}
					if err != nil {
						done <- err
						return
					}
				}
				done <- nil
			}()
		}
		for range others {
			require.NoError(t, <-done, "a well-behaved client was not served")
		}
		assert.Equal(t, others+1, ts.Stats().ConnsNow, "the stuck client was cut off before the others were served")

		waitConns(t, ts, others) // the stuck client is closed at the write deadline
		ran := int(h.bigRuns.Load())
		bound := window + socketBufferBound(rcvbuf)/stuckBig + 1
		assert.LessOrEqual(t, ran, bound, "jobs of the stuck client run: the window (%d) plus what the buffers hold", window)
		assert.Less(t, ran, n)
		st := assertConsistent(t, ts)
		assert.Equal(t, uint64(ran+others*perOther)+st.Dropped, st.Accepted)
		t.Logf("stuck client: %d of %d requests read and run (bound %d); %+v", ran, n, bound, st)
	})
}

// When the write deadline fails a stuck client, its jobs still queued are
// dropped without running. The client's own jobs hold every worker until
// its connection ends (markUntilGone), so the jobs behind them are surely
// still queued then.
func TestHostileStuckReaderDropsQueued(t *testing.T) {
	const (
		big, holders, queued = 32, 2, 20
		rcvbuf               = 64 << 10
	)
	forEachPool(t, func(t *testing.T, pool string) {
		t.Parallel()
		h := newHook(stuckBig)
		ts := startHooked(t, pool, noShedding(strategies.PoolConfig{Workers: holders, QueueSize: 64}), core.Config{Admission: core.AdmissionBlock,
			Limits: core.Limits{WriteTimeout: 300 * time.Millisecond}}, h)
		stuck := dialNoRead(t, ts.Addr, rcvbuf)
		require.Greater(t, big*stuckBig, socketBufferBound(rcvbuf))
		var reqs []core.RequestHeader
		reqs = append(reqs, repeat(big, 0, markBig)...)
		reqs = append(reqs, repeat(holders, 100, markUntilGone)...)
		reqs = append(reqs, repeat(queued, 200, markCount)...)
		sendAll(t, stuck, reqs...)
		h.waitGone(t)
		waitConns(t, ts, 0)
		st := assertConsistent(t, ts)
		assert.Zero(t, h.late.Load(), "a job ran after its connection was gone")
		accepted := int64(st.Accepted) - big - holders
		assert.Equal(t, accepted, int64(st.Dropped)+h.counted.Load(),
			"every queued job either ran before the connection failed or was dropped")
		t.Logf("queued jobs: %d accepted, %d ran before the failure, %d dropped", accepted, h.counted.Load(), st.Dropped)
	})
}

// A client that vanishes mid-batch, with jobs queued behind busy
// workers: by a half-sent frame and a close, or by a reset. The server
// notices, none of its queued jobs runs after it is gone (they are
// dropped), its running job is cancelled, nothing leaks and the counters
// balance.
func TestHostileDisconnectMidBatch(t *testing.T) {
	const queued = 20
	tests := []struct {
		name   string
		vanish func(t *testing.T, c *core.ClientConn)
	}{
		{"half-sent frame", func(t *testing.T, c *core.ClientConn) {
			half := rawHeader("TIMQ", 1, 0, 0, 0, 77, 0, 0, 0, 100)
			half = append(half, make([]byte, 50)...)
			_, err := c.Conn().Write(half)
			require.NoError(t, err)
			require.NoError(t, c.Close())
		}},
		{"reset", func(t *testing.T, c *core.ClientConn) {
			require.NoError(t, c.Conn().(*net.TCPConn).SetLinger(0))
			require.NoError(t, c.Close())
		}},
	}
	forEachPool(t, func(t *testing.T, pool string) {
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				checkFDs(t)
				h := newHook(0)
				ts := startHooked(t, pool, strategies.PoolConfig{Workers: 2, QueueSize: 64}, core.Config{}, h)
				other, gone := dial(t, ts.Addr), dial(t, ts.Addr)
				sendAll(t, other, marked(1, markHold))
				h.waitHeld(t, 1)
				// A job that runs until its client is gone, as a long SLEEP
				// would; with it both workers are taken.
				sendAll(t, gone, marked(2, markUntilGone))
				h.waitHeld(t, 1)
				sendAll(t, gone, repeat(queued, 100, markCount)...)
				require.Eventually(t, func() bool {
					st := ts.Stats()
					return st.Accepted+st.Busy == 2+queued
				}, 10*time.Second, time.Millisecond, "the batch was not read")
				tt.vanish(t, gone)
				h.waitGone(t)
				h.releaseHeld()
				assert.Equal(t, core.StatusOK, recvAll(t, other, 1)[0].Status)
				waitConns(t, ts, 1)
				st := assertConsistent(t, ts)
				assert.Zero(t, h.late.Load(), "a job ran after its connection was gone")
				accepted := int64(st.Accepted) - 2
				assert.Equal(t, accepted, int64(st.Dropped)+h.counted.Load(),
					"every accepted job either ran before the client vanished or was dropped")
				assert.Equal(t, uint64(1), st.Failed, "the running job ends when its client is gone")
				t.Logf("queued jobs: %d accepted, %d ran before the client vanished, %d dropped, %d busy",
					accepted, h.counted.Load(), st.Dropped, st.Busy)
			})
		}
	})
}

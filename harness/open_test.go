package harness_test

import (
	"context"
	"net"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tcpimg/tcpimg/core"
	"github.com/tcpimg/tcpimg/harness"
)

// stallServer is a fake server over net.Pipe that answers every request
// OK after service, except that requests arriving during [from, to) are
// held until to: a stall, as a GC pause or a blocked pool would cause.
// Times are offsets from when the server was made.
type stallServer struct {
	start             time.Time
	from, to, service time.Duration
	wg                sync.WaitGroup
	mu                sync.Mutex
	conns             []net.Conn
}

func newStallServer(from, to, service time.Duration) *stallServer {
	return &stallServer{start: time.Now(), from: from, to: to, service: service}
}

func (s *stallServer) dial(context.Context) (net.Conn, error) {
	client, server := net.Pipe()
	s.mu.Lock()
	s.conns = append(s.conns, server)
	s.mu.Unlock()
	s.wg.Go(func() { s.serve(server) })
	return client, nil
}

func (s *stallServer) serve(c net.Conn) {
	var wmu sync.Mutex
	for {
		h, _, err := core.ReadRequest(c, 1<<20, nil)
		if err != nil {
			return
		}
		now := time.Since(s.start)
		at := now + s.service
		if now >= s.from && now < s.to {
			at = s.to + s.service
		}
		s.wg.Add(1)
		time.AfterFunc(at-now, func() {
			defer s.wg.Done()
			var b [core.HeaderSize]byte
			core.PutResponseHeader(b[:], &core.ResponseHeader{JobID: h.JobID, ServiceUS: uint32(s.service.Microseconds())})
			wmu.Lock()
			defer wmu.Unlock()
			c.Write(b[:])
		})
	}
}

func (s *stallServer) close() {
	s.mu.Lock()
	for _, c := range s.conns {
		c.Close()
	}
	s.mu.Unlock()
	s.wg.Wait()
}

// histPrecision is the relative error of a histogram value (three
// significant digits).
const histPrecision = 0.001

// TestOpenLoopStall runs the open loop against a server that stalls for
// 200 ms, on synctest's fake clock, so every time below is exact. The
// schedule does not bend: every request due is sent, the offered and
// achieved rates stay at the target, and the stall shows up where it
// belongs, as latency (from the due time) and as late sends.
func TestOpenLoopStall(t *testing.T) {
	const (
		rate    = 1000 // requests a second
		length  = 500 * time.Millisecond
		from    = 100 * time.Millisecond
		to      = 300 * time.Millisecond
		service = time.Millisecond
	)
	synctest.Test(t, func(t *testing.T) {
		srv := newStallServer(from, to, service)
		defer srv.close()
		gen := &harness.Generator{Dial: srv.dial, DrainTimeout: time.Second}
		s := harness.Scenario{
			Name: "stall", Loop: harness.OpenLoop, Clients: 4, Inflight: 4,
			Rate: rate, Duration: length, Workload: harness.Workload{harness.Sleep(service)},
		}
		r, err := gen.Run(t.Context(), s, 0)
		require.NoError(t, err)

		want := uint64(rate * length.Seconds())
		assert.Equal(t, want, r.Scheduled, "requests due")
		assert.Equal(t, want, r.Sent, "requests sent")
		assert.Zero(t, r.Unsent)
		assert.Equal(t, want, r.Status[core.StatusOK], "answered OK")
		assert.Zero(t, r.Lost)
		assert.InDelta(t, float64(rate), r.Offered(), 0.001, "offered rate")
		// Goodput counts answers read inside the period: all but those of
		// its last millisecond, which arrive one service time after it.
		assert.InDelta(t, float64(rate), r.Goodput(), 2/length.Seconds(), "goodput")

		assert.InEpsilon(t, service, r.Latency.Quantile(0.5), histPrecision, "most requests see only the service time")
		// The request due when the stall began waits for all of it.
		assert.GreaterOrEqual(t, r.Latency.Quantile(1), to-from, "the stall is latency")
		// Once the 16 window slots filled, the requests due during the
		// stall could not be written on time.
		assert.Greater(t, r.Late, uint64(100), "late sends")
		assert.Less(t, r.Late, uint64(to-from)/uint64(time.Millisecond), "late sends")
	})
}

// TestClosedLoopStallHides runs the same stall through a closed loop: it
// sends less while the server stalls, so the stall costs rate, and only
// the few requests in flight see it as latency. This is why the open loop
// exists.
func TestClosedLoopStallHides(t *testing.T) {
	const (
		length  = 500 * time.Millisecond
		service = time.Millisecond
	)
	synctest.Test(t, func(t *testing.T) {
		srv := newStallServer(100*time.Millisecond, 300*time.Millisecond, service)
		defer srv.close()
		gen := &harness.Generator{Dial: srv.dial, DrainTimeout: time.Second}
		s := harness.Scenario{
			Name: "stall", Loop: harness.ClosedLoop, Clients: 4, Inflight: 4,
			Duration: length, Workload: harness.Workload{harness.Sleep(service)},
		}
		r, err := gen.Run(t.Context(), s, 0)
		require.NoError(t, err)

		assert.Zero(t, r.Lost)
		// 16 requests a millisecond, but only outside the stall: 40%
		// fewer than the same server would get without it.
		assert.InDelta(t, 16*300, r.Sent, 32, "the stall costs rate")
		assert.InEpsilon(t, service, r.Latency.Quantile(0.99), histPrecision, "the stall hides from p99")
	})
}

// TestGoodputCountsArrivals stalls the server over the end of the measured
// period. Counted by request, every request due in the period was answered
// OK and goodput would equal the offered rate; counted by arrival, as
// Metrics does, the answers that come after the period are not part of
// what the server did in it, and the period's second half is not the
// first, which the steady-state check reports.
func TestGoodputCountsArrivals(t *testing.T) {
	const (
		rate    = 1000
		length  = 500 * time.Millisecond
		service = time.Millisecond
	)
	synctest.Test(t, func(t *testing.T) {
		srv := newStallServer(400*time.Millisecond, 600*time.Millisecond, service)
		defer srv.close()
		gen := &harness.Generator{Dial: srv.dial, DrainTimeout: time.Second}
		s := harness.Scenario{
			Name: "stall-at-end", Loop: harness.OpenLoop, Clients: 4, Inflight: 64,
			Rate: rate, Duration: length, Workload: harness.Workload{harness.Sleep(service)},
		}
		r, err := gen.Run(t.Context(), s, 0)
		require.NoError(t, err)

		assert.Equal(t, uint64(rate*length.Seconds()), r.Status[core.StatusOK], "every request due was answered OK")
		// The server answered nothing after 400 ms: 400 answers in 0.5 s.
		assert.InDelta(t, 800, r.Goodput(), 4, "goodput is what arrived in the period")
		require.NotNil(t, r.Steady)
		assert.False(t, r.Steady.OK, "a stall over the second half is not steady: %+v", r.Steady)
	})
}

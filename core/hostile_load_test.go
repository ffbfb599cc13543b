package core_test

// Hostile load: a connection flood, shutdown under overload, and memory
// under overload. These measure the process as a whole (descriptors, heap),
// so their pools run one after another.

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"net"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tcpimg/tcpimg/core"
	"github.com/tcpimg/tcpimg/strategies"
)

// 2,000 connections at once against a limit of 64. The server's
// own high-water mark shows at most 64 served at once, and exactly 64:
// each client keeps its connection until 64 clients have been answered, so
// the first 64 served are open together. Every client is served in the
// end, and no descriptor is left open.
func TestHostileConnectionFlood(t *testing.T) {
	const flood, maxConns = 2000, 64
	forEachPool(t, func(t *testing.T, pool string) {
		checkFDs(t)
		ts := startServer(t, withPool(t, pool, noShedding(strategies.PoolConfig{Workers: 2, QueueSize: core.DefaultQueueSize}), core.Config{Admission: core.AdmissionBlock,
			Limits: core.Limits{MaxConns: maxConns}}))
		var answered atomic.Int64
		enough := make(chan struct{})
		errs := make(chan error, flood)
		var wg sync.WaitGroup
		for i := range flood {
			wg.Go(func() { errs <- floodClient(ts.Addr, uint64(i), maxConns, &answered, enough) })
		}
		wg.Wait()
		close(errs)
		failed := 0
		for err := range errs {
			if err != nil && failed < 5 {
				t.Error(err)
			}
			if err != nil {
				failed++
			}
		}
		require.Zero(t, failed, "clients not served")
		st := assertConsistent(t, ts)
		assert.Equal(t, maxConns, st.ConnsMax, "connections served at once (high-water mark)")
		assert.Equal(t, uint64(flood), st.Conns)
		assert.Equal(t, uint64(flood), st.Completed)
	})
}

// floodClient connects, sends one NOOP and reads its answer, then holds the
// connection until hold clients have been answered. It speaks the protocol
// on the bare connection: two thousand buffered clients would allocate
// hundreds of MiB, which the race detector makes slow.
func floodClient(addr string, id uint64, hold int64, answered *atomic.Int64, enough chan struct{}) error {
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		return err
	}
	defer nc.Close()
	if err := core.WriteRequest(nc, core.RequestHeader{Op: core.OpNoop, JobID: id}, nil); err != nil {
		return err
	}
	nc.SetReadDeadline(time.Now().Add(60 * time.Second))
	r, _, err := core.ReadResponse(nc, 1024, nil)
	if err != nil {
		return fmt.Errorf("client %d: %w", id, err)
	}
	if r.Status != core.StatusOK || r.JobID != id {
		return fmt.Errorf("client %d: answer %v for job %d", id, r.Status, r.JobID)
	}
	if answered.Add(1) == hold {
		close(enough)
	}
	<-enough
	return nil
}

// loadConn drives one connection open loop: a request every tick whatever
// the answers, which a second goroutine collects, so a slow server cannot
// slow the offered load down.
type loadConn struct {
	c    *core.ClientConn
	done chan struct{} // closed when the receiver has stopped

	mu   sync.Mutex
	sent []uint64 // ids in send order
	got  map[uint64]core.Status
	dup  []uint64 // ids answered twice
}

// startLoad starts sending next() every tick on c until stop is closed or a
// send fails, and collecting answers until the connection ends.
func startLoad(c *core.ClientConn, tick time.Duration, stop <-chan struct{}, next func(id uint64) core.RequestHeader, payload []byte) *loadConn {
	l := &loadConn{c: c, done: make(chan struct{}), got: map[uint64]core.Status{}}
	go func() {
		defer close(l.done)
		// Closing at once ends the server's linger after its last answer.
		defer c.Close()
		c.Conn().SetReadDeadline(time.Now().Add(60 * time.Second))
		for {
			r, err := c.Recv()
			if err != nil {
				return
			}
			l.mu.Lock()
			if _, ok := l.got[r.JobID]; ok {
				l.dup = append(l.dup, r.JobID)
			}
			l.got[r.JobID] = r.Status
			l.mu.Unlock()
		}
	}()
	go func() {
		t := time.NewTicker(tick)
		defer t.Stop()
		for id := uint64(1); ; id++ {
			select {
			case <-stop:
				return
			case <-l.done:
				return
			case <-t.C:
			}
			l.mu.Lock()
			l.sent = append(l.sent, id)
			l.mu.Unlock()
			if c.Send(next(id), payload) != nil {
				return
			}
		}
	}()
	return l
}

func (l *loadConn) sentCount() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.sent)
}

// Shutdown under open-loop load at 150% of capacity. Every
// request the server read gets exactly one answer: OK, BUSY or TIMEOUT
// before shutdown began, SHUTTING_DOWN after; so on each connection the
// answered requests are a prefix of those sent (the server reads in order
// and answers all it read), and no answer other than SHUTTING_DOWN follows
// a SHUTTING_DOWN. Shutdown returns within its deadline; nothing leaks.
func TestHostileShutdownUnderLoad(t *testing.T) {
	const (
		workers = 2
		job     = 20 * time.Millisecond // SLEEP: capacity is workers/job = 100 jobs/s
		conns   = 3
		tick    = 20 * time.Millisecond // 3 connections x 50/s = 150% of capacity
		before  = 45                    // requests sent before Shutdown (about 300 ms)
	)
	next := func(id uint64) core.RequestHeader {
		h := core.RequestHeader{Op: core.OpSleep, JobID: id, Arg1: uint32(job / time.Microsecond)}
		if id%3 == 0 {
			h.Deadline = 15 // ms: times out when it queues behind two others
		}
		return h
	}
	forEachPool(t, func(t *testing.T, pool string) {
		checkFDs(t)
		ts := startServer(t, withPool(t, pool, strategies.PoolConfig{Workers: workers, QueueSize: 8}, core.Config{}))
		stop := make(chan struct{})
		var loads []*loadConn
		for range conns {
			loads = append(loads, startLoad(dial(t, ts.Addr), tick, stop, next, nil))
		}
		require.Eventually(t, func() bool {
			n := 0
			for _, l := range loads {
				n += l.sentCount()
			}
			return n >= before
		}, 20*time.Second, time.Millisecond)
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		require.NoError(t, ts.Shutdown(ctx), "shutdown within its deadline")
		for _, l := range loads {
			<-l.done // the server closed the connection
		}
		close(stop)

		byStatus := map[core.Status]int{}
		total := 0
		for i, l := range loads {
			l.mu.Lock()
			assert.Empty(t, l.dup, "conn %d: answered twice", i)
			answered := 0
			for answered < len(l.sent) {
				if _, ok := l.got[l.sent[answered]]; !ok {
					break
				}
				answered++
			}
			assert.Equal(t, len(l.got), answered, "conn %d: the answered requests are not a prefix of those sent", i)
			shutting := false
			for _, id := range l.sent[:answered] {
				st := l.got[id]
				byStatus[st]++
				if st == core.StatusShuttingDown {
					shutting = true
					continue
				}
				assert.False(t, shutting, "conn %d: job %d answered %v after a SHUTTING_DOWN", i, id, st)
				assert.Contains(t, []core.Status{core.StatusOK, core.StatusBusy, core.StatusTimeout}, st, "conn %d job %d", i, id)
			}
			total += answered
			l.mu.Unlock()
		}
		st := assertConsistent(t, ts)
		assert.Equal(t, uint64(total), st.Accepted+st.Busy+st.Refused, "every request read was answered: %+v", st)
		assert.Zero(t, st.Dropped)
		assert.Positive(t, byStatus[core.StatusOK])
		t.Logf("answers: %v; %+v", byStatus, st)
	})
}

// overloadImage is a 2000x1500 gradient encoded as an 8-bit gray PNG: a
// full-size image that decodes to 3 MB, small on the wire (about 10 KB), so
// that the heap the test sees is the server's decoding, not the payloads.
func overloadImage(t *testing.T) []byte {
	t.Helper()
	m := image.NewGray(image.Rect(0, 0, 2000, 1500))
	for y := range 1500 {
		for x := range 2000 {
			m.SetGray(x, y, color.Gray{uint8(x/8 + y/8)})
		}
	}
	var b bytes.Buffer
	require.NoError(t, (&png.Encoder{CompressionLevel: png.BestSpeed}).Encode(&b, m))
	return b.Bytes()
}

// Memory under overload. Clients offer 10x what the server can
// process, with 2000x1500 images; a bounded strategy refuses what it
// cannot hold (BUSY), so the live heap stays under a bound set by workers
// and queue size, and every request is still answered. The unbounded
// strategy has no such bound by design and is skipped.
//
// The bound, over the live heap measured before the server started:
//
//	workers x pixels x 4 B     every running job may hold its decoded image
//	                           and working copies: at most RGBA, 4 B/pixel
//	+ (workers + queue + conns x window) x 16 KiB
//	                           every request read and not yet answered holds
//	                           its payload (a 16 KiB size class)
//	+ 8 MiB                    connection buffers, results, runtime slack
func TestHostileMemoryOverload(t *testing.T) {
	const (
		workers, queue = 2, 1
		conns, window  = 4, 4
		pixels         = 2000 * 1500
	)
	payload := overloadImage(t)
	require.LessOrEqual(t, len(payload), 16<<10)
	bound := uint64(workers*pixels*4 + (workers+queue+conns*window)*(16<<10) + 8<<20)
	req := func(id uint64) core.RequestHeader {
		return core.RequestHeader{Op: core.OpThumbnail, JobID: id, Arg1: 16, Arg2: 16}
	}
	// Capacity, measured: one job's time on this machine, as built (the
	// race detector makes it many times longer).
	var out bytes.Buffer
	start := time.Now()
	h := req(0)
	require.NoError(t, core.Process(context.Background(), &h, payload, &out))
	service := time.Since(start)
	tick := service * conns / (10 * workers) // conns senders together at 10x capacity
	bounded := map[string]bool{}
	for _, e := range strategies.Pools() {
		bounded[e.Name] = e.Bounded
	}
	forEachPool(t, func(t *testing.T, pool string) {
		if !bounded[pool] {
			t.Skip("an unbounded pool holds every job it is offered: no bound to assert")
		}
		ts := startServer(t, withPool(t, pool, strategies.PoolConfig{Workers: workers, QueueSize: queue}, core.Config{
			Limits: core.Limits{MaxInflight: window}}))
		runtime.GC()
		base := liveHeap()
		stop := make(chan struct{})
		peak := make(chan uint64, 1)
		go func() { peak <- sampleLiveHeap(stop) }()
		var loads []*loadConn
		for range conns {
			loads = append(loads, startLoad(dial(t, ts.Addr), tick, stop, req, payload))
		}
		// Offer the load until a job has finished: every worker has been
		// busy and the queue has filled and refused by then.
		require.Eventually(t, func() bool { return ts.Stats().Completed >= 1 }, 60*time.Second, time.Millisecond)
		close(stop)
		maxLive := <-peak
		byStatus := map[core.Status]int{}
		sent := 0
		for _, l := range loads {
			// Every request sent is answered: wait for the last answers.
			require.Eventually(t, func() bool {
				l.mu.Lock()
				defer l.mu.Unlock()
				return len(l.got) == len(l.sent)
			}, 60*time.Second, time.Millisecond, "requests left unanswered")
			l.mu.Lock()
			for _, st := range l.got {
				byStatus[st]++
			}
			sent += len(l.sent)
			l.mu.Unlock()
		}
		assert.Equal(t, sent, byStatus[core.StatusOK]+byStatus[core.StatusBusy], "answers %v", byStatus)
		assert.Positive(t, byStatus[core.StatusBusy], "the overload was not refused")
		grew := maxLive - min(maxLive, base)
		assert.LessOrEqual(t, grew, bound, "live heap grew by %d MiB, bound %d MiB", grew>>20, bound>>20)
		t.Logf("job %v, a request every %v on %d connections; answers %v; live heap grew by %.1f MiB (bound %.1f MiB)",
			service, tick, conns, byStatus, float64(grew)/(1<<20), float64(bound)/(1<<20))
	})
}

// liveHeap returns the heap in use right after a collection: live objects.
func liveHeap() uint64 {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// sampleLiveHeap collects and measures the live heap every few
// milliseconds until stop is closed, and returns the largest sample.
func sampleLiveHeap(stop <-chan struct{}) uint64 {
	t := time.NewTicker(20 * time.Millisecond)
	defer t.Stop()
	var samples []uint64
	for {
		select {
		case <-stop:
			return slices.Max(append(samples, 0))
		case <-t.C:
			runtime.GC()
			samples = append(samples, liveHeap())
		}
	}
}

package core_test

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tcpimg/tcpimg/core"
	"github.com/tcpimg/tcpimg/strategies"
	"github.com/tcpimg/tcpimg/testdata/gen/hostile"
)

// soakFor is how long TestSoak runs: -soak on the test binary, else the
// TCPIMG_SOAK environment variable; zero skips it, so a plain go test
// does not pay for it. CI runs 30 s; scripts/soak.sh runs 10 minutes.
var soakFor = flag.Duration("soak", envDuration("TCPIMG_SOAK"), "run TestSoak for this long (0 skips it)")

// soakPool is the pool strategy TestSoak runs.
var soakPool = flag.String("soak-pool", "chan-pool", "pool strategy TestSoak runs")

func envDuration(name string) time.Duration {
	d, err := time.ParseDuration(os.Getenv(name))
	if err != nil {
		return 0
	}
	return d
}

// soakWriteTimeout is the soak server's write timeout.
const soakWriteTimeout = 500 * time.Millisecond

// soakSample is one reading of the process, taken after a collection.
type soakSample struct {
	goroutines int
	heap       uint64 // live heap
	fds        int
}

// TestSoak runs mixed load for -soak: well-behaved pipelining clients
// (image, NOOP, SLEEP and SPIN jobs, reconnecting now and then) beside
// clients that vanish mid-batch, read slowly, never read, send broken
// frames and bombs, trickle, or idle. It samples the process throughout and
// asserts, after a warm-up of a fifth of the run, that the second half of
// the samples is no higher than the first: goroutines and descriptors by
// their maximum (plus a margin of what the clients themselves hold in
// flight), the live heap by its mean within 10% (plus 1 MiB, the noise of a
// small heap). No well-behaved request may go unanswered, the server's
// books must balance, and when the load stops everything returns to where
// it started.
func TestSoak(t *testing.T) {
	if *soakFor <= 0 || testing.Short() {
		t.Skip("runs with -soak DURATION (or TCPIMG_SOAK=DURATION); see scripts/soak.sh")
	}
	checkFDs(t)
	ts := startServer(t, withPool(t, *soakPool, strategies.PoolConfig{Workers: 2, QueueSize: 32}, core.Config{
		Limits: core.Limits{
			FrameTimeout: 300 * time.Millisecond,
			IdleTimeout:  time.Second,
			WriteTimeout: soakWriteTimeout,
		}}))
	baseGoroutines := runtime.NumGoroutine()
	w := &soakWorld{addr: ts.Addr, stop: make(chan struct{}), images: soakImages(t)}

	clients := []struct {
		name string
		n    int
		run  func(w *soakWorld, id int) error
	}{
		{"polite", 4, (*soakWorld).polite},
		{"vanishing", 2, (*soakWorld).vanishing},
		{"slow reader", 1, (*soakWorld).slowReader},
		{"stuck reader", 1, (*soakWorld).stuckReader},
		{"hostile frames", 1, (*soakWorld).hostileFrames},
		{"trickle and idle", 1, (*soakWorld).trickleIdle},
	}
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	inFlightFDs := 0 // descriptors the clients may hold at once: margin for the samples
	for _, c := range clients {
		for i := range c.n {
			inFlightFDs += 2 // a client's socket and the server's end of it
			wg.Go(func() {
				for {
					select {
					case <-w.stop:
						return
					default:
					}
					if err := c.run(w, i); err != nil {
						errs <- fmt.Errorf("%s %d: %w", c.name, i, err)
						return
					}
				}
			})
		}
	}

	every := max(*soakFor/100, 250*time.Millisecond)
	var samples []soakSample
	tick := time.NewTicker(every)
	end := time.NewTimer(*soakFor)
	progress := time.Now()
loop:
	for {
		select {
		case <-tick.C:
			runtime.GC()
			samples = append(samples, soakSample{runtime.NumGoroutine(), liveHeap(), openFDs(t)})
			if time.Since(progress) > 30*time.Second {
				progress = time.Now()
				t.Logf("%d samples, last %+v; %+v", len(samples), samples[len(samples)-1], ts.Stats())
			}
		case err := <-errs:
			t.Error(err)
			break loop
		case <-end.C:
			break loop
		}
	}
	tick.Stop()
	close(w.stop)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}

	st := assertConsistent(t, ts)
	assert.Zero(t, w.lost.Load(), "requests of well-behaved clients left unanswered")
	assert.Positive(t, w.answered.Load())
	t.Logf("%d polite requests answered; %+v", w.answered.Load(), st)

	warm := len(samples) / 5
	require.GreaterOrEqual(t, len(samples)-warm, 4, "too few samples: run longer")
	rest := samples[warm:]
	first, second := rest[:len(rest)/2], rest[len(rest)/2:]
	maxOf := func(s []soakSample, f func(soakSample) int) int {
		m := 0
		for _, x := range s {
			m = max(m, f(x))
		}
		return m
	}
	meanHeap := func(s []soakSample) float64 {
		var sum float64
		for _, x := range s {
			sum += float64(x.heap)
		}
		return sum / float64(len(s))
	}
	g1, g2 := maxOf(first, func(s soakSample) int { return s.goroutines }), maxOf(second, func(s soakSample) int { return s.goroutines })
	f1, f2 := maxOf(first, func(s soakSample) int { return s.fds }), maxOf(second, func(s soakSample) int { return s.fds })
	h1, h2 := meanHeap(first), meanHeap(second)
	t.Logf("goroutines max %d then %d; descriptors max %d then %d; live heap mean %.1f then %.1f MiB",
		g1, g2, f1, f2, h1/(1<<20), h2/(1<<20))
	// A connection costs the server two goroutines and the client one or two.
	assert.LessOrEqual(t, g2, g1+2*inFlightFDs, "goroutines grew")
	assert.LessOrEqual(t, f2, f1+inFlightFDs, "descriptors grew")
	assert.LessOrEqual(t, h2, 1.10*h1+(1<<20), "live heap grew")

	// Load stopped: connections close and goroutines return.
	waitConns(t, ts, 0)
	assert.Eventually(t, func() bool { return runtime.NumGoroutine() <= baseGoroutines+2 }, 10*time.Second, 10*time.Millisecond,
		"goroutines: %d before the load, %d after", baseGoroutines, runtime.NumGoroutine())
}

// soakWorld is what the soak's clients share.
type soakWorld struct {
	addr     string
	stop     chan struct{}
	images   [][]byte
	answered atomic.Int64 // well-behaved requests answered
	lost     atomic.Int64 // well-behaved requests not answered
	seq      atomic.Uint64
}

// pause paces a client's rounds: it waits d, or less if the soak ends.
func (w *soakWorld) pause(d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-w.stop:
	}
}

// soakImages are small images of each format, so image jobs are real but
// quick under the race detector.
func soakImages(t *testing.T) [][]byte {
	var out [][]byte
	for _, s := range samples(t) {
		if s.w*s.h <= 320*240 {
			out = append(out, s.data)
		}
	}
	require.NotEmpty(t, out)
	return out
}

// politeBatch is a mix of every operation, pipelined.
func (w *soakWorld) politeBatch(n int) ([]core.RequestHeader, [][]byte) {
	var hs []core.RequestHeader
	var ps [][]byte
	for i := range n {
		id := w.seq.Add(1)
		var h core.RequestHeader
		var p []byte
		switch i % 6 {
		case 0:
			h, p = core.RequestHeader{Op: core.OpNoop}, bytes.Repeat([]byte{byte(id)}, 4096)
		case 1:
			h, p = core.RequestHeader{Op: core.OpThumbnail, Arg1: 32, Arg2: 32}, w.images[int(id)%len(w.images)]
		case 2:
			h, p = core.RequestHeader{Op: core.OpGrayscale, Format: core.FormatJPEG}, w.images[int(id)%len(w.images)]
		case 3:
			h, p = core.RequestHeader{Op: core.OpBlur, Arg1: 2}, w.images[int(id)%len(w.images)]
		case 4:
			h = core.RequestHeader{Op: core.OpSleep, Arg1: 1000}
		case 5:
			h = core.RequestHeader{Op: core.OpSpin, Arg1: 200, Deadline: 50}
		}
		h.JobID = id
		hs, ps = append(hs, h), append(ps, p)
	}
	return hs, ps
}

// polite sends a few pipelined batches on one connection and reads every
// answer: each request must be answered once, OK, or BUSY or TIMEOUT under
// load. Then it half-closes, so the next round reconnects.
func (w *soakWorld) polite(int) error {
	c, err := core.Dial(w.addr)
	if err != nil {
		return err
	}
	defer c.Close()
	for range 4 {
		hs, ps := w.politeBatch(12)
		for i, h := range hs {
			if err := c.SendBuffered(h, ps[i]); err != nil {
				return err
			}
		}
		if err := c.Flush(); err != nil {
			return err
		}
		want := map[uint64]bool{}
		for _, h := range hs {
			want[h.JobID] = true
		}
		c.Conn().SetReadDeadline(time.Now().Add(30 * time.Second))
		for range hs {
			r, err := c.Recv()
			if err != nil {
				w.lost.Add(int64(len(want)))
				return fmt.Errorf("%d requests unanswered: %w", len(want), err)
			}
			if !want[r.JobID] {
				return fmt.Errorf("answer for job %d, not asked or answered twice", r.JobID)
			}
			delete(want, r.JobID)
			switch r.Status {
			case core.StatusOK, core.StatusBusy, core.StatusTimeout:
			default:
				return fmt.Errorf("job %d: %v %s", r.JobID, r.Status, r.Payload)
			}
			w.answered.Add(1)
		}
	}
	if err := c.CloseWrite(); err != nil {
		return err
	}
	if _, err := c.Recv(); err == nil {
		return errors.New("an answer after every request was answered")
	}
	return nil
}

// vanishing sends a batch and disappears before reading it all: by reset,
// by a half-sent frame, or by a plain close. Its rounds are paced, or it
// would be a flood of refusals rather than a client that leaves.
func (w *soakWorld) vanishing(int) error {
	w.pause(50 * time.Millisecond)
	c, err := core.Dial(w.addr)
	if err != nil {
		return err
	}
	defer c.Close()
	hs, ps := w.politeBatch(16)
	for i, h := range hs {
		if h.Op == core.OpSleep {
			h.Arg1 = 20_000 // long enough to be running or queued when we vanish
		}
		if err := c.SendBuffered(h, ps[i]); err != nil {
			return err
		}
	}
	if err := c.Flush(); err != nil {
		return err
	}
	c.Conn().SetReadDeadline(time.Now().Add(30 * time.Second))
	if _, err := c.Recv(); err != nil {
		return err
	}
	switch w.seq.Add(1) % 3 {
	case 0:
		return c.Conn().(*net.TCPConn).SetLinger(0)
	case 1:
		_, err := c.Conn().Write(rawHeader("TIMQ", 1, 0, 0, 0, 1, 0, 0, 0, 100)[:20])
		return ignoreNetErr(err)
	}
	return nil
}

// slowReader asks for large answers and reads them at a trickle, yet within
// the write timeout: every answer must arrive.
func (w *soakWorld) slowReader(int) error {
	c, err := core.Dial(w.addr)
	if err != nil {
		return err
	}
	defer c.Close()
	payload := make([]byte, 256<<10)
	const n = 8
	for range n {
		if err := c.SendBuffered(core.RequestHeader{Op: core.OpNoop, JobID: w.seq.Add(1)}, payload); err != nil {
			return err
		}
	}
	if err := c.Flush(); err != nil {
		return err
	}
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	c.Conn().SetReadDeadline(time.Now().Add(30 * time.Second))
	for range n {
		<-tick.C
		r, err := c.Recv()
		if err != nil {
			w.lost.Add(1)
			return err
		}
		if r.Status != core.StatusOK && r.Status != core.StatusBusy {
			return fmt.Errorf("slow reader: %v %s", r.Status, r.Payload)
		}
		w.answered.Add(1)
	}
	return nil
}

// stuckReader sends requests with large answers, never reads, and gives
// up after twice the server's write timeout; the server stops reading it at
// its window and, once its writes stall, closes it at the write timeout
// (TestHostileStuckReader asserts that; here it is load).
func (w *soakWorld) stuckReader(int) error {
	nc, err := net.Dial("tcp", w.addr)
	if err != nil {
		return err
	}
	defer nc.Close()
	nc.(*net.TCPConn).SetReadBuffer(16 << 10)
	c := core.NewClientConn(nc)
	payload := make([]byte, 64<<10)
	for range 2 * core.DefaultMaxInflight {
		if err := c.SendBuffered(core.RequestHeader{Op: core.OpNoop, JobID: w.seq.Add(1)}, payload); err != nil {
			return nil // closed by the server while sending: expected
		}
	}
	if err := c.Flush(); err != nil {
		return nil
	}
	w.pause(2 * soakWriteTimeout)
	return nil
}

// hostileFrames sends refused requests: bombs (connection kept), a frame
// over the limit and a wrong magic (connection closed).
func (w *soakWorld) hostileFrames(int) error {
	c, err := core.Dial(w.addr)
	if err != nil {
		return err
	}
	defer c.Close()
	c.Conn().SetReadDeadline(time.Now().Add(30 * time.Second))
	for _, b := range [][]byte{hostile.PNGBomb(100000, 100000), hostile.JPEGBomb(65535, 65535), hostile.GIFBomb(65535, 65535)} {
		if err := c.Send(core.RequestHeader{Op: core.OpThumbnail, JobID: 1, Arg1: 8}, b); err != nil {
			return err
		}
		r, err := c.Recv()
		if err != nil {
			return err
		}
		if r.Status != core.StatusTooLarge {
			return fmt.Errorf("bomb answered %v", r.Status)
		}
	}
	bad := rawHeader("TIMQ", 1, 0, 0, 0, 2, 0, 0, 0, 0xFFFFFFFF)
	if w.seq.Add(1)%2 == 0 {
		bad = rawHeader("HTTP", 1, 0, 0, 0, 2, 0, 0, 0, 0)
	}
	if _, err := c.Conn().Write(bad); err != nil {
		return err
	}
	r, err := c.Recv()
	if err != nil {
		return err
	}
	if r.Status != core.StatusTooLarge && r.Status != core.StatusBadRequest {
		return fmt.Errorf("broken frame answered %v", r.Status)
	}
	if _, err := c.Recv(); err == nil {
		return errors.New("connection open after a broken frame")
	}
	return nil
}

// trickleIdle alternates a slowloris header and an idle connection; the
// server closes each at its deadline.
func (w *soakWorld) trickleIdle(int) error {
	c, err := core.Dial(w.addr)
	if err != nil {
		return err
	}
	defer c.Close()
	var sent <-chan int
	if w.seq.Add(1)%2 == 0 {
		sent = trickle(c.Conn(), nil, rawHeader("TIMQ", 1, 0, 0, 0, 1, 0, 0, 0, 0), 50*time.Millisecond)
	}
	c.Conn().SetReadDeadline(time.Now().Add(30 * time.Second))
	_, err = c.Recv()
	if err == nil {
		return errors.New("a response to a trickled or idle connection")
	}
	if isTimeoutErr(err) {
		return errors.New("a trickled or idle connection was never closed")
	}
	c.Close()
	if sent != nil {
		<-sent
	}
	return nil
}

func isTimeoutErr(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// ignoreNetErr drops the errors a write to a connection the server has
// already closed may return.
func ignoreNetErr(err error) error {
	var ne *net.OpError
	if errors.As(err, &ne) {
		return nil
	}
	return err
}

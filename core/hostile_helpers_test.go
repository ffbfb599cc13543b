package core_test

import (
	"bytes"
	"context"
	"errors"
	"net"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tcpimg/tcpimg/core"
	"github.com/tcpimg/tcpimg/strategies"
)

// Marks select what the fault hook does with a NOOP job. They travel in
// Arg2, which NOOP ignores, so the server reads, validates and queues a
// marked request exactly like any other NOOP; only the job differs.
const (
	markNone      = iota // run core.Process
	markBig              // answer hook.big: responses that fill socket buffers
	markHold             // wait until the test calls release
	markUntilGone        // hold a worker until the connection's context ends
	markCount            // count the run; a run after the connection is gone is late
	markPanic            // panic with the value panics[Arg1]
)

// hookPanics are the values a markPanic job panics with, by Arg1: a string,
// an error, a runtime error (as a buggy decoder raises) and a nil panic.
var hookPanics = []func(){
	func() { panic("injected") },
	func() { panic(errors.New("injected error")) },
	func() {
		var pix []byte
		_ = pix[len(pix)+1] // index out of range
	},
	func() { panic(nil) },
}

// hook is a core.ProcessFunc with test-controlled faults, the server's
// test-only operation hook. Its waits end on abort (called in t.Cleanup
// before the server shuts down), so a failed test cannot hang the drain.
type hook struct {
	big []byte

	held    chan struct{} // one value per markHold or markUntilGone job started
	release chan struct{} // closed by release: markHold jobs return
	relOnce sync.Once
	abort   chan struct{}
	abOnce  sync.Once

	gone     chan struct{} // closed when a markUntilGone job saw its connection end
	goneOnce sync.Once

	bigRuns atomic.Int64
	counted atomic.Int64 // markCount jobs run
	late    atomic.Int64 // markCount jobs run after gone was closed
}

func newHook(bigSize int) *hook {
	return &hook{
		big:     bytes.Repeat([]byte{0x5a}, bigSize),
		held:    make(chan struct{}, 1024),
		release: make(chan struct{}),
		abort:   make(chan struct{}),
		gone:    make(chan struct{}),
	}
}

func (h *hook) process(ctx context.Context, hdr *core.RequestHeader, payload []byte, out *bytes.Buffer) error {
	if hdr.Op != core.OpNoop {
		return core.Process(ctx, hdr, payload, out)
	}
	switch hdr.Arg2 {
	case markBig:
		h.bigRuns.Add(1)
		out.Write(h.big)
		return nil
	case markHold:
		h.held <- struct{}{}
		select {
		case <-h.release:
		case <-h.abort:
		}
		return nil
	case markUntilGone:
		h.held <- struct{}{}
		select {
		case <-ctx.Done():
			h.goneOnce.Do(func() { close(h.gone) })
			return ctx.Err()
		case <-h.abort:
			return nil
		}
	case markCount:
		select {
		case <-h.gone:
			h.late.Add(1)
		default:
		}
		h.counted.Add(1)
		return nil
	case markPanic:
		out.WriteString("partial output")
		hookPanics[int(hdr.Arg1)%len(hookPanics)]()
		return nil
	}
	return core.Process(ctx, hdr, payload, out)
}

func (h *hook) releaseHeld() { h.relOnce.Do(func() { close(h.release) }) }

// waitHeld waits until n markHold or markUntilGone jobs have started.
func (h *hook) waitHeld(t *testing.T, n int) {
	t.Helper()
	timeout := time.NewTimer(10 * time.Second)
	defer timeout.Stop()
	for i := range n {
		select {
		case <-h.held:
		case <-timeout.C:
			t.Fatalf("%d of %d held jobs started", i, n)
		}
	}
}

// waitGone waits until a markUntilGone job has seen its connection end.
func (h *hook) waitGone(t *testing.T) {
	t.Helper()
	select {
	case <-h.gone:
	case <-time.After(10 * time.Second):
		t.Fatal("the connection was never failed by the server")
	}
}

// startHooked starts a server running the named pool with h as its
// operation hook; h's waits are aborted before the server drains.
func startHooked(t *testing.T, pool string, size strategies.PoolConfig, cfg core.Config, h *hook) *testServer {
	t.Helper()
	cfg.Process = h.process
	ts := startServer(t, withPool(t, pool, size, cfg))
	t.Cleanup(func() { h.abOnce.Do(func() { close(h.abort) }) })
	return ts
}

// marked is a NOOP request carrying a hook mark.
func marked(id uint64, mark uint32) core.RequestHeader {
	return core.RequestHeader{Op: core.OpNoop, JobID: id, Arg2: mark}
}

// sendAll writes the requests in one flush.
func sendAll(t *testing.T, c *core.ClientConn, hs ...core.RequestHeader) {
	t.Helper()
	for _, h := range hs {
		require.NoError(t, c.SendBuffered(h, nil))
	}
	require.NoError(t, c.Flush())
}

// repeat returns n copies of marked requests with ids from first.
func repeat(n int, first uint64, mark uint32) []core.RequestHeader {
	hs := make([]core.RequestHeader, n)
	for i := range hs {
		hs[i] = marked(first+uint64(i), mark)
	}
	return hs
}

// assertConsistent checks the server's books once it is quiet: every
// accepted job finished one way or another and nothing is in flight.
func assertConsistent(t *testing.T, ts *testServer) core.Stats {
	t.Helper()
	var st core.Stats
	require.Eventually(t, func() bool {
		st = ts.Stats()
		return st.InFlight == 0
	}, 10*time.Second, time.Millisecond, "jobs still in flight: %+v", st)
	assert.Equal(t, st.Accepted, st.Completed+st.Failed+st.TimedOut+st.Shed+st.Dropped, "%+v", st)
	return st
}

// waitConns waits until the server serves exactly n connections.
func waitConns(t *testing.T, ts *testServer, n int) {
	t.Helper()
	require.Eventually(t, func() bool { return ts.Stats().ConnsNow == n }, 10*time.Second, time.Millisecond,
		"want %d connections served, have %d", n, ts.Stats().ConnsNow)
}

// openFDs counts this process's open file descriptors.
func openFDs(t testing.TB) int {
	t.Helper()
	es, err := os.ReadDir("/proc/self/fd")
	require.NoError(t, err)
	return len(es)
}

// checkFDs records the open descriptors now and, when the test ends (after
// servers started later have shut down, since cleanups run last-in
// first-out), asserts that none was left open. Linux only: it reads
// /proc/self/fd.
func checkFDs(t *testing.T) {
	t.Helper()
	if runtime.GOOS != "linux" {
		t.Skip("descriptor counting reads /proc/self/fd, which only Linux has")
	}
	// The network poller opens its descriptors on first use: open them now.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	ln.Close()
	before := openFDs(t)
	t.Cleanup(func() {
		// A descriptor is closed once the last goroutine using it lets go,
		// a moment after Close returns.
		assert.Eventually(t, func() bool { return openFDs(t) <= before }, 10*time.Second, 5*time.Millisecond,
			"file descriptors leaked: %d open before, %d after", before, openFDs(t))
	})
}

// socketBufferBound bounds the response bytes the kernel can hold for a
// client that does not read: the server's send buffer at its largest
// (tcp_wmem's maximum) plus the client's receive buffer, which is rcvbuf
// doubled (Linux doubles what SetReadBuffer asks for) or the initial size it
// had when the connection opened (tcp_rmem's default), whichever is larger.
// Without /proc it assumes Linux's usual 4 MiB and 128 KiB.
func socketBufferBound(rcvbuf int) int {
	snd := sysctlField("/proc/sys/net/ipv4/tcp_wmem", 2, 4<<20)
	rcv := sysctlField("/proc/sys/net/ipv4/tcp_rmem", 1, 128<<10)
	return snd + max(2*rcvbuf, rcv)
}

// sysctlField returns field i of a whitespace-separated sysctl file, or def.
func sysctlField(path string, i, def int) int {
	b, err := os.ReadFile(path)
	if err != nil {
		return def
	}
	f := strings.Fields(string(b))
	if i >= len(f) {
		return def
	}
	n, err := strconv.Atoi(f[i])
	if err != nil {
		return def
	}
	return n
}

// dialNoRead dials a client that will not read: its receive buffer is
// shrunk to rcvbuf, so the server's writes stall after few bytes.
func dialNoRead(t *testing.T, addr string, rcvbuf int) *core.ClientConn {
	t.Helper()
	nc, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	require.NoError(t, nc.(*net.TCPConn).SetReadBuffer(rcvbuf))
	c := core.NewClientConn(nc)
	t.Cleanup(func() { c.Close() })
	return c
}

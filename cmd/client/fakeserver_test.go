package main

import (
	"bufio"
	"maps"
	"net"
	"slices"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tcpimg/tcpimg/core"
)

// fakeBehavior decides how a fakeServer answers. The zero value answers
// every request OK, echoing its payload, in the order read.
type fakeBehavior struct {
	status func(id uint64) core.Status // nil: OK
	// attempt, when set, answers the n-th request (1-based) of job id
	// read by this server, in place of status.
	attempt func(id uint64, n int) core.Status
	drop    func(id uint64) bool // never answer this id
	dup     func(id uint64) bool // answer this id twice
	window  int                  // answer in reverse order, this many requests at a time
	hangup  int                  // close the connection after reading this many requests (0: never)
	// hangupConns limits hangup to the first connections accepted (0:
	// every one).
	hangupConns int
	// shutdownConns, when positive, makes the first connections act as a
	// server that begins to shut down after shutdownAfter requests: they
	// answer the later ones SHUTTING_DOWN and close after the first such
	// answer, without waiting for the client's EOF.
	shutdownConns, shutdownAfter int
	stall                        chan struct{} // when not nil, at EOF wait for it to close before answering the rest
}

// fakeServer speaks the response side of the protocol with scripted faults,
// so the client's bookkeeping can be tested without the real server.
type fakeServer struct {
	t        *testing.T
	ln       net.Listener
	be       fakeBehavior
	wg       sync.WaitGroup
	mu       sync.Mutex
	seen     map[uint64]int // requests read, by job id
	read     chan struct{}  // one token per request read, when not nil
	accepted int            // connections accepted so far, guarded by mu
}

// startFake starts a fakeServer on 127.0.0.1:0 and stops it, waiting for
// its goroutines, when the test ends.
func startFake(t *testing.T, be fakeBehavior) *fakeServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	f := &fakeServer{t: t, ln: ln, be: be, seen: make(map[uint64]int)}
	f.wg.Go(f.accept)
	t.Cleanup(func() {
		ln.Close()
		f.wg.Wait()
	})
	return f
}

func (f *fakeServer) addr() string { return f.ln.Addr().String() }

// seenIDs returns how many times each job id was read.
func (f *fakeServer) seenIDs() map[uint64]int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return maps.Clone(f.seen)
}

func (f *fakeServer) accept() {
	for {
		c, err := f.ln.Accept()
		if err != nil {
			return
		}
		f.mu.Lock()
		f.accepted++
		n := f.accepted
		f.mu.Unlock()
		f.wg.Go(func() { f.serve(c, n) })
	}
}

type fakeReq struct {
	h       core.RequestHeader
	payload []byte
	status  core.Status
}

// serve reads requests on the nth connection accepted until EOF (or the
// hang-up count), answering them a window at a time, then answers what is
// left and closes.
func (f *fakeServer) serve(c net.Conn, nth int) {
	defer c.Close()
	r := bufio.NewReader(c)
	w := bufio.NewWriter(c)
	hangup := f.be.hangup
	if f.be.hangupConns > 0 && nth > f.be.hangupConns {
		hangup = 0
	}
	draining := f.be.shutdownConns > 0 && nth <= f.be.shutdownConns
	var window []fakeReq
	for n := 1; ; n++ {
		h, payload, err := core.ReadRequest(r, core.DefaultMaxFrame, nil)
		if err != nil {
			if f.be.stall != nil {
				<-f.be.stall
			}
			break
		}
		f.mu.Lock()
		f.seen[h.JobID]++
		attempt := f.seen[h.JobID]
		f.mu.Unlock()
		if f.read != nil {
			f.read <- struct{}{}
		}
		if hangup > 0 && n >= hangup {
			return
		}
		st := f.statusOf(h.JobID, attempt)
		if draining && n > f.be.shutdownAfter {
			st = core.StatusShuttingDown
		}
		window = append(window, fakeReq{h, payload, st})
		if len(window) >= max(f.be.window, 1) {
			if !f.answer(w, window) {
				return
			}
			if draining && slices.ContainsFunc(window, func(q fakeReq) bool { return q.status == core.StatusShuttingDown }) {
				return
			}
			window = window[:0]
		}
	}
	f.answer(w, window)
}

// statusOf is the answer to the attempt-th request of job id.
func (f *fakeServer) statusOf(id uint64, attempt int) core.Status {
	switch {
	case f.be.attempt != nil:
		return f.be.attempt(id, attempt)
	case f.be.status != nil:
		return f.be.status(id)
	}
	return core.StatusOK
}

// answer writes the responses to reqs, last first, and flushes.
func (f *fakeServer) answer(w *bufio.Writer, reqs []fakeReq) bool {
	for _, q := range slices.Backward(reqs) {
		id := q.h.JobID
		if f.be.drop != nil && f.be.drop(id) {
			continue
		}
		times := 1
		if f.be.dup != nil && f.be.dup(id) {
			times = 2
		}
		for range times {
			f.respond(w, q)
		}
	}
	return w.Flush() == nil
}

func (f *fakeServer) respond(w *bufio.Writer, q fakeReq) {
	rh := core.ResponseHeader{JobID: q.h.JobID, QueueUS: 100, ServiceUS: 1000, Status: q.status}
	payload := q.payload
	if rh.Status != core.StatusOK {
		payload = []byte("refused by the fake server")
	}
	rh.Length = uint32(len(payload))
	var hb [core.HeaderSize]byte
	core.PutResponseHeader(hb[:], &rh)
	w.Write(hb[:])
	w.Write(payload)
}

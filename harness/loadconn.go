package harness

import (
	"context"
	"net"
	"sync"
	"time"

	"github.com/tcpimg/tcpimg/core"
)

// loadConn drives one connection: a sender goroutine writes requests while
// a receiver goroutine reads answers and pairs them with what was sent by
// job id. The window bounds the requests in flight; a slot is taken before
// a request is written and given back when its answer is read.
type loadConn struct {
	cc     *core.ClientConn
	tally  *tally
	seq    sequence
	pos    int           // next request of seq; sender only
	nextID uint64        // sender only
	slow   time.Duration // wait before reading each answer (slow reader)
	window chan struct{}

	mu      sync.Mutex
	pending map[uint64]pending
}

// pending is a request written and not yet answered.
type pending struct {
	from     time.Time // latency counts from here: due time (open) or write time (closed)
	measured bool
}

func newLoadConn(nc net.Conn, t *tally, seq sequence, offset, inflight int, slow time.Duration) *loadConn {
	return &loadConn{
		cc:      core.NewClientConn(nc),
		tally:   t,
		seq:     seq,
		pos:     offset,
		slow:    slow,
		window:  make(chan struct{}, inflight),
		pending: make(map[uint64]pending, inflight),
	}
}

// acquire takes a window slot, or returns false when stop or ctx ends
// first.
func (c *loadConn) acquire(ctx context.Context, stop <-chan struct{}) bool {
	select {
	case c.window <- struct{}{}:
		return true
	case <-stop:
		return false
	case <-ctx.Done():
		return false
	}
}

// release gives back a slot taken by acquire and not used.
func (c *loadConn) release() { <-c.window }

// send writes the next request of the sequence; the caller holds a slot.
func (c *loadConn) send(from time.Time, measured, late bool) error {
	req := c.seq.at(c.pos)
	c.pos++
	h := req.h
	h.JobID = c.nextID
	c.nextID++
	c.mu.Lock()
	c.pending[h.JobID] = pending{from: from, measured: measured}
	c.mu.Unlock()
	c.tally.wrote(measured, late)
	return c.cc.Send(h, req.payload)
}

// receive reads answers until the connection ends: after the sender
// half-closes, the server answers everything it read and closes.
func (c *loadConn) receive() {
	buf := make([]byte, 64<<10)
	for {
		if c.slow > 0 {
			time.Sleep(c.slow)
		}
		r, err := c.cc.RecvInto(buf)
		if err != nil {
			return
		}
		if cap(r.Payload) > cap(buf) {
			buf = r.Payload
		}
		now := time.Now()
		c.mu.Lock()
		p, ok := c.pending[r.JobID]
		delete(c.pending, r.JobID)
		c.mu.Unlock()
		if !ok {
			c.tally.duplicate()
			continue
		}
		c.release()
		if p.measured {
			c.tally.answered(&r, now.Sub(p.from), now, c.slow == 0)
		}
	}
}

// finish half-closes the connection once the sender is done, so the server
// answers what it read and closes; drain bounds the wait for that.
func (c *loadConn) finish(drain time.Duration) {
	c.cc.CloseWrite()
	c.cc.Conn().SetReadDeadline(time.Now().Add(drain))
}

// close closes the connection and counts what was never answered as lost.
func (c *loadConn) close() {
	c.cc.Close()
	c.mu.Lock()
	lost := len(c.pending)
	c.mu.Unlock()
	c.tally.addLost(lost)
}

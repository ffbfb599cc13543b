package harness

import (
	"math/rand/v2"
	"net"
	"time"

	"github.com/tcpimg/tcpimg/harness/loadclient"
)

// loadConn is one connection of a run: a pipelined loadclient.Conn and
// the cycle of the workload's requests that its sender walks.
type loadConn struct {
	*loadclient.Conn
	seq    sequence
	pos    int    // next request of seq; sender only
	nextID uint64 // sender only
	// draw draws the lengths of jobs with a Dist; sender only. Each
	// connection has its own stream of the scenario's seed, numbered by
	// the connection, so that senders share no lock and a seed draws the
	// same lengths on every connection.
	draw *rand.Rand
	// trace, when not nil, keeps every request's send time and answer,
	// for a run that checks a queueing model.
	trace *connTrace
}

func newLoadConn(nc net.Conn, t *loadclient.Tally, seq sequence, offset, inflight int, slow time.Duration) *loadConn {
	cfg := loadclient.Config{Inflight: inflight, ReadDelay: slow}
	return &loadConn{Conn: loadclient.NewConn(nc, t, cfg), seq: seq, pos: offset}
}

// acquire takes a window slot, or returns false when stop is closed or the
// connection ends first (as it does when the run's context ends). Requests
// are written at once, so there is never a buffer to flush and fail.
func (c *loadConn) acquire(stop <-chan struct{}) bool {
	ok, _ := c.Acquire(stop)
	return ok
}

// send writes the next request of the sequence at once; the caller holds a
// slot. Its latency counts from due.
func (c *loadConn) send(due time.Time, warmup, late bool) error {
	req := c.seq.at(c.pos)
	c.pos++
	h := req.h
	if req.dist != Fixed {
		h.Arg1 = req.dist.draw(c.draw, h.Arg1)
	}
	h.JobID = c.nextID
	c.nextID++
	if c.trace != nil {
		c.trace.sent(h.JobID, warmup)
	}
	return c.Send(loadclient.Request{Header: h, Payload: req.payload, Due: due, Warmup: warmup, Late: late})
}

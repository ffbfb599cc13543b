package harness

import (
	"math/rand/v2"
	"net"
	"sync"
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
	// deadline is the deadline field of every request, in ms (0: none).
	deadline uint32
	// draw draws the lengths of jobs with a Dist; sender only. Each
	// connection has its own stream of the scenario's seed, numbered by
	// the connection, so that senders share no lock and a seed draws the
	// same lengths on every connection.
	draw *rand.Rand
	// trace, when not nil, keeps every request's send time and answer,
	// for a run that checks a queueing model.
	trace *connTrace
	// retries, when not nil, decides which refused or timed-out requests
	// are written again.
	retries *retrier

	mu       sync.Mutex
	attempts map[uint64]int // retries before each request in flight that is a retry
}

func newLoadConn(nc net.Conn, t *loadclient.Tally, seq sequence, offset int, s Scenario, slow time.Duration, retries *retrier) *loadConn {
	c := &loadConn{seq: seq, pos: offset, retries: retries, attempts: map[uint64]int{}}
	if s.SendDeadline {
		c.deadline = uint32(s.Timeout.Milliseconds())
	}
	cfg := loadclient.Config{Inflight: s.Inflight, ReadDelay: slow, Timeout: s.Timeout}
	if retries != nil {
		cfg.Retry = c.offer
	}
	c.Conn = loadclient.NewConn(nc, t, cfg)
	return c
}

// offer is the connection's Config.Retry: it hands a refused or timed-out
// request to the run's retrier with the retries it had.
func (c *loadConn) offer(r *loadclient.Result) bool {
	c.mu.Lock()
	n := c.attempts[r.JobID]
	delete(c.attempts, r.JobID)
	c.mu.Unlock()
	return c.retries.offer(r, n)
}

// acquire takes a window slot, or returns false when stop is closed or the
// connection ends first (as it does when the run's context ends). Requests
// are written at once, so there is never a buffer to flush and fail.
func (c *loadConn) acquire(stop <-chan struct{}) bool {
	ok, _ := c.Acquire(stop)
	return ok
}

// send writes the next request of the sequence at once, for tk; the caller
// holds a slot. Its latency counts from tk.due.
func (c *loadConn) send(tk ticket, late bool) error {
	req := c.seq.at(c.pos)
	c.pos++
	h := req.h
	if req.dist != Fixed {
		h.Arg1 = req.dist.draw(c.draw, h.Arg1)
	}
	h.JobID = c.nextID
	h.Deadline = c.deadline
	c.nextID++
	if c.trace != nil {
		c.trace.sent(h.JobID, tk.warmup)
	}
	if tk.attempt > 0 {
		// Before the write, so that however fast the answer, its offer
		// finds the count.
		c.mu.Lock()
		c.attempts[h.JobID] = tk.attempt
		c.mu.Unlock()
	} else {
		c.retries.sent()
	}
	return c.Send(loadclient.Request{Header: h, Payload: req.payload, Due: tk.due, Warmup: tk.warmup, Late: late, Retry: tk.attempt > 0})
}

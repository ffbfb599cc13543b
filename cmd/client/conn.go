package main

import (
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"time"

	"github.com/tcpimg/tcpimg/core"
)

// pendingJob is a job sent on a connection and not yet answered.
type pendingJob struct {
	img   int // index into the batch's images
	start time.Time
}

// conn carries part of a batch on one connection: one goroutine sends
// (send), one receives (receive), and the pending map pairs their work by
// job id, because the server answers in any order.
type conn struct {
	b     *batch
	id    int
	cc    *core.ClientConn
	slots chan struct{} // one token per request in flight; capacity -inflight
	done  chan struct{} // closed when receive returns: nothing more will be answered

	mu      sync.Mutex
	pending map[uint64]pendingJob
	sent    int
}

func newConn(b *batch, id int, cc *core.ClientConn) *conn {
	return &conn{
		b:       b,
		id:      id,
		cc:      cc,
		slots:   make(chan struct{}, b.cfg.inflight),
		done:    make(chan struct{}),
		pending: make(map[uint64]pendingJob, min(b.cfg.inflight, 1024)), // grows if a big window fills
	}
}

// send takes jobs from the batch until none is left, at most -inflight
// outstanding at once, then half-closes the connection so the server answers
// what it read and closes. Requests are buffered and flushed whenever the
// sender must wait, so a pipeline of small requests costs few writes. It
// returns early, with nil, when the receiver has stopped: the connection is
// gone. On a write error it closes the connection, which stops the receiver;
// writing to a connection that the receiver or a cancellation closed is not
// an error of its own.
func (c *conn) send() (err error) {
	defer func() {
		if errors.Is(err, net.ErrClosed) {
			err = nil
		}
		if err != nil {
			c.cc.Close()
		}
	}()
	for !c.b.exhausted() {
		if ok, err := c.acquire(); !ok {
			return err
		}
		i, ok := c.b.nextJob()
		if !ok {
			break
		}
		h := c.b.header
		h.JobID = uint64(i) + 1
		img := i % len(c.b.images)
		c.mu.Lock()
		c.pending[h.JobID] = pendingJob{img: img, start: time.Now()}
		c.sent++
		c.mu.Unlock()
		if err := c.cc.SendBuffered(h, c.b.payload(img)); err != nil {
			return fmt.Errorf("send: %w", err)
		}
	}
	if err := c.cc.CloseWrite(); err != nil {
		return fmt.Errorf("send: %w", err)
	}
	return nil
}

// acquire takes a slot for one more request, flushing the buffered requests
// before it waits for one. It returns false, with the error if any, when no
// slot can come: the receiver has stopped.
func (c *conn) acquire() (bool, error) {
	select {
	case c.slots <- struct{}{}:
		return true, nil
	default:
	}
	if err := c.cc.Flush(); err != nil {
		return false, fmt.Errorf("send: %w", err)
	}
	select {
	case c.slots <- struct{}{}:
		return true, nil
	case <-c.done:
		return false, nil
	}
}

// receive reads responses until the server closes the connection, pairing
// each with its pending job. It closes the connection and c.done when it
// returns. A clean end of stream is not an error: jobs still pending then
// are missing, which the batch counts once both goroutines have returned.
func (c *conn) receive() error {
	defer close(c.done)
	defer c.cc.Close()
	for {
		resp, err := c.cc.Recv()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("receive: %w", err)
		}
		now := time.Now()
		c.mu.Lock()
		pj, ok := c.pending[resp.JobID]
		delete(c.pending, resp.JobID)
		c.mu.Unlock()
		if !ok {
			c.b.unexpected(c.id, resp.JobID)
			continue
		}
		<-c.slots
		c.b.answered(&resp, pj, now.Sub(pj.start))
	}
}

// leftover returns how many jobs this connection sent and how many of them
// were never answered. Call it after send and receive have returned.
func (c *conn) leftover() (sent, missing int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.sent, len(c.pending)
}

package loadclient

import (
	"errors"
	"fmt"
	"io"
	"maps"
	"net"
	"sync"
	"time"

	"github.com/tcpimg/tcpimg/core"
)

// Request is one request to write on a [Conn].
type Request struct {
	// Header is the request's header. Its JobID must not be in flight on
	// the connection already: the answer is paired with it by that id.
	Header  core.RequestHeader
	Payload []byte
	// Due is when the request's latency starts: an open loop's scheduled
	// send time, so that a wait for a window slot counts. The zero value
	// means the moment the request is handed to the connection.
	Due time.Time
	// Warmup marks a request of a warm-up: its answer is paired and
	// checked, but left out of the tally's counts and histograms.
	Warmup bool
	// Late marks a request handed over well after its due time, for the
	// tally's Late count.
	Late bool
	// Retry marks a request written again after an earlier attempt was
	// refused or lost (see [Config.Retry] and [Conn.RetryLost]): the tally
	// counts it in Retries, not in Sent, so that Sent still counts
	// requests once. Keep its Due at the first attempt's, and its latency
	// covers every attempt and the waits between them.
	Retry bool
}

// Result is what became of one request: its answer, or an answer that no
// request awaited.
type Result struct {
	// Response is the answer. Its Payload is valid only until the handler
	// given to [Conn.Receive] returns: the connection reuses its buffer.
	Response *core.Response
	// Latency runs from the request's due time to reading the answer.
	Latency time.Duration
	// At is when the answer was read.
	At time.Time
	// Warmup is the request's [Request.Warmup].
	Warmup bool
	// Unexpected is set for an answer whose job id was not in flight (a
	// second answer, or one never asked for); Latency and Warmup are then
	// zero.
	Unexpected bool
	// Retried is set for an answer that [Config.Retry] took: the tally
	// left it out, and its request is to be written again.
	Retried bool
	// JobID is the request's job id, also for a Result without a Response.
	JobID uint64
	// TimedOut marks the Result of a request the client gave up on (see
	// [Config.Timeout]): it has no Response, At is when the client gave
	// up, and only [Config.Retry] sees it.
	TimedOut bool
	// AfterTimeout marks an answer read after the client gave up on its
	// request: the tally counts it as late and its service time as
	// wasted, never as the request's outcome.
	AfterTimeout bool
}

// Config sets up a [Conn]; the zero value is one request in flight, read
// at once.
type Config struct {
	// Inflight bounds the requests written and not yet answered; 0 means 1.
	Inflight int
	// ReadDelay is a wait before reading each answer, to play a client
	// that reads slowly. The latency of what it reads is left out of the
	// tally's histograms, which describe clients that read promptly.
	ReadDelay time.Duration
	// Retry, if set, sees every awaited answer before the tally does; when
	// it returns true the answer is left out of the tally (its request is
	// the caller's to write again, marked [Request.Retry]) and reaches the
	// handler with Retried set. A client that retries refusals decides
	// here, so that the tally counts each request's last answer only.
	//
	// With a Timeout, Retry also sees every request the client gives up
	// on, as a Result with TimedOut set; returning false counts it in
	// the tally's TimedOut.
	Retry func(*Result) bool
	// Timeout, when positive, is how long the client waits for each
	// request it writes. A request not answered by then has failed for
	// the client: its window slot is free again at once, and its answer,
	// when it comes, is read and counted as late (see
	// [Result.AfterTimeout]) rather than as the request's outcome. The
	// OK answers that count as in time are those read within Timeout of
	// the request's due time. 0 waits for ever.
	Timeout time.Duration
}

// Conn pipelines requests on one connection: one goroutine writes (Acquire
// then Send), another reads ([Conn.Receive]), and a table of the requests
// in flight pairs their work by job id, because the server answers in any
// order. A window bounds the requests in flight: a slot is taken before a
// request is written and given back when its answer is read.
type Conn struct {
	cc        *core.ClientConn
	tally     *Tally
	readDelay time.Duration
	retry     func(*Result) bool
	timeout   time.Duration
	window    chan struct{}
	done      chan struct{} // closed when Receive returns: nothing more will be answered

	mu      sync.Mutex
	pending map[uint64]pending
	ended   bool // Receive returned: the timeouts are stopped
}

// pending is a request written and not yet answered.
type pending struct {
	from   time.Time
	warmup bool
	timer  *time.Timer // the client's timeout; nil without one
	gaveUp bool        // the timeout passed: the slot is free already
}

// NewConn returns a Conn over nc that adds what it sees to t.
func NewConn(nc net.Conn, t *Tally, cfg Config) *Conn {
	inflight := max(cfg.Inflight, 1)
	return &Conn{
		cc:        core.NewClientConn(nc),
		tally:     t,
		readDelay: cfg.ReadDelay,
		retry:     cfg.Retry,
		timeout:   cfg.Timeout,
		window:    make(chan struct{}, inflight),
		done:      make(chan struct{}),
		pending:   make(map[uint64]pending, min(inflight, 1024)), // grows if a big window fills
	}
}

// Acquire takes a window slot for one more request, flushing the requests
// buffered by SendBuffered before it waits for one. It returns false when
// no slot comes before stop is closed or Receive returns (the connection is
// gone), with the error of the flush if that failed. A nil stop never
// closes.
func (c *Conn) Acquire(stop <-chan struct{}) (bool, error) {
	select {
	case c.window <- struct{}{}:
		return true, nil
	default:
	}
	if err := c.cc.Flush(); err != nil {
		return false, err
	}
	select {
	case c.window <- struct{}{}:
		return true, nil
	case <-stop:
		return false, nil
	case <-c.done:
		return false, nil
	}
}

// Flush writes the requests buffered by SendBuffered, for a writer about to
// wait for something other than a slot.
func (c *Conn) Flush() error { return c.cc.Flush() }

// InFlight returns the number of requests written and not yet answered,
// including those the client gave up on.
func (c *Conn) InFlight() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.pending)
}

// Done is closed when Receive has returned: nothing more will be answered.
func (c *Conn) Done() <-chan struct{} { return c.done }

// Release gives back a slot taken by Acquire and not used.
func (c *Conn) Release() { <-c.window }

// Send writes r at once; the caller holds a slot.
func (c *Conn) Send(r Request) error {
	c.track(&r)
	return c.cc.Send(r.Header, r.Payload)
}

// SendBuffered writes r into the connection's buffer, which the next
// Acquire that must wait flushes: a pipeline of small requests then costs
// few writes. The caller holds a slot.
func (c *Conn) SendBuffered(r Request) error {
	c.track(&r)
	return c.cc.SendBuffered(r.Header, r.Payload)
}

// track puts r in flight before it is written, so that its answer, however
// fast, finds it.
func (c *Conn) track(r *Request) {
	if r.Due.IsZero() {
		r.Due = time.Now()
	}
	id := r.Header.JobID
	p := pending{from: r.Due, warmup: r.Warmup}
	c.mu.Lock()
	if c.timeout > 0 && !c.ended {
		// Set under the lock, so that the timer finds its entry.
		p.timer = time.AfterFunc(c.timeout, func() { c.giveUp(id) })
	}
	c.pending[id] = p
	c.mu.Unlock()
	c.tally.wrote(r)
}

// giveUp is the client's timeout of request id: unless its answer came
// first, the request has failed for the client, and its slot is free for
// another request while the server, which may still run it, owes the
// answer.
func (c *Conn) giveUp(id uint64) {
	c.mu.Lock()
	p, ok := c.pending[id]
	if !ok || p.gaveUp || c.ended {
		c.mu.Unlock()
		return
	}
	p.gaveUp = true
	c.pending[id] = p
	c.mu.Unlock()
	c.Release()
	now := time.Now()
	r := Result{JobID: id, TimedOut: true, At: now, Latency: now.Sub(p.from), Warmup: p.warmup}
	if c.retry != nil && c.retry(&r) {
		return
	}
	c.tally.timedOut(&r)
}

// Receive reads answers until the connection ends, pairs each with its
// request, adds its Result to the tally and hands it to handle, if not
// nil, in this goroutine. It closes the connection when it returns. A clean
// end of stream (the server answered everything it read and closed) is
// not an error; requests still in flight then are lost (see CountLost).
//
// An answer to a request the client gave up on reaches handle with
// AfterTimeout set.
func (c *Conn) Receive(handle func(*Result)) error {
	defer close(c.done)
	defer c.cc.Close()
	defer c.stopTimeouts()
	buf := make([]byte, 64<<10)
	for {
		if c.readDelay > 0 {
			time.Sleep(c.readDelay)
		}
		resp, err := c.cc.RecvInto(buf)
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("receive: %w", err)
		}
		if cap(resp.Payload) > cap(buf) {
			buf = resp.Payload[:cap(resp.Payload)]
		}
		r := Result{Response: &resp, At: time.Now(), JobID: resp.JobID}
		c.mu.Lock()
		p, ok := c.pending[resp.JobID]
		delete(c.pending, resp.JobID)
		c.mu.Unlock()
		if ok {
			if p.timer != nil {
				// A timer that fired already finds no entry.
				p.timer.Stop()
			}
			if !p.gaveUp {
				c.Release()
			}
			r.Latency, r.Warmup, r.AfterTimeout = r.At.Sub(p.from), p.warmup, p.gaveUp
		} else {
			r.Unexpected = true
		}
		if ok && !r.AfterTimeout && c.retry != nil && c.retry(&r) {
			r.Retried = true
		} else {
			c.tally.add(&r, c.readDelay == 0, c.timeout)
		}
		if handle != nil {
			handle(&r)
		}
	}
}

// stopTimeouts stops the timeouts of the requests still in flight once
// nothing more will be answered: they are lost, not timed out.
func (c *Conn) stopTimeouts() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.ended = true
	for _, p := range c.pending {
		if p.timer != nil {
			p.timer.Stop()
		}
	}
}

// CloseWrite half-closes the connection once the last request is written,
// so that the server answers what it read and closes; drain, when
// positive, bounds how long Receive then waits for that.
func (c *Conn) CloseWrite(drain time.Duration) error {
	err := c.cc.CloseWrite()
	if drain > 0 {
		c.cc.Conn().SetReadDeadline(time.Now().Add(drain))
	}
	return err
}

// Close closes the connection at once, which ends Receive and fails any
// write. It is safe to call at any time, more than once.
func (c *Conn) Close() error { return c.cc.Close() }

// CountLost counts the requests still in flight as lost, in the tally,
// and returns how many there were. Call it once, after the writer and
// Receive have returned.
func (c *Conn) CountLost() int { return c.RetryLost(nil) }

// RetryLost offers each request still in flight, by job id and due time,
// to retry, and counts those it declines (all of them for a nil retry) as
// lost, in the tally; it returns how many it counted. A request the client
// gave up on and the server never answered is lost, without an offer. A
// request retry takes is the caller's to write again, marked
// [Request.Retry] and with that Due. Call it once, after the writer and
// Receive have returned.
func (c *Conn) RetryLost(retry func(id uint64, due time.Time) bool) int {
	c.mu.Lock()
	lost := maps.Clone(c.pending)
	clear(c.pending)
	c.mu.Unlock()
	n := 0
	for id, p := range lost {
		if p.gaveUp {
			n++
			continue
		}
		if retry == nil || !retry(id, p.from) {
			n++
		}
	}
	c.tally.lost(n)
	return n
}

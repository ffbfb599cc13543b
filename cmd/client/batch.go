package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/tcpimg/tcpimg/core"
	"github.com/tcpimg/tcpimg/harness/loadclient"
	"github.com/tcpimg/tcpimg/internal/tlsconf"
)

// maxErrs bounds the errors a batch keeps for its report: a server that
// answers garbage should not flood the terminal.
const maxErrs = 20

// readAfterError bounds how long the receiver of a connection whose write
// failed goes on reading: what the server wrote before it closed is in
// the socket already.
const readAfterError = 250 * time.Millisecond

// answerWait bounds how long a sender with nothing left to send keeps its
// connection open for the answers still due on it; a server that answers
// only after the client's half-close is then not waited on for ever.
const answerWait = time.Second

// batch is one run of the client: the jobs, the connections that carry them,
// and what came back. Job i (0-based) sends image i mod len(images) with job
// id i+1, so ids are unique across connections and repeats, and any
// connection may take the next job: a slow connection does not hold the
// batch back. A job sent again (see retrier) keeps its id: its earlier
// attempt was answered or its connection is gone, so the id is in flight
// nowhere.
type batch struct {
	cfg      *config
	images   []inputImage
	header   core.RequestHeader // the batch's request, job id left 0
	total    int64
	next     atomic.Int64 // the next job to hand out
	tally    *loadclient.Tally
	retries  *retrier
	progress progress
	out      *outWriter // nil without -out

	reconnects atomic.Int64

	connMu sync.Mutex
	conns  map[*conn]struct{} // open connections, closed when ctx ends
	ctxEnd bool

	firstMu  sync.Mutex
	firstMsg [core.NumStatus]string // first message per status, prefixed with the image name

	errMu   sync.Mutex
	errs    []error
	dropped int // errors beyond maxErrs
}

// conn is one connection of the batch. A connection that was answered
// SHUTTING_DOWN drains: its server answers what it has and closes, so the
// sender stops writing to it and the batch goes on over a new one.
type conn struct {
	*loadclient.Conn
	id        int
	drainOnce sync.Once
	draining  chan struct{}
	answer    chan struct{} // a token when an answer arrived, for a sender waiting on them
}

func (c *conn) drain() { c.drainOnce.Do(func() { close(c.draining) }) }

func newBatch(cfg *config, images []inputImage, out *outWriter, p progress) (*batch, error) {
	t := loadclient.NewTally()
	t.AllLatencies = true // every job's time, refusals included
	r, err := newRetrier(cfg.retries, cfg.retryBudget)
	if err != nil {
		return nil, err
	}
	return &batch{
		cfg:      cfg,
		images:   images,
		header:   cfg.header(),
		total:    int64(len(images)) * int64(cfg.repeat),
		tally:    t,
		retries:  r,
		progress: p,
		out:      out,
		conns:    map[*conn]struct{}{},
	}, nil
}

// nextJob hands out the index of the next job to send, or false when every
// job has been handed out.
func (b *batch) nextJob() (int, bool) {
	i := b.next.Add(1) - 1
	if i >= b.total {
		return 0, false
	}
	return int(i), true
}

// imageOf returns the index of the image that job id carries.
func (b *batch) imageOf(id uint64) int { return int((id - 1) % uint64(len(b.images))) }

// payload is what a job for image img carries: SPIN and SLEEP ignore their
// payload, so they send none and measure the server rather than the network.
func (b *batch) payload(img int) []byte {
	if b.header.Op == core.OpSpin || b.header.Op == core.OpSleep {
		return nil
	}
	return b.images[img].data
}

// request builds the request of job id, due at due: now for its first
// attempt, the first attempt's for a retry, so that its latency covers
// every attempt.
func (b *batch) request(id uint64, due time.Time, again bool) loadclient.Request {
	h := b.header
	h.JobID = id
	return loadclient.Request{Header: h, Payload: b.payload(b.imageOf(id)), Due: due, Retry: again}
}

// send writes jobs on c, at most -inflight outstanding at once, until
// nothing is left for it, then half-closes c so the server answers what it
// read and closes. Requests are buffered and flushed whenever the sender
// must wait, so a pipeline of small requests costs few writes. It returns
// early, with nil, when c's receiver has stopped: the connection is gone.
// On a write error it stops the receiver after at most readAfterError,
// so that the receiver first reads what the server sent before the
// connection broke: a TLS alert that says why the server closed it;
// writing to a connection that the receiver or a cancellation closed is
// not an error of its own.
func (b *batch) send(ctx context.Context, c *conn) (err error) {
	defer func() {
		if errors.Is(err, net.ErrClosed) {
			err = nil
		}
		if err != nil {
			c.CloseWrite(readAfterError)
		}
	}()
	for {
		ok, err := c.Acquire(c.draining)
		if err != nil {
			return fmt.Errorf("send: %w", err)
		}
		if !ok {
			break
		}
		r, ok, err := b.nextRequest(ctx, c)
		if err != nil {
			return fmt.Errorf("send: %w", err)
		}
		if !ok {
			c.Release()
			break
		}
		if err := c.SendBuffered(r); err != nil {
			return fmt.Errorf("send: %w", err)
		}
	}
	select {
	case <-c.Done():
		return nil
	default:
	}
	if err := c.CloseWrite(0); err != nil {
		return fmt.Errorf("send: %w", err)
	}
	return nil
}

// nextRequest returns the next request to write on c: a job whose retry is
// due, else the next job of the batch. While retries wait out their
// backoff it flushes c and waits. It returns false when nothing is left for
// c: every job handed out and no retry pending, or c drains or is gone, or
// ctx ended. With retries on, it also waits up to answerWait for the
// answers due on c, which may call for retries: c then carries them, where
// a half-closed c would need a new connection.
func (b *batch) nextRequest(ctx context.Context, c *conn) (loadclient.Request, bool, error) {
	var linger *time.Timer
	defer func() {
		if linger != nil {
			linger.Stop()
		}
	}()
	for {
		select {
		case <-c.draining:
			return loadclient.Request{}, false, nil
		default:
		}
		if id, due, ok := b.retries.take(); ok {
			return b.request(id, due, true), true, nil
		}
		if i, ok := b.nextJob(); ok {
			b.retries.sent()
			return b.request(uint64(i)+1, time.Now(), false), true, nil
		}
		pending, wake := b.retries.pending()
		var lingered <-chan time.Time
		if !pending {
			if !b.retries.on() || c.InFlight() == 0 {
				return loadclient.Request{}, false, nil
			}
			if linger == nil {
				linger = time.NewTimer(answerWait)
			}
			lingered = linger.C
		}
		if err := c.Flush(); err != nil {
			return loadclient.Request{}, false, err
		}
		select {
		case <-wake:
		case <-c.answer:
		case <-c.draining:
		case <-lingered:
			return loadclient.Request{}, false, nil
		case <-c.Done():
			return loadclient.Request{}, false, nil
		case <-ctx.Done():
			return loadclient.Request{}, false, nil
		}
	}
}

// retryAnswer is every connection's Config.Retry: a BUSY or SHUTTING_DOWN
// answer means the job did not run, so it may be sent again. SHUTTING_DOWN
// also drains the connection it came on.
func (b *batch) retryAnswer(c *conn) func(*loadclient.Result) bool {
	return func(r *loadclient.Result) bool {
		switch r.Response.Status {
		case core.StatusShuttingDown:
			c.drain()
		case core.StatusBusy:
		default:
			return false
		}
		return b.retries.offer(r.Response.JobID, r.At.Add(-r.Latency))
	}
}

// answered returns the handler of connection conn's results: the tally
// has counted each already (or left it to a retry); the batch shows
// progress, keeps the first message of each failing status and writes the
// -out files.
func (b *batch) answered(c *conn) func(*loadclient.Result) {
	return func(r *loadclient.Result) {
		select {
		case c.answer <- struct{}{}:
		default:
		}
		if r.Unexpected {
			b.fail(fmt.Errorf("conn %d: answer for job %d, which is not outstanding", c.id, r.Response.JobID))
			return
		}
		if r.Retried {
			return
		}
		img := b.imageOf(r.Response.JobID)
		b.progress.add(1)
		if r.Response.Status != core.StatusOK {
			b.noteFirst(r.Response, b.images[img].name)
			return
		}
		if b.out != nil {
			if err := b.out.write(img, b.images[img].stem, r.Response.Payload); err != nil {
				b.fail(err)
			}
		}
	}
}

// noteFirst keeps r's message if it is the first of its status.
func (b *batch) noteFirst(r *core.Response, image string) {
	b.firstMu.Lock()
	defer b.firstMu.Unlock()
	if b.firstMsg[r.Status] == "" {
		b.firstMsg[r.Status] = image + ": " + r.Err().Error()
	}
}

// fail keeps err for the report.
func (b *batch) fail(err error) {
	b.errMu.Lock()
	defer b.errMu.Unlock()
	if len(b.errs) < maxErrs {
		b.errs = append(b.errs, err)
	} else {
		b.dropped++
	}
}

// run sends the batch and waits for every connection to end. Its error is
// for a batch that could not start (a dial failed); what went wrong after is
// in the summary and in b.errs. Cancelling ctx closes the connections: what
// was outstanding then is missing.
func (b *batch) run(ctx context.Context) (*summary, error) {
	first, err := b.dialAll(ctx)
	if err != nil {
		return nil, err
	}
	stopClose := context.AfterFunc(ctx, b.closeAll)
	start := time.Now()
	var wg sync.WaitGroup
	for _, c := range first {
		wg.Go(func() { b.carry(ctx, c) })
	}
	wg.Wait()
	elapsed := time.Since(start)
	stopClose()
	b.progress.finish()
	return b.summarize(elapsed, b.retries.stop()), nil
}

// carry runs connection c until it ends, and then, while jobs are left to
// send or to send again, a new connection in its place.
func (b *batch) carry(ctx context.Context, c *conn) {
	for {
		var wg sync.WaitGroup
		var sendErr, recvErr error
		wg.Go(func() { sendErr = b.send(ctx, c) })
		wg.Go(func() { recvErr = c.Receive(b.answered(c)) })
		wg.Wait()
		refusal := sendErr
		if refusedTLS(recvErr) {
			refusal = recvErr
		}
		refused := refusedTLS(refusal)
		switch {
		case refused && ctx.Err() == nil:
			b.fail(fmt.Errorf("conn %d: the server refused the TLS session, which no retry mends (check -tls-cert, -tls-key and -tls-ca): %w", c.id, refusal))
		case gone(sendErr) && gone(recvErr):
			// The server closed the connection, or reset it with requests
			// of ours unread (as one that shuts down may): what it did
			// not answer is sent again or reported as unanswered below,
			// which says what the closing cost.
		default:
			b.connErr(ctx, sendErr)
			b.connErr(ctx, recvErr)
		}
		others := b.forget(c)
		var lost int
		if ctx.Err() != nil || refused {
			lost = c.CountLost()
		} else {
			lost = c.RetryLost(b.retries.offer)
		}
		if lost > 0 && ctx.Err() == nil {
			b.fail(fmt.Errorf("conn %d: closed with %d jobs unanswered", c.id, lost))
		}
		// A connection that ended with jobs of the batch still to hand out
		// is replaced, so that -conns carry them. Once every job is handed
		// out, the last connection to end carries the retries left: every
		// other one looks again when it ends. A server that refused the
		// TLS session refuses the next one alike.
		if ctx.Err() != nil || refused || !b.retries.on() || !b.workLeft() {
			return
		}
		if others > 0 && b.next.Load() >= b.total {
			return
		}
		if c = b.redial(ctx, c.id); c == nil {
			return
		}
	}
}

// workLeft reports whether any job is yet to be sent, or to be sent again.
func (b *batch) workLeft() bool {
	pending, _ := b.retries.pending()
	return pending || b.next.Load() < b.total
}

// redial opens a new connection in place of connection id, waiting out a
// backoff before each attempt, up to -retries attempts; nil when every
// attempt failed or ctx ended.
func (b *batch) redial(ctx context.Context, id int) *conn {
	p := b.retries.policy
	var last error
	for n := 1; p.Allow(n - 1); n++ {
		t := time.NewTimer(p.Backoff(n))
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return nil
		}
		c, err := b.dial(ctx, id)
		if err == nil {
			b.reconnects.Add(1)
			return c
		}
		last = err
		if refusedTLS(err) {
			break // the next handshake would be refused alike
		}
	}
	if ctx.Err() == nil {
		b.fail(fmt.Errorf("conn %d: %w", id, last))
	}
	return nil
}

// gone reports whether err, if any, only says that the connection ended
// under the writer or the reader: the peer closed or reset it.
func gone(err error) bool {
	return err == nil || errors.Is(err, net.ErrClosed) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) || errors.Is(err, syscall.ENOTCONN)
}

// refusedTLS reports whether err is a TLS alert the server sent, such as
// "certificate required" from a server that asks for client certificates:
// the server refused this client's TLS session, and will refuse the next
// one for the same reason, so the session's jobs are not retried.
func refusedTLS(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "remote error"
}

// connErr keeps a connection's error, unless it only reports the connection
// being closed because ctx ended.
func (b *batch) connErr(ctx context.Context, err error) {
	if err != nil && ctx.Err() == nil {
		b.fail(err)
	}
}

// dialAll opens -conns connections, or none.
func (b *batch) dialAll(ctx context.Context) ([]*conn, error) {
	conns := make([]*conn, 0, b.cfg.conns)
	for i := range b.cfg.conns {
		c, err := b.dial(ctx, i)
		if err != nil {
			b.closeAll()
			return nil, err
		}
		conns = append(conns, c)
	}
	return conns, nil
}

// dial opens connection id (over TLS with the -tls flags) and registers
// it, so that the end of ctx closes it.
func (b *batch) dial(ctx context.Context, id int) (*conn, error) {
	nc, err := tlsconf.Dial(ctx, b.cfg.addr, b.cfg.tls)
	if err != nil {
		return nil, fmt.Errorf("dial: %w", err)
	}
	c := &conn{id: id, draining: make(chan struct{}), answer: make(chan struct{}, 1)}
	c.Conn = loadclient.NewConn(nc, b.tally, loadclient.Config{Inflight: b.cfg.inflight, Retry: b.retryAnswer(c)})
	b.connMu.Lock()
	defer b.connMu.Unlock()
	if b.ctxEnd {
		c.Close()
	}
	b.conns[c] = struct{}{}
	return c, nil
}

// forget unregisters a connection that has ended and returns how many
// others are open.
func (b *batch) forget(c *conn) int {
	b.connMu.Lock()
	defer b.connMu.Unlock()
	delete(b.conns, c)
	return len(b.conns)
}

// closeAll closes every open connection, and any opened later.
func (b *batch) closeAll() {
	b.connMu.Lock()
	defer b.connMu.Unlock()
	b.ctxEnd = true
	for c := range b.conns {
		c.Close()
	}
}

// summarize gathers the tally. Call it after every connection's goroutines
// have returned and its lost requests are counted; stranded counts jobs
// that were waiting to be sent again when the batch ended.
func (b *batch) summarize(elapsed time.Duration, stranded int) *summary {
	b.firstMu.Lock()
	defer b.firstMu.Unlock()
	return &summary{
		images:     len(b.images),
		repeat:     b.cfg.repeat,
		conns:      b.cfg.conns,
		inflight:   b.cfg.inflight,
		jobs:       int(b.total),
		counts:     b.tally.Counts(),
		stranded:   stranded,
		denied:     b.retries.deniedCount(),
		reconnects: int(b.reconnects.Load()),
		firstMsg:   b.firstMsg,
		elapsed:    elapsed,
	}
}

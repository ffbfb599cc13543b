package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tcpimg/tcpimg/core"
	"github.com/tcpimg/tcpimg/harness/loadclient"
)

// maxErrs bounds the errors a batch keeps for its report: a server that
// answers garbage should not flood the terminal.
const maxErrs = 20

// batch is one run of the client: the jobs, the connections that carry them,
// and what came back. Job i (0-based) sends image i mod len(images) with job
// id i+1, so ids are unique across connections and repeats, and any
// connection may take the next job: a slow connection does not hold the
// batch back.
type batch struct {
	cfg      *config
	images   []inputImage
	header   core.RequestHeader // the batch's request, job id left 0
	total    int64
	next     atomic.Int64 // the next job to hand out
	tally    *loadclient.Tally
	progress progress
	out      *outWriter // nil without -out

	firstMu  sync.Mutex
	firstMsg [core.NumStatus]string // first message per status, prefixed with the image name

	errMu   sync.Mutex
	errs    []error
	dropped int // errors beyond maxErrs
}

func newBatch(cfg *config, images []inputImage, out *outWriter, p progress) *batch {
	t := loadclient.NewTally()
	t.AllLatencies = true // every job's time, refusals included
	return &batch{
		cfg:      cfg,
		images:   images,
		header:   cfg.header(),
		total:    int64(len(images)) * int64(cfg.repeat),
		tally:    t,
		progress: p,
		out:      out,
	}
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

// exhausted reports whether every job has been handed out.
func (b *batch) exhausted() bool { return b.next.Load() >= b.total }

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

// send takes jobs from the batch until none is left, at most -inflight
// outstanding at once on c, then half-closes c so the server answers what
// it read and closes. Requests are buffered and flushed whenever the sender
// must wait, so a pipeline of small requests costs few writes. It returns
// early, with nil, when c's receiver has stopped: the connection is gone.
// On a write error it closes c, which stops the receiver; writing to a
// connection that the receiver or a cancellation closed is not an error of
// its own.
func (b *batch) send(c *loadclient.Conn) (err error) {
	defer func() {
		if errors.Is(err, net.ErrClosed) {
			err = nil
		}
		if err != nil {
			c.Close()
		}
	}()
	for !b.exhausted() {
		ok, err := c.Acquire(nil)
		if err != nil {
			return fmt.Errorf("send: %w", err)
		}
		if !ok {
			return nil
		}
		i, ok := b.nextJob()
		if !ok {
			break
		}
		h := b.header
		h.JobID = uint64(i) + 1
		if err := c.SendBuffered(loadclient.Request{Header: h, Payload: b.payload(b.imageOf(h.JobID))}); err != nil {
			return fmt.Errorf("send: %w", err)
		}
	}
	if err := c.CloseWrite(0); err != nil {
		return fmt.Errorf("send: %w", err)
	}
	return nil
}

// answered returns the handler of connection conn's results: the tally
// has counted each already; the batch shows progress, keeps the first
// message of each failing status and writes the -out files.
func (b *batch) answered(conn int) func(*loadclient.Result) {
	return func(r *loadclient.Result) {
		if r.Unexpected {
			b.fail(fmt.Errorf("conn %d: answer for job %d, which is not outstanding", conn, r.Response.JobID))
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
	conns, err := b.dial(ctx)
	if err != nil {
		return nil, err
	}
	stopClose := context.AfterFunc(ctx, func() {
		for _, c := range conns {
			c.Close()
		}
	})
	start := time.Now()
	var wg sync.WaitGroup
	for i, c := range conns {
		wg.Go(func() { b.connErr(ctx, b.send(c)) })
		wg.Go(func() { b.connErr(ctx, c.Receive(b.answered(i))) })
	}
	wg.Wait()
	elapsed := time.Since(start)
	stopClose()
	b.progress.finish()

	for i, c := range conns {
		if missing := c.CountLost(); missing > 0 && ctx.Err() == nil {
			b.fail(fmt.Errorf("conn %d: closed with %d jobs unanswered", i, missing))
		}
	}
	return b.summarize(elapsed), nil
}

// connErr keeps a connection's error, unless it only reports the connection
// being closed because ctx ended.
func (b *batch) connErr(ctx context.Context, err error) {
	if err != nil && ctx.Err() == nil {
		b.fail(err)
	}
}

// dial opens -conns connections, or none.
func (b *batch) dial(ctx context.Context) ([]*loadclient.Conn, error) {
	var d net.Dialer
	conns := make([]*loadclient.Conn, 0, b.cfg.conns)
	for range b.cfg.conns {
		nc, err := d.DialContext(ctx, "tcp", b.cfg.addr)
		if err != nil {
			for _, c := range conns {
				c.Close()
			}
			return nil, fmt.Errorf("dial: %w", err)
		}
		conns = append(conns, loadclient.NewConn(nc, b.tally, loadclient.Config{Inflight: b.cfg.inflight}))
	}
	return conns, nil
}

// summarize gathers the tally. Call it after every connection's goroutines
// have returned and its lost requests are counted.
func (b *batch) summarize(elapsed time.Duration) *summary {
	b.firstMu.Lock()
	defer b.firstMu.Unlock()
	return &summary{
		images:   len(b.images),
		repeat:   b.cfg.repeat,
		conns:    b.cfg.conns,
		inflight: b.cfg.inflight,
		jobs:     int(b.total),
		counts:   b.tally.Counts(),
		firstMsg: b.firstMsg,
		elapsed:  elapsed,
	}
}

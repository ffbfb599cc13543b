package main

import (
	"context"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tcpimg/tcpimg/core"
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
	tally    *tally
	progress progress
	out      *outWriter // nil without -out

	errMu   sync.Mutex
	errs    []error
	dropped int // errors beyond maxErrs
}

func newBatch(cfg *config, images []inputImage, out *outWriter, p progress) *batch {
	return &batch{
		cfg:      cfg,
		images:   images,
		header:   cfg.header(),
		total:    int64(len(images)) * int64(cfg.repeat),
		tally:    newTally(),
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

// payload is what a job for image img carries: SPIN and SLEEP ignore their
// payload, so they send none and measure the server rather than the network.
func (b *batch) payload(img int) []byte {
	if b.header.Op == core.OpSpin || b.header.Op == core.OpSleep {
		return nil
	}
	return b.images[img].data
}

// answered records the answer to a job this client had sent.
func (b *batch) answered(r *core.Response, pj pendingJob, latency time.Duration) {
	img := &b.images[pj.img]
	b.tally.record(r, img.name, latency)
	b.progress.add(1)
	if b.out != nil && r.Status == core.StatusOK {
		if err := b.out.write(pj.img, img.stem, r.Payload); err != nil {
			b.fail(err)
		}
	}
}

// unexpected records an answer for a job id that connection conn does not
// have outstanding: answered already, or never sent on it.
func (b *batch) unexpected(conn int, id uint64) {
	b.tally.recordUnexpected()
	b.fail(fmt.Errorf("conn %d: answer for job %d, which is not outstanding", conn, id))
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
	finished, watched := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(watched)
		select {
		case <-ctx.Done():
			for _, c := range conns {
				c.cc.Close()
			}
		case <-finished:
		}
	}()
	start := time.Now()
	var wg sync.WaitGroup
	for _, c := range conns {
		wg.Go(func() { b.connErr(ctx, c.send()) })
		wg.Go(func() { b.connErr(ctx, c.receive()) })
	}
	wg.Wait()
	elapsed := time.Since(start)
	close(finished)
	<-watched
	b.progress.finish()

	s := b.summarize(conns, elapsed)
	for _, c := range conns {
		if _, missing := c.leftover(); missing > 0 && ctx.Err() == nil {
			b.fail(fmt.Errorf("conn %d: closed with %d jobs unanswered", c.id, missing))
		}
	}
	return s, nil
}

// connErr keeps a connection's error, unless it only reports the connection
// being closed because ctx ended.
func (b *batch) connErr(ctx context.Context, err error) {
	if err != nil && ctx.Err() == nil {
		b.fail(err)
	}
}

// dial opens -conns connections, or none.
func (b *batch) dial(ctx context.Context) ([]*conn, error) {
	var d net.Dialer
	conns := make([]*conn, 0, b.cfg.conns)
	for i := range b.cfg.conns {
		nc, err := d.DialContext(ctx, "tcp", b.cfg.addr)
		if err != nil {
			for _, c := range conns {
				c.cc.Close()
			}
			return nil, fmt.Errorf("dial: %w", err)
		}
		conns = append(conns, newConn(b, i, core.NewClientConn(nc)))
	}
	return conns, nil
}

// summarize gathers the tally and the connections' leftovers. Call it after
// every connection's goroutines have returned.
func (b *batch) summarize(conns []*conn, elapsed time.Duration) *summary {
	s := &summary{
		images:     len(b.images),
		repeat:     b.cfg.repeat,
		conns:      b.cfg.conns,
		inflight:   b.cfg.inflight,
		jobs:       int(b.total),
		unexpected: b.tally.unexpected,
		byStatus:   b.tally.byStatus,
		firstMsg:   b.tally.firstMsg,
		elapsed:    elapsed,
		latency:    b.tally.latency,
		queue:      b.tally.queue,
		service:    b.tally.service,
	}
	for _, c := range conns {
		sent, missing := c.leftover()
		s.sent += sent
		s.missing += missing
	}
	return s
}

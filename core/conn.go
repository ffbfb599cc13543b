package core

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"os"
	"sync"
	"time"
)

// lingerTimeout bounds how long a connection closed by the server keeps
// discarding what the client still sends, so that unread bytes do not make
// the kernel reset the connection and destroy the last responses.
const lingerTimeout = 500 * time.Millisecond

// maxWriteBatch bounds the responses written in one vectored write.
const maxWriteBatch = 64

// conn serves one connection with two goroutines: the reader (serve) reads
// frames and submits jobs; the writer writes responses as jobs finish, in
// any order.
type conn struct {
	srv    *Server
	nc     net.Conn // what requests and responses go through: raw, or TLS over raw
	raw    net.Conn // the accepted connection; closed directly where no goodbye is due
	remote string
	br     *bufio.Reader
	bw     *bufio.Writer // TLS only: gathers a batch into full records

	ctx    context.Context // cancelled when the connection fails or the server closes
	cancel context.CancelFunc

	// window holds a token per request read (or being read) and not yet
	// answered; when full the reader stops reading (PROTOCOL.md
	// -max-inflight).
	window chan struct{}
	// out carries finished jobs to the writer. Its capacity equals the
	// window's, so a worker never blocks on it.
	out      chan *job
	readDone chan struct{} // closed when the reader stops reading

	mu       sync.Mutex
	inflight int  // responses owed, guarded by mu
	jobs     int  // of those, jobs handed to the pool, guarded by mu
	idleWait bool // reader waiting for a frame's first byte, guarded by mu

	// The writer's scratch space, kept so a write allocates nothing: vecs
	// holds the backing array, wv the slice WriteTo consumes.
	batch []*job
	vecs  net.Buffers
	wv    net.Buffers
}

func newConn(s *Server, nc, raw net.Conn) *conn {
	ctx, cancel := context.WithCancel(s.baseCtx)
	n := s.cfg.Limits.MaxInflight
	var bw *bufio.Writer
	if nc != raw {
		bw = bufio.NewWriterSize(nc, tlsWriteBuffer)
	}
	return &conn{
		srv:      s,
		nc:       nc,
		raw:      raw,
		bw:       bw,
		remote:   nc.RemoteAddr().String(),
		br:       bufio.NewReaderSize(nc, 64<<10),
		ctx:      ctx,
		cancel:   cancel,
		window:   make(chan struct{}, n),
		out:      make(chan *job, n),
		readDone: make(chan struct{}),
		batch:    make([]*job, 0, maxWriteBatch),
		vecs:     make(net.Buffers, 0, 2*maxWriteBatch),
	}
}

// closeKind is how the reader stopped, which decides how the connection
// is closed once every owed response is written.
type closeKind int

const (
	closeEOF    closeKind = iota // client half-closed: answer everything, close
	closeLinger                  // server stopped reading: answer, discard input briefly, close
	closeFailed                  // connection broken: drop unstarted jobs, close
)

// serve completes a TLS handshake if there is one, runs the reader, then
// waits for the writer and closes.
func (c *conn) serve() {
	if !c.handshake() {
		c.cancel()
		c.raw.Close()
		return
	}
	writerDone := make(chan struct{})
	go func() {
		defer close(writerDone)
		c.writeLoop()
	}()
	kind := c.readLoop()
	if kind == closeFailed {
		// Close at once: the socket and the connection slot are not held
		// while this connection's queued jobs wait to be dropped.
		c.cancel()
		c.raw.Close()
	}
	close(c.readDone)
	<-writerDone
	graceful := c.ctx.Err() == nil
	if kind == closeLinger && graceful {
		c.linger()
	}
	c.cancel()
	if graceful {
		c.nc.Close() // over TLS, says goodbye with a close_notify alert
	} else {
		c.raw.Close()
	}
}

// linger half-closes and discards input until EOF or lingerTimeout.
func (c *conn) linger() {
	if cw, ok := c.nc.(interface{ CloseWrite() error }); ok {
		if cw.CloseWrite() != nil {
			return
		}
	}
	c.nc.SetReadDeadline(time.Now().Add(lingerTimeout))
	io.Copy(io.Discard, c.nc)
}

// readLoop reads requests until the client half-closes, the connection
// fails, framing is lost, or shutdown finds no job of it left.
func (c *conn) readLoop() closeKind {
	s := c.srv
	for {
		select {
		case c.window <- struct{}{}:
		case <-c.ctx.Done():
			return closeFailed
		}
		next, err := c.waitFrame()
		if next == frameStop {
			<-c.window
			return closeLinger
		}
		if err == nil && next == frameArriving {
			err = c.nc.SetReadDeadline(time.Now().Add(s.cfg.Limits.FrameTimeout))
		}
		j := newJob(c)
		if err == nil {
			err = c.readFrame(j)
		}
		j.readAt = time.Now()
		switch {
		case err == nil:
		case errors.Is(err, ErrBadMagic), errors.Is(err, ErrUnsupported):
			// Framing is lost: the header's job id means nothing.
			j.req.JobID = 0
			c.respond(j, err)
			return closeLinger
		case errors.Is(err, ErrTooLarge):
			c.respond(j, err)
			return closeLinger
		default:
			// EOF inside a frame (io.ErrUnexpectedEOF) is not a
			// half-close: the client stopped mid-frame, as one that
			// crashed does, so the connection counts as failed and its
			// unstarted jobs are dropped rather than run for nobody.
			j.release()
			<-c.window
			if err == io.EOF {
				return closeEOF
			}
			if isTimeout(err) {
				s.log.Debug("connection timed out", "remote", c.remote, "err", err)
			}
			return closeFailed
		}
		c.handle(j)
	}
}

// frameState is what waitFrame found.
type frameState int

const (
	frameArriving frameState = iota // bytes came from the socket: the frame deadline applies
	frameBuffered                   // a whole frame is already buffered: no socket read needed
	frameStop                       // shutdown and no job of this connection left: stop reading
)

// waitFrame waits for the first byte of the next frame under the idle
// timeout (which runs only while nothing is in flight). It returns the
// read error that ended the wait (EOF, the idle timeout, a reset): the
// caller must act on it rather than leave it to the next read, which would
// run under the frame deadline instead of the idle one and would see a
// reset as a clean EOF (a socket reports a reset only once).
func (c *conn) waitFrame() (frameState, error) {
	s := c.srv
	c.mu.Lock()
	if s.shuttingDown.Load() && c.jobs == 0 {
		c.mu.Unlock()
		return frameStop, nil
	}
	c.mu.Unlock()
	if c.frameBuffered() {
		// Pipelined requests: skip the deadline system calls entirely.
		return frameBuffered, nil
	}
	c.mu.Lock()
	c.idleWait = true
	if c.inflight == 0 {
		c.nc.SetReadDeadline(time.Now().Add(s.cfg.Limits.IdleTimeout))
	} else {
		c.nc.SetReadDeadline(time.Time{})
	}
	c.mu.Unlock()
	_, err := c.br.Peek(1)
	c.mu.Lock()
	c.idleWait = false
	c.mu.Unlock()
	if err != nil && s.shuttingDown.Load() && isTimeout(err) {
		return frameStop, nil
	}
	return frameArriving, err
}

// frameBuffered reports whether the reader's buffer holds a whole frame.
func (c *conn) frameBuffered() bool {
	n := c.br.Buffered()
	if n < HeaderSize {
		return false
	}
	hb, _ := c.br.Peek(HeaderSize)
	return uint64(n) >= HeaderSize+uint64(binary.BigEndian.Uint32(hb[28:]))
}

// readFrame reads one request into j, checking the header and the length
// before it takes a payload buffer. The header is decoded in place in the
// reader's buffer, so a request costs no allocation.
func (c *conn) readFrame(j *job) error {
	hb, err := c.br.Peek(HeaderSize)
	if err != nil {
		if len(hb) > 0 {
			return noEOF(err)
		}
		return err
	}
	j.req, err = DecodeRequestHeader(hb)
	c.br.Discard(HeaderSize)
	if err != nil {
		return err
	}
	if max := c.srv.cfg.Limits.MaxFrame; j.req.Length > max {
		return errFrameTooLarge(j.req.Length, max)
	}
	if j.req.Length == 0 {
		return nil
	}
	if err := c.holdMemory(j); err != nil {
		return err
	}
	j.box = getBuf(int(j.req.Length))
	j.payload = *j.box
	if _, err := io.ReadFull(c.br, j.payload); err != nil {
		return noEOF(err)
	}
	return nil
}

// holdMemory takes j's payload size from the server's memory budget,
// waiting (and so pushing back on the client) while it is spent. The wait
// is not the client's fault, so the frame deadline restarts after it.
func (c *conn) holdMemory(j *job) error {
	s := c.srv
	n := min(int64(j.req.Length), s.cfg.Limits.MaxMemory)
	if !s.memory.TryAcquire(n) {
		c.nc.SetReadDeadline(time.Time{})
		if err := s.memory.Acquire(c.ctx, n); err != nil {
			return err
		}
		c.nc.SetReadDeadline(time.Now().Add(s.cfg.Limits.FrameTimeout))
	}
	j.held = n
	return nil
}

// handle answers a request read whole: at once when it is refused, or by
// submitting its job to the pool.
func (c *conn) handle(j *job) {
	s := c.srv
	if s.shuttingDown.Load() {
		c.respond(j, ErrShuttingDown)
		return
	}
	if err := j.req.Validate(); err != nil {
		c.respond(j, err)
		return
	}
	if j.req.Op.IsImage() {
		if _, err := CheckImage(j.payload, s.cfg.Limits.MaxPixels); err != nil {
			c.respond(j, err)
			return
		}
	}
	if !j.admit() {
		c.respond(j, errAdmitLimit)
		return
	}
	c.owe(true)
	j.ran = true // set before the pool can see j
	var err error
	if s.cfg.Admission == AdmissionBlock {
		err = s.pool.Submit(c.ctx, j)
	} else {
		err = s.pool.TrySubmit(j)
	}
	if err == nil {
		// Counted once the pool has taken j, so that Accepted never steps
		// back; j may be finished and recycled by now, so it is not
		// touched (see Stats.InFlight).
		s.stats.accepted()
		return
	}
	// Not taken after all: the pool never saw j.
	j.ran = false
	c.mu.Lock()
	c.jobs--
	c.mu.Unlock()
	// A full pool behind an admission that let j in is an overload signal;
	// a closed pool or a cancelled wait says nothing about load.
	outcome := OutcomeDropped
	if errors.Is(err, ErrBusy) {
		outcome = OutcomeShed
	}
	j.endAdmission(outcome, time.Since(j.readAt), 0)
	if ctxErr := c.ctx.Err(); ctxErr != nil && errors.Is(err, ctxErr) {
		// A blocked Submit gave up because the connection failed.
		j.dropped = true
		s.stats.update(func(st *Stats) { st.Accepted++; st.Dropped++ })
		c.out <- j
		return
	}
	if errors.Is(err, ErrClosed) {
		err = ErrShuttingDown
	}
	c.refused(j, err)
}

// respond answers j at once with err's status.
func (c *conn) respond(j *job, err error) {
	c.owe(false)
	c.refused(j, err)
}

func (c *conn) refused(j *job, err error) {
	j.answer(err)
	if j.status == StatusBusy {
		c.srv.stats.update(func(st *Stats) { st.Busy++ })
	} else {
		c.srv.stats.update(func(st *Stats) { st.Refused++ })
	}
	c.out <- j
}

// owe records one more response owed on this connection, of a job handed
// to the pool or not.
func (c *conn) owe(job bool) {
	c.mu.Lock()
	c.inflight++
	if job {
		c.jobs++
	}
	c.mu.Unlock()
}

// paid records n responses written (or dropped), ran of them of jobs the
// pool ran. When no job is left during shutdown the waiting reader is woken
// to stop (refusals still owed are written before the connection closes);
// when nothing at all is in flight the idle clock starts.
func (c *conn) paid(n, ran int) {
	c.mu.Lock()
	c.inflight -= n
	c.jobs -= ran
	if c.idleWait {
		switch {
		case c.srv.shuttingDown.Load() && c.jobs == 0:
			c.nc.SetReadDeadline(time.Now())
		case c.inflight == 0:
			c.nc.SetReadDeadline(time.Now().Add(c.srv.cfg.Limits.IdleTimeout))
		}
	}
	c.mu.Unlock()
	for range n {
		<-c.window
	}
}

// wakeForShutdown ends the reader's wait at once if no job of this
// connection is left.
func (c *conn) wakeForShutdown() {
	c.mu.Lock()
	if c.jobs == 0 && c.idleWait {
		c.nc.SetReadDeadline(time.Now())
	}
	c.mu.Unlock()
}

// writeLoop writes responses as they come, several per vectored write,
// until the reader is done and nothing is owed. After a write error it
// keeps draining (and discarding) so every job is recycled.
func (c *conn) writeLoop() {
	batch := c.batch
	readDone := c.readDone
	failed := false
	for {
		select {
		case j := <-c.out:
			batch = append(batch, j)
		case <-readDone:
			readDone = nil
			c.mu.Lock()
			owed := c.inflight
			c.mu.Unlock()
			if owed == 0 {
				return
			}
			continue
		}
	more:
		for len(batch) < maxWriteBatch {
			select {
			case j := <-c.out:
				batch = append(batch, j)
			default:
				break more
			}
		}
		if !failed {
			failed = !c.write(batch)
		}
		n, ran := len(batch), 0
		for i, j := range batch {
			if j.ran {
				ran++
			}
			j.release()
			batch[i] = nil
		}
		batch = batch[:0]
		c.paid(n, ran)
		if readDone == nil {
			c.mu.Lock()
			owed := c.inflight
			c.mu.Unlock()
			if owed == 0 {
				return
			}
		}
	}
}

// write sends a batch in one vectored write; false means the connection
// failed (and has been cancelled and closed, which stops the reader).
func (c *conn) write(batch []*job) bool {
	vecs := c.vecs[:0]
	for _, j := range batch {
		if j.dropped {
			continue
		}
		j.encodeHeader()
		vecs = append(vecs, j.hdr[:])
		if len(j.result) > 0 {
			vecs = append(vecs, j.result)
		}
	}
	if len(vecs) == 0 {
		return true
	}
	c.nc.SetWriteDeadline(time.Now().Add(c.srv.cfg.Limits.WriteTimeout))
	c.wv = vecs
	var err error
	if c.bw != nil {
		if _, err = c.wv.WriteTo(c.bw); err == nil {
			err = c.bw.Flush()
		}
	} else {
		_, err = c.wv.WriteTo(c.nc)
	}
	if err != nil {
		c.srv.log.Debug("write failed", "remote", c.remote, "err", err)
		c.cancel()
		c.raw.Close()
		return false
	}
	return true
}

func isTimeout(err error) bool {
	return errors.Is(err, os.ErrDeadlineExceeded)
}

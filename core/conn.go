package core

import (
	"bufio"
	"context"
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
	nc     net.Conn
	remote string
	br     *bufio.Reader

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
	idleWait bool // reader waiting for a frame's first byte, guarded by mu
}

func newConn(s *Server, nc net.Conn) *conn {
	ctx, cancel := context.WithCancel(s.baseCtx)
	n := s.cfg.Limits.MaxInflight
	return &conn{
		srv:      s,
		nc:       nc,
		remote:   nc.RemoteAddr().String(),
		br:       bufio.NewReaderSize(nc, 64<<10),
		ctx:      ctx,
		cancel:   cancel,
		window:   make(chan struct{}, n),
		out:      make(chan *job, n),
		readDone: make(chan struct{}),
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

// serve runs the reader, then waits for the writer and closes.
func (c *conn) serve() {
	writerDone := make(chan struct{})
	go func() {
		defer close(writerDone)
		c.writeLoop()
	}()
	kind := c.readLoop()
	if kind == closeFailed {
		c.cancel()
	}
	close(c.readDone)
	<-writerDone
	if kind == closeLinger && c.ctx.Err() == nil {
		c.linger()
	}
	c.cancel()
	c.nc.Close()
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
// fails, framing is lost, or shutdown finds the connection idle.
func (c *conn) readLoop() closeKind {
	s := c.srv
	for {
		select {
		case c.window <- struct{}{}:
		case <-c.ctx.Done():
			return closeFailed
		}
		if !c.waitFrame() {
			<-c.window
			return closeLinger
		}
		err := c.nc.SetReadDeadline(time.Now().Add(s.cfg.Limits.FrameTimeout))
		j := newJob(c)
		if err == nil {
			j.req, j.payload, err = readRequest(c.br, s.cfg.Limits.MaxFrame, getBuf, putBuf)
		}
		j.readAt = time.Now()
		switch {
		case err == nil:
		case errors.Is(err, ErrBadMagic):
			j.req.JobID = 0
			c.respond(j, err)
			return closeLinger
		case errors.Is(err, ErrUnsupported):
			j.req.JobID = 0
			c.respond(j, err)
			return closeLinger
		case errors.Is(err, ErrTooLarge):
			c.respond(j, err)
			return closeLinger
		default:
			j.release()
			<-c.window
			if err == io.EOF {
				return closeEOF
			}
			if s.shuttingDown.Load() && c.ctx.Err() == nil && isTimeout(err) {
				// Woken by Shutdown with nothing in flight.
				return closeLinger
			}
			if isTimeout(err) {
				s.log.Debug("connection timed out", "remote", c.remote, "err", err)
			}
			return closeFailed
		}
		c.handle(j)
	}
}

// waitFrame waits for the first byte of the next frame under the idle
// timeout (which runs only while nothing is in flight). It returns false
// when the reader should stop: the client half-closed or the connection
// failed (a read error is then reported by the read that follows), or
// shutdown found the connection idle.
func (c *conn) waitFrame() bool {
	s := c.srv
	c.mu.Lock()
	if s.shuttingDown.Load() && c.inflight == 0 {
		c.mu.Unlock()
		return false
	}
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
		return false
	}
	return true
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
	c.owe()
	s.stats.accepted()
	var err error
	if s.cfg.Admission == AdmissionBlock {
		err = s.pool.Submit(c.ctx, j)
	} else {
		err = s.pool.TrySubmit(j)
	}
	if err == nil {
		return
	}
	// Not accepted after all: undo the count and answer now.
	s.stats.update(func(st *Stats) { st.Accepted--; st.InFlight-- })
	if errors.Is(err, ErrClosed) {
		err = ErrShuttingDown
	}
	if errors.Is(err, context.Canceled) {
		j.dropped = true
	}
	c.refused(j, err)
}

// respond answers j at once with err's status.
func (c *conn) respond(j *job, err error) {
	c.owe()
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

// owe records one more response owed on this connection.
func (c *conn) owe() {
	c.mu.Lock()
	c.inflight++
	c.mu.Unlock()
}

// paid records a response written (or dropped); when nothing is left in
// flight, the idle clock starts, or shutdown wakes the idle reader.
func (c *conn) paid(n int) {
	c.mu.Lock()
	c.inflight -= n
	if c.inflight == 0 && c.idleWait {
		if c.srv.shuttingDown.Load() {
			c.nc.SetReadDeadline(time.Now())
		} else {
			c.nc.SetReadDeadline(time.Now().Add(c.srv.cfg.Limits.IdleTimeout))
		}
	}
	c.mu.Unlock()
	for range n {
		<-c.window
	}
}

// wakeForShutdown ends an idle wait at once if nothing is in flight.
func (c *conn) wakeForShutdown() {
	c.mu.Lock()
	if c.inflight == 0 && c.idleWait {
		c.nc.SetReadDeadline(time.Now())
	}
	c.mu.Unlock()
}

// writeLoop writes responses as they come, several per vectored write,
// until the reader is done and nothing is owed. After a write error it
// keeps draining (and discarding) so every job is recycled.
func (c *conn) writeLoop() {
	batch := make([]*job, 0, maxWriteBatch)
	vecs := make([][]byte, 0, 2*maxWriteBatch)
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
			failed = !c.write(batch, vecs[:0])
		}
		n := len(batch)
		for i, j := range batch {
			j.release()
			batch[i] = nil
		}
		batch = batch[:0]
		c.paid(n)
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
func (c *conn) write(batch []*job, vecs net.Buffers) bool {
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
	if _, err := vecs.WriteTo(c.nc); err != nil {
		c.srv.log.Debug("write failed", "remote", c.remote, "err", err)
		c.cancel()
		c.nc.Close()
		return false
	}
	return true
}

func isTimeout(err error) bool {
	return errors.Is(err, os.ErrDeadlineExceeded)
}

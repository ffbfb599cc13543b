package core

import (
	"bytes"
	"fmt"
	"runtime/debug"
	"sync"
	"time"
)

// job is one request on its way through the server: read by the
// connection's reader, run by the pool, written by the connection's writer,
// then recycled. Every request the reader commits to answering becomes a
// job, including those answered at once (BUSY, BAD_REQUEST...), so the
// writer has one path for every response.
type job struct {
	c       *conn
	req     RequestHeader
	payload []byte  // request payload
	box     *[]byte // payload's buffer, from getBuf
	held    int64   // bytes of the server's memory budget held for the payload
	readAt  time.Time

	status    Status
	queueUS   uint32
	serviceUS uint32
	out       *bytes.Buffer // result of image jobs (nil otherwise)
	result    []byte        // response payload
	dropped   bool          // never ran: its connection failed
	ran       bool          // handed to the pool
	admitted  bool          // holds ticket, an admission to release when it ends
	ticket    Ticket
	hdr       [HeaderSize]byte
}

var _ Rejecter = (*job)(nil)

var jobPool = sync.Pool{New: func() any { return new(job) }}

func newJob(c *conn) *job {
	j := jobPool.Get().(*job)
	j.c = c
	return j
}

// release returns the job's buffers and the job itself to their pools.
func (j *job) release() {
	if j.box != nil {
		putBuf(j.box)
	}
	if j.held > 0 {
		j.c.srv.memory.Release(j.held)
	}
	if j.out != nil {
		putOut(j.out)
	}
	*j = job{}
	jobPool.Put(j)
}

// answer sets an immediate response with err's status and message.
func (j *job) answer(err error) {
	j.status = StatusOf(err)
	j.result = []byte(message(err))
}

// Run is called by a pool worker. However it ends, the job is counted and
// handed to the writer: a response lost here would leave its connection,
// and so Shutdown, waiting forever.
func (j *job) Run() {
	c := j.c
	panicked := false
	outcome, wait, service := OutcomeDone, time.Duration(0), time.Duration(0)
	defer func() {
		if r := recover(); r != nil {
			panicked = true
			j.answer(fmt.Errorf("%w: %v", ErrInternal, r))
		}
		j.endAdmission(outcome, wait, service)
		c.srv.stats.finished(j.status, j.dropped, panicked)
		c.out <- j
	}()
	start := time.Now()
	wait = start.Sub(j.readAt)
	if o, settled := j.unrunnable(start); settled {
		outcome = o
		return
	}
	j.queueUS = micros(wait)
	panicked = j.process()
	service = time.Since(start)
	j.serviceUS = micros(service)
}

// Reject is called by a pool that refuses j after accepting it (a CoDel
// queue shedding a job that waited too long): j is answered with err's
// status without running, its admission released as shed, and counted
// (BUSY as Shed) so that the server's counters still balance. A job that
// could not have run anyway is answered as Run would have: a passed
// deadline is the more precise answer.
func (j *job) Reject(err error) {
	now := time.Now()
	outcome, settled := j.unrunnable(now)
	if !settled {
		outcome = OutcomeShed
		j.answer(err)
	}
	j.endAdmission(outcome, now.Sub(j.readAt), 0)
	j.c.srv.stats.finished(j.status, j.dropped, false)
	j.c.out <- j
}

// unrunnable settles j if it must not start at now, and reports how it
// ended: a job whose connection failed is dropped, since nobody is left to
// read the result, and one whose deadline passed is answered TIMEOUT (shed,
// to its admitter).
func (j *job) unrunnable(now time.Time) (o Outcome, settled bool) {
	wait := now.Sub(j.readAt)
	switch {
	case j.c.ctx.Err() != nil:
		j.dropped = true
		return OutcomeDropped, true
	case j.req.Deadline != 0 && wait > j.req.DeadlineDuration():
		j.answer(fmt.Errorf("%w: waited %v, deadline %v", ErrTimeout,
			wait.Round(time.Microsecond), j.req.DeadlineDuration()))
		return OutcomeShed, true
	}
	return OutcomeDone, false
}

// process runs the operation, turning a panic into INTERNAL.
func (j *job) process() (panicked bool) {
	c := j.c
	defer func() {
		if r := recover(); r != nil {
			panicked = true
			j.out.Reset()
			j.answer(fmt.Errorf("%w: panic in %v: %v", ErrInternal, j.req.Op, r))
			c.srv.log.Error("operation panicked", "op", j.req.Op.String(), "job", j.req.JobID,
				"remote", c.remote, "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
		}
	}()
	if j.req.Op == OpNoop && c.srv.echoNoop {
		// Echo without copying: the request buffer is the response.
		j.result = j.payload
		j.status = StatusOK
		return false
	}
	j.out = getOut()
	if err := c.srv.cfg.Process(c.ctx, &j.req, j.payload, j.out); err != nil {
		j.out.Reset()
		j.answer(err)
		return false
	}
	j.status = StatusOK
	j.result = j.out.Bytes()
	return false
}

// encodeHeader fills j.hdr with the response header.
func (j *job) encodeHeader() {
	PutResponseHeader(j.hdr[:], &ResponseHeader{
		Status:    j.status,
		JobID:     j.req.JobID,
		QueueUS:   j.queueUS,
		ServiceUS: j.serviceUS,
		Length:    uint32(len(j.result)),
	})
}

func micros(d time.Duration) uint32 {
	us := d.Microseconds()
	switch {
	case us < 0:
		return 0
	case us > 1<<32-1:
		return 1<<32 - 1
	}
	return uint32(us)
}

package core

import (
	"fmt"
	"time"
)

// Admitter caps the jobs the server has admitted and not yet finished,
// queued or running, in front of whatever Pool runs them. Its limit may
// change with what it learns from each finished job (an adaptive
// concurrency limit): a pool bounds the work it holds by a fixed size, an
// Admitter by what the jobs' latencies say the server can take.
//
// A refused Acquire is answered BUSY at once: the job never queues, so an
// overloaded server spends nothing on work it will not do in time.
type Admitter interface {
	// Acquire admits one job if the current limit allows, without waiting.
	// ok == false means the limit is reached: the job is refused.
	Acquire() (t Ticket, ok bool)
	// Release ends the admission of t, reporting how its job ended. Every
	// ticket of a successful Acquire is released exactly once; releasing
	// more than was acquired is a bug in the caller and panics.
	Release(t Ticket, s Sample)
	// Stats returns the current limit and the jobs holding a slot.
	Stats() AdmitStats
}

// Ticket is an admitted job's hold on a slot, returned by Acquire and given
// back to Release. It is a value, so that admitting a job allocates
// nothing; the server carries it unread.
type Ticket struct {
	// InFlight is the number of admitted jobs, this one included, at the
	// moment it was admitted: the load its latency was measured under.
	InFlight int
	// Data is the admitter's own state for the job, such as a library's
	// permit.
	Data any
}

// Outcome is how an admitted job ended, as far as its admitter cares.
type Outcome uint8

const (
	// OutcomeDone: the job ran, whatever its status. A job that fails
	// (BAD_REQUEST, INTERNAL) still measured how fast the server is.
	OutcomeDone Outcome = iota
	// OutcomeShed: the job was admitted but the server could not run it
	// in time, because its deadline passed while it waited or the pool was
	// full. This is the overload signal.
	OutcomeShed
	// OutcomeDropped: the job never ran for a reason that says nothing
	// about load: its connection failed, or shutdown began. An admitter
	// frees the slot and learns nothing.
	OutcomeDropped
)

// String returns "done", "shed" or "dropped".
func (o Outcome) String() string {
	switch o {
	case OutcomeDone:
		return "done"
	case OutcomeShed:
		return "shed"
	case OutcomeDropped:
		return "dropped"
	}
	return fmt.Sprintf("outcome(%d)", uint8(o))
}

// Sample is what an admitter learns from one admitted job.
type Sample struct {
	Outcome Outcome
	// Wait is the time from reading the request whole to a worker taking
	// it (or, for a job that never ran, to the moment that was known): the
	// queueing delay, the same that a response reports as its queue time.
	Wait time.Duration
	// Service is the time the job ran; 0 when it did not run.
	Service time.Duration
}

// Latency returns Wait + Service: the time from admission to the job's end.
func (s Sample) Latency() time.Duration { return s.Wait + s.Service }

// AdmitStats is a snapshot of an admitter's state.
type AdmitStats struct {
	Limit    int    // jobs that may hold a slot at once, now
	InFlight int    // jobs holding a slot
	Refused  uint64 // acquisitions refused at the limit
}

// AdmitStats returns the state of the server's admitter, and false when it
// has none (every job the pool takes is admitted).
func (s *Server) AdmitStats() (AdmitStats, bool) {
	if s.admit == nil {
		return AdmitStats{}, false
	}
	return s.admit.Stats(), true
}

// admit asks the server's admitter, if any, to admit j. false means the
// limit is reached and j must be answered BUSY.
func (j *job) admit() bool {
	a := j.c.srv.admit
	if a == nil {
		return true
	}
	t, ok := a.Acquire()
	if !ok {
		return false
	}
	j.ticket, j.admitted = t, true
	return true
}

// endAdmission releases j's admission, if it holds one, with how it ended.
// It runs before j's response is handed to the writer, so a client that
// has its answer can count on the slot being free.
func (j *job) endAdmission(o Outcome, wait, service time.Duration) {
	if !j.admitted {
		return
	}
	j.admitted = false
	j.c.srv.admit.Release(j.ticket, Sample{Outcome: o, Wait: wait, Service: service})
}

// errAdmitLimit answers a job its admitter refused.
var errAdmitLimit = fmt.Errorf("%w: admission limit reached", ErrBusy)

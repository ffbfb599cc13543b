package loadclient

import (
	"sync"
	"time"

	"github.com/tcpimg/tcpimg/core"
)

// Counts is what a [Tally] added up. Counts and histograms leave out the
// warm-up, except Total, Lost and Unexpected, which check the whole run.
type Counts struct {
	// Total counts the requests written, warm-up included; Sent those
	// outside the warm-up, each once: a request written again is counted
	// in Retries instead.
	Total, Sent uint64
	// Retries counts requests written again (see [Request.Retry]).
	Retries uint64
	// Late counts the requests of Sent written after their due time (see
	// [Request.Late]).
	Late uint64
	// Unsent counts requests that fell due and were never written (see
	// [Tally.Unsent]).
	Unsent uint64
	// Status counts answers by status code.
	Status [core.NumStatus]uint64
	// Lost counts requests that got no answer before their connection
	// ended (see [Conn.CountLost]).
	Lost uint64
	// Unexpected counts answers whose job id was not in flight: a second
	// answer, or one never asked for.
	Unexpected uint64
	// TimedOut counts requests the client gave up on (see
	// [Config.Timeout]) and did not retry; their answers, when they come,
	// count in AfterTimeout, not in Status.
	TimedOut uint64
	// AfterTimeout counts answers read after the client gave up on their
	// request, whatever their status.
	AfterTimeout uint64
	// LastAnswer is when the last counted answer was read.
	LastAnswer time.Time
	// Window counts the answers read inside a period the caller set with
	// [Tally.SetWindow], whichever request they answer.
	Window Window
	// Latency is the client's time per request, from its due time to
	// reading its answer: of OK answers, or of every answer with
	// [Tally.AllLatencies]. Queue and Service are the server's own account
	// of the OK answers, from the response header. Answers read with a
	// read delay are left out of all three (see [Config.ReadDelay]).
	Latency, Queue, Service Histogram
}

// Answered returns the number of answers of any status.
func (c *Counts) Answered() uint64 {
	var n uint64
	for _, s := range c.Status {
		n += s
	}
	return n
}

// Window counts answers by the time they were read, inside a period: what
// the server delivered in it. Counts by request (Counts.Status) include
// answers read after the period to requests due in it, so a queue that
// drains after the period would add its backlog to them; counts by arrival
// cannot exceed what the server did while the period lasted.
type Window struct {
	From time.Time `json:"from"`
	To   time.Time `json:"to"`
	// Status counts the answers read in [From, To) by status, answers
	// to requests the client had given up on included: what the server
	// delivered.
	Status [core.NumStatus]uint64 `json:"status"`
	// InTime counts the OK answers read in the window that the client
	// still waited for and that came within its timeout of their
	// request's first due time (every OK answer without a timeout): what
	// a user got in time.
	InTime uint64 `json:"in_time"`
	// AfterTimeout counts the answers read in the window after the client
	// had given up on them.
	AfterTimeout uint64 `json:"after_timeout,omitempty"`
	// ServiceUS sums the service times (response header) of the answers
	// read in the window, and WastedUS those of the answers read after
	// the client gave up: work the server did for nobody.
	ServiceUS uint64 `json:"service_us"`
	WastedUS  uint64 `json:"wasted_us,omitempty"`
	// Bins split the same counts into equal, consecutive slices of the
	// period, for a check of steady state or a time series.
	Bins []Bin `json:"bins,omitempty"`
}

// Bin is one slice of a Window.
type Bin struct {
	Status [core.NumStatus]uint64 `json:"status"`
	InTime uint64                 `json:"in_time"`
	// OKServiceUS sums the service times of the bin's OK answers: with
	// Status[StatusOK], how fast the server worked in the bin.
	OKServiceUS uint64 `json:"ok_service_us,omitempty"`
}

// BinWidth returns the length of one bin, 0 without bins.
func (w *Window) BinWidth() time.Duration {
	if len(w.Bins) == 0 {
		return 0
	}
	return w.To.Sub(w.From) / time.Duration(len(w.Bins))
}

// Wasted returns the share of the window's service time spent on answers
// the client had given up on.
func (w *Window) Wasted() float64 {
	if w.ServiceUS == 0 {
		return 0
	}
	return float64(w.WastedUS) / float64(w.ServiceUS)
}

// Set reports whether the window covers a period.
func (w *Window) Set() bool { return w.To.After(w.From) }

// Answered returns the answers read in the window, of any status.
func (w *Window) Answered() uint64 {
	var n uint64
	for _, s := range w.Status {
		n += s
	}
	return n
}

// add counts the answer r; inTime says whether the client got it in time.
func (w *Window) add(r *Result, inTime bool) {
	at := r.At
	if !w.Set() || at.Before(w.From) || !at.Before(w.To) {
		return
	}
	st, service := r.Response.Status, uint64(r.Response.ServiceUS)
	w.Status[st]++
	w.ServiceUS += service
	if r.AfterTimeout {
		w.AfterTimeout++
		w.WastedUS += service
	}
	if inTime {
		w.InTime++
	}
	if n := len(w.Bins); n > 0 {
		i := int(int64(at.Sub(w.From)) * int64(n) / int64(w.To.Sub(w.From)))
		b := &w.Bins[min(i, n-1)]
		b.Status[st]++
		if st == core.StatusOK {
			b.OKServiceUS += service
		}
		if inTime {
			b.InTime++
		}
	}
}

// Tally adds up the results of every connection of a run. One mutex, not
// one tally per connection: a histogram of this range is about 100 KiB,
// and the lock is taken once per answer, far below the cost of a job.
type Tally struct {
	// AllLatencies records the latency of every answer, not only of OK
	// ones. A benchmark leaves refusals out, because a strategy that
	// answers BUSY at once would look fast; a batch reports how long
	// every job took.
	AllLatencies bool

	mu sync.Mutex
	c  Counts
}

// NewTally returns an empty tally.
func NewTally() *Tally {
	return &Tally{c: Counts{Latency: NewHistogram(), Queue: NewHistogram(), Service: NewHistogram()}}
}

// wrote counts a request written.
func (t *Tally) wrote(r *Request) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.c.Total++
	if r.Warmup {
		return
	}
	if r.Retry {
		t.c.Retries++
		return
	}
	t.c.Sent++
	if r.Late {
		t.c.Late++
	}
}

// add counts one result; prompt is false for answers read with a delay,
// whose latency says more about the reader than about the server, and
// timeout is the client's (0: none).
func (t *Tally) add(r *Result, prompt bool, timeout time.Duration) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if r.Unexpected {
		t.c.Unexpected++
		return
	}
	st := r.Response.Status
	inTime := st == core.StatusOK && !r.AfterTimeout && (timeout <= 0 || r.Latency <= timeout)
	t.c.Window.add(r, inTime)
	if r.Warmup {
		return
	}
	if r.AfterTimeout {
		t.c.AfterTimeout++
		return
	}
	t.c.Status[st]++
	t.c.LastAnswer = r.At
	if !prompt {
		return
	}
	if st == core.StatusOK || t.AllLatencies {
		t.c.Latency.Record(r.Latency)
	}
	if st == core.StatusOK {
		t.c.Queue.Record(r.Response.Queue())
		t.c.Service.Record(r.Response.Service())
	}
}

// SetWindow starts counting the answers read in [from, to) by arrival, in
// bins equal slices (none when bins is 0). Answers read before the call are
// not counted, so call it before the period begins.
func (t *Tally) SetWindow(from, to time.Time, bins int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.c.Window = Window{From: from, To: to, Bins: make([]Bin, max(bins, 0))}
}

// timedOut counts a request the client gave up on and did not retry.
func (t *Tally) timedOut(r *Result) {
	if r.Warmup {
		return
	}
	t.mu.Lock()
	t.c.TimedOut++
	t.mu.Unlock()
}

// lost counts n requests that will never be answered.
func (t *Tally) lost(n int) {
	t.mu.Lock()
	t.c.Lost += uint64(n)
	t.mu.Unlock()
}

// Unsent counts a request that fell due and was never written, because no
// window had room before the load ended. Its wait so far is recorded as a
// lower bound of its latency, so that a backlog the generator could not
// send does not vanish from the histogram.
func (t *Tally) Unsent(waited time.Duration) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.c.Unsent++
	t.c.Latency.Record(waited)
}

// Counts returns what the tally added up. The histograms are the tally's
// own, not copies: read them once the run is over.
func (t *Tally) Counts() Counts {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.c
}

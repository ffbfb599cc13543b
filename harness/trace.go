package harness

import (
	"slices"
	"sync"
	"time"

	"github.com/tcpimg/tcpimg/core"
	"github.com/tcpimg/tcpimg/harness/loadclient"
)

// connTrace keeps every request of one connection, by job id (the
// connection numbers them from 0): when it was written and what the server
// said of it. A model check needs the requests one by one, in the order
// they arrived, which the tally's histograms cannot give.
type connTrace struct {
	mu   sync.Mutex
	reqs []traced
}

// traced is one request of a trace.
type traced struct {
	sent     time.Time // when it was handed to the connection to write
	warmup   bool
	answered bool
	status   core.Status
	queue    time.Duration // the server's queue_us
	service  time.Duration // the server's service_us
}

// sent records that request id is being written now. It is called before
// the write, so that its answer always finds it.
func (t *connTrace) sent(id uint64, warmup bool) {
	now := time.Now()
	t.mu.Lock()
	defer t.mu.Unlock()
	for uint64(len(t.reqs)) <= id {
		t.reqs = append(t.reqs, traced{})
	}
	t.reqs[id].sent, t.reqs[id].warmup = now, warmup
}

// answer records an answer; it is the connection's Receive handler.
func (t *connTrace) answer(r *loadclient.Result) {
	if r.Unexpected {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	id := r.Response.JobID
	if id >= uint64(len(t.reqs)) {
		return
	}
	q := &t.reqs[id]
	q.answered, q.status = true, r.Response.Status
	q.queue, q.service = r.Response.Queue(), r.Response.Service()
}

// handler returns the trace's Receive handler, or nil for no trace.
func (t *connTrace) handler() func(*loadclient.Result) {
	if t == nil {
		return nil
	}
	return t.answer
}

// arrivals returns the measured (not warm-up) requests of every trace in
// the order they were written: the order in which they arrived at the
// server's queue.
func arrivals(traces []*connTrace) []traced {
	var all []traced
	for _, t := range traces {
		t.mu.Lock()
		for _, q := range t.reqs {
			if !q.warmup && !q.sent.IsZero() {
				all = append(all, q)
			}
		}
		t.mu.Unlock()
	}
	slices.SortStableFunc(all, func(a, b traced) int { return a.sent.Compare(b.sent) })
	return all
}

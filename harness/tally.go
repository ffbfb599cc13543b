package harness

import (
	"sync"
	"time"

	"github.com/tcpimg/tcpimg/core"
)

// tally collects what every connection of a run observes. One mutex, not
// per-connection histograms: a histogram of this range is about 100 KiB,
// and the lock is taken once per answer, far below the cost of a job.
type tally struct {
	mu         sync.Mutex
	total      uint64 // written, whole run
	sent       uint64 // written, measured
	late       uint64
	status     [core.NumStatus]uint64
	lost       uint64
	duplicates uint64
	lastAnswer time.Time
	latency    Hist
	queue      Hist
	service    Hist
}

func newTally() *tally {
	return &tally{latency: NewHist(), queue: NewHist(), service: NewHist()}
}

// wrote records a request written.
func (t *tally) wrote(measured, late bool) {
	t.mu.Lock()
	t.total++
	if measured {
		t.sent++
		if late {
			t.late++
		}
	}
	t.mu.Unlock()
}

// answered records the answer to a measured request; latency goes into the
// histograms only for OK answers read promptly.
func (t *tally) answered(r *core.Response, latency time.Duration, at time.Time, record bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.status[r.Status]++
	t.lastAnswer = at
	if record && r.Status == core.StatusOK {
		t.latency.Record(latency)
		t.queue.Record(r.Queue())
		t.service.Record(r.Service())
	}
}

func (t *tally) duplicate() {
	t.mu.Lock()
	t.duplicates++
	t.mu.Unlock()
}

func (t *tally) addLost(n int) {
	t.mu.Lock()
	t.lost += uint64(n)
	t.mu.Unlock()
}

// fill copies the counts into r.
func (t *tally) fill(r *Result) {
	t.mu.Lock()
	defer t.mu.Unlock()
	r.Total, r.Sent, r.Late = t.total, t.sent, t.late
	r.Status = t.status
	r.Lost, r.Duplicates = t.lost, t.duplicates
	r.Latency, r.Queue, r.Service = t.latency, t.queue, t.service
}

// unsent records a measured request that was due but never written: its
// wait so far is a lower bound of its latency, recorded so that a backlog
// the generator could not send does not vanish from the histogram.
func (t *tally) unsent(waited time.Duration) {
	t.mu.Lock()
	t.latency.Record(waited)
	t.mu.Unlock()
}

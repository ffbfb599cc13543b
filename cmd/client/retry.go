package main

import (
	"sync"
	"time"

	"github.com/tcpimg/tcpimg/retry"
)

// Backoff and budget constants of the client. The base is short because a
// BUSY server sheds load in microseconds and a draining one is replaced by
// the balancer within a health-check interval; the cap keeps a long outage
// from stretching a batch by more than a second per retry.
const (
	retryBase      = 5 * time.Millisecond
	retryCap       = time.Second
	retryAllowance = 10 // retries a batch may make before it has earned any
)

// retrier keeps the jobs to send again and decides which may be: a job
// refused BUSY or SHUTTING_DOWN, or in flight on a connection that ended,
// was not run, so it may be sent again, within -retries per job and the
// -retry-budget of the batch. A job waits out its backoff in a timer, then
// is ready for the next sender that asks.
type retrier struct {
	policy *retry.Policy // nil when retrying is off
	budget *retry.Budget

	mu      sync.Mutex
	ready   []uint64                 // job ids whose backoff has passed
	timers  map[*time.Timer]struct{} // job ids in backoff, one timer each
	jobs    map[uint64]*retried      // every job retried so far, by id
	wake    chan struct{}            // closed, and replaced, when ready grows or a backoff ends
	stopped bool
	denied  int // retryable failures left as they were: cap or budget spent
}

// retried is a job sent again: how often, and when it was first due, which
// its latency counts from.
type retried struct {
	tries int
	due   time.Time
}

// newRetrier returns a retrier for -retries max and -retry-budget ratio;
// max 0 turns retrying off.
func newRetrier(max int, ratio float64) (*retrier, error) {
	r := &retrier{timers: map[*time.Timer]struct{}{}, jobs: map[uint64]*retried{}, wake: make(chan struct{})}
	if max == 0 {
		return r, nil
	}
	var err error
	if r.policy, err = retry.NewPolicy(max, retryBase, retryCap, nil); err != nil {
		return nil, err
	}
	if r.budget, err = retry.NewBudget(ratio, retryAllowance); err != nil {
		return nil, err
	}
	return r, nil
}

// on reports whether retrying is on.
func (r *retrier) on() bool { return r.policy != nil }

// sent records a job sent for the first time: it earns budget.
func (r *retrier) sent() {
	if r.on() {
		r.budget.Deposit()
	}
}

// offer schedules job id, first due at due, to be sent again after its
// backoff and returns true, or returns false when it may not be: retrying
// is off, the job has had its retries, or the budget is spent.
func (r *retrier) offer(id uint64, due time.Time) bool {
	if !r.on() {
		return false
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	j := r.jobs[id]
	if j == nil {
		j = &retried{due: due}
	}
	if r.stopped || !r.policy.Allow(j.tries) || !r.budget.TryRetry() {
		r.denied++
		return false
	}
	j.tries++
	r.jobs[id] = j
	var t *time.Timer
	t = time.AfterFunc(r.policy.Backoff(j.tries), func() {
		r.mu.Lock()
		defer r.mu.Unlock()
		if _, ok := r.timers[t]; !ok {
			return // stopped
		}
		delete(r.timers, t)
		r.ready = append(r.ready, id)
		r.signal()
	})
	r.timers[t] = struct{}{}
	return true
}

// signal wakes every sender waiting for a retry; r.mu is held.
func (r *retrier) signal() {
	close(r.wake)
	r.wake = make(chan struct{})
}

// take returns a job whose backoff has passed, if any, with the time it
// was first due.
func (r *retrier) take() (uint64, time.Time, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.ready) == 0 {
		return 0, time.Time{}, false
	}
	id := r.ready[0]
	r.ready = r.ready[1:]
	return id, r.jobs[id].due, true
}

// pending reports whether any job waits to be sent again, and returns a
// channel closed when that may have changed.
func (r *retrier) pending() (bool, <-chan struct{}) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.ready) > 0 || len(r.timers) > 0, r.wake
}

// stop cancels every backoff and returns how many jobs were still to be
// sent again: they were sent once and have no answer to count.
func (r *retrier) stop() (stranded int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.stopped = true
	for t := range r.timers {
		t.Stop()
	}
	stranded = len(r.ready) + len(r.timers)
	clear(r.timers)
	r.ready = nil
	return stranded
}

// deniedCount returns how many retryable failures were not retried.
func (r *retrier) deniedCount() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.denied
}

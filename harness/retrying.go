package harness

import (
	"fmt"
	"sync"
	"time"

	"github.com/tcpimg/tcpimg/core"
	"github.com/tcpimg/tcpimg/harness/loadclient"
	"github.com/tcpimg/tcpimg/retry"
)

// RetryPolicy is how an open loop's clients retry a request that timed out
// (see [Scenario.Timeout]) or was answered BUSY. A retry is a new request,
// with a new job id, written on whichever connection has a free slot: the
// workload's next request, which is the same job for a workload of one.
// Its latency still runs from the first attempt's due time, which is what
// the user waited.
type RetryPolicy struct {
	// Max is how many times one request may be retried.
	Max int
	// Base, when positive, waits before retry n a random time in
	// [0, min(Cap, Base x 2^(n-1))): exponential backoff with full
	// jitter (package retry). 0 retries at once, as a naive client does.
	Base, Cap time.Duration
	// Budget, when positive, lets retries be at most about this fraction
	// of the requests sent (retry.Budget, as gRPC's retry throttling and
	// Finagle's RetryBudget); 0 means no budget.
	Budget float64
}

// retryAllowance is the retries a budget holds at the start, before the
// requests sent have earned any.
const retryAllowance = retry.DefaultAllowance

// validate reports what is wrong with p.
func (p *RetryPolicy) validate() []string {
	var problems []string
	if p.Max < 0 || p.Base < 0 || p.Budget < 0 || p.Budget > 1 {
		problems = append(problems, fmt.Sprintf("retry: want Max, Base >= 0 and Budget in 0..1, have %+v", *p))
	}
	if p.Base > 0 && p.Cap < p.Base {
		problems = append(problems, fmt.Sprintf("retry: Cap %v below Base %v", p.Cap, p.Base))
	}
	return problems
}

// retrier holds a run's retries until a sender with a free slot takes
// them: at once, or after their backoff.
type retrier struct {
	policy  *retry.Policy
	budget  *retry.Budget // nil: no budget
	backoff bool
	ready   chan struct{} // a retry was queued; capacity one

	mu      sync.Mutex
	queue   []ticket
	waiting map[*time.Timer]struct{} // backoffs not yet over
	closed  bool
	unsent  int // retries decided but never written: the load ended first
}

// newRetrier returns the retrier of p, or nil for a nil p.
func newRetrier(p *RetryPolicy, seed uint64) (*retrier, error) {
	if p == nil {
		return nil, nil
	}
	base, ceiling := p.Base, p.Cap
	if base <= 0 {
		// Immediate retries never ask for a wait; the policy still
		// counts them.
		base, ceiling = time.Nanosecond, time.Nanosecond
	}
	policy, err := retry.NewPolicy(p.Max, base, ceiling, newDraw(seed, retryStream))
	if err != nil {
		return nil, err
	}
	rt := &retrier{policy: policy, backoff: p.Base > 0, ready: make(chan struct{}, 1), waiting: map[*time.Timer]struct{}{}}
	if p.Budget > 0 {
		if rt.budget, err = retry.NewBudget(p.Budget, retryAllowance); err != nil {
			return nil, err
		}
	}
	return rt, nil
}

// retryStream is the number of the retrier's stream of the scenario's
// seed, apart from the connections' (numbered from 0).
const retryStream = 1 << 32

// sent records a request written for the first time, which earns the
// budget its share of a retry.
func (rt *retrier) sent() {
	if rt != nil && rt.budget != nil {
		rt.budget.Deposit()
	}
}

// offer decides whether the request of r, which had attempts retries
// already, is retried, and if so queues the retry.
func (rt *retrier) offer(r *loadclient.Result, attempts int) bool {
	if !r.TimedOut && r.Response.Status != core.StatusBusy {
		return false
	}
	if !rt.policy.Allow(attempts) || (rt.budget != nil && !rt.budget.TryRetry()) {
		return false
	}
	tk := ticket{due: r.At.Add(-r.Latency), warmup: r.Warmup, attempt: attempts + 1}
	rt.mu.Lock()
	defer rt.mu.Unlock()
	if rt.closed {
		return false
	}
	if !rt.backoff {
		rt.push(tk)
		return true
	}
	var tm *time.Timer
	tm = time.AfterFunc(rt.policy.Backoff(tk.attempt), func() {
		rt.mu.Lock()
		defer rt.mu.Unlock()
		if _, ok := rt.waiting[tm]; ok {
			delete(rt.waiting, tm)
			rt.push(tk)
		}
	})
	rt.waiting[tm] = struct{}{}
	return true
}

// push queues tk and wakes a sender; the caller holds mu.
func (rt *retrier) push(tk ticket) {
	rt.queue = append(rt.queue, tk)
	select {
	case rt.ready <- struct{}{}:
	default:
	}
}

// pop takes the oldest retry due, if any; it is nil-safe.
func (rt *retrier) pop() (ticket, bool) {
	if rt == nil {
		return ticket{}, false
	}
	rt.mu.Lock()
	defer rt.mu.Unlock()
	if len(rt.queue) == 0 {
		return ticket{}, false
	}
	tk := rt.queue[0]
	rt.queue = rt.queue[1:]
	if len(rt.queue) > 0 {
		// Another sender may take the next one.
		select {
		case rt.ready <- struct{}{}:
		default:
		}
	}
	return tk, true
}

// wake is signalled when a retry is queued; nil (never) without retries.
func (rt *retrier) wake() <-chan struct{} {
	if rt == nil {
		return nil
	}
	return rt.ready
}

// close ends the retries when the load ends: those queued or waiting out a
// backoff are never written, and counted. It returns their number.
func (rt *retrier) close() int {
	if rt == nil {
		return 0
	}
	rt.mu.Lock()
	defer rt.mu.Unlock()
	if !rt.closed {
		rt.closed = true
		for tm := range rt.waiting {
			tm.Stop()
		}
		rt.unsent = len(rt.queue) + len(rt.waiting)
		rt.queue, rt.waiting = nil, nil
	}
	return rt.unsent
}

// Package retry decides when a request that was not run may be sent again:
// how long to wait before each retry (exponential backoff with full
// jitter), how many retries one request may have, and how many retries a
// client may make in all (a retry budget).
//
// Every tcpimg operation is a pure function of its request, so a request
// that the server did not run (a BUSY or SHUTTING_DOWN answer, or a
// connection that closed before the answer) can be sent again safely. But
// retries add load exactly when a server has none to spare: with a cap of
// three retries per request and nothing else, a server that refuses
// everything sees four times its offered load. The budget bounds that: a
// client earns Ratio of a retry per request it sends, so retries stay
// below that fraction of its requests (plus a small allowance), however
// many requests fail. It is the token bucket of gRPC's retry throttling and
// Finagle's RetryBudget, counted in requests rather than time, so that it
// is deterministic.
//
// Full jitter (a wait drawn uniformly from zero to the exponential bound)
// spreads the retries of clients refused at the same moment, so that they
// do not come back at the same moment either; see "Exponential Backoff And
// Jitter" (AWS Architecture Blog, 2015).
//
// Policy and Budget are safe for concurrent use; one of each serves every
// connection of a client.
package retry

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sync"
	"time"
)

// Defaults of the tcpimg client.
const (
	DefaultBase       = 5 * time.Millisecond
	DefaultCap        = time.Second
	DefaultMaxRetries = 3
	DefaultRatio      = 0.2
	DefaultAllowance  = 10
)

// Policy is the per-request side: a cap on retries and the wait before
// each.
type Policy struct {
	maxRetries int
	base, cap  time.Duration

	mu  sync.Mutex
	rnd *rand.Rand
}

// NewPolicy returns a policy that allows maxRetries retries per request
// (0 turns retrying off) and waits a random time in [0, min(cap, base x
// 2^(n-1))) before retry n. src drives the jitter; nil means a random
// source, and a fixed source (rand.NewPCG(1, 2)) makes the waits
// reproducible in tests.
func NewPolicy(maxRetries int, base, cap time.Duration, src rand.Source) (*Policy, error) {
	switch {
	case maxRetries < 0:
		return nil, fmt.Errorf("retry: max retries %d is negative", maxRetries)
	case base <= 0:
		return nil, fmt.Errorf("retry: base %v must be positive", base)
	case cap < base:
		return nil, fmt.Errorf("retry: cap %v is below base %v", cap, base)
	}
	if src == nil {
		src = rand.NewPCG(rand.Uint64(), rand.Uint64())
	}
	return &Policy{maxRetries: maxRetries, base: base, cap: cap, rnd: rand.New(src)}, nil
}

// MaxRetries returns the cap on retries per request.
func (p *Policy) MaxRetries() int { return p.maxRetries }

// Allow reports whether a request that has had retries retries may have
// one more.
func (p *Policy) Allow(retries int) bool { return retries < p.maxRetries }

// Backoff returns how long to wait before retry n (1 for the first).
func (p *Policy) Backoff(n int) time.Duration {
	bound := p.cap
	if n >= 1 && n < 63 {
		if b := p.base << (n - 1); b > 0 && b < bound {
			bound = b
		}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	return time.Duration(p.rnd.Int64N(int64(bound)))
}

// token is one retry, in the Budget's units.
const token = 1_000_000

// Budget is the client-wide side: a token bucket that earns ratio tokens
// per request sent (Deposit) and spends one per retry (TryRetry). It starts
// full with allowance tokens and never holds more (nor less than one's
// room, so that a zero allowance still lets ratio add up to a retry): a
// client that has sent few requests can still retry a few, and one that
// ran healthy for hours has not banked a storm of retries for the next
// outage. Over any stretch of time, retries <= allowance + ratio x
// requests.
type Budget struct {
	// Tokens are counted in millionths, so that five deposits of 0.2 make
	// exactly one retry, as they would not in floating point.
	earn, max int64

	mu      sync.Mutex
	tokens  int64
	retried uint64
	denied  uint64
}

// NewBudget returns a budget of ratio retries per request (0..1: 0.2 is
// one retry for every five requests) with an allowance of allowance
// retries.
func NewBudget(ratio float64, allowance int) (*Budget, error) {
	switch {
	case !(ratio >= 0 && ratio <= 1):
		return nil, fmt.Errorf("retry: budget ratio %v out of 0..1", ratio)
	case allowance < 0:
		return nil, fmt.Errorf("retry: budget allowance %d is negative", allowance)
	}
	return &Budget{
		earn:   int64(math.Round(ratio * token)),
		max:    max(int64(allowance), 1) * token,
		tokens: int64(allowance) * token,
	}, nil
}

// Deposit records one request sent for the first time: it earns ratio of
// a retry.
func (b *Budget) Deposit() {
	b.mu.Lock()
	b.tokens = min(b.tokens+b.earn, b.max)
	b.mu.Unlock()
}

// TryRetry spends one retry and reports true if the budget holds one;
// otherwise it reports false and the request must not be retried.
func (b *Budget) TryRetry() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.tokens < token {
		b.denied++
		return false
	}
	b.tokens -= token
	b.retried++
	return true
}

// Counts returns the retries granted and denied so far.
func (b *Budget) Counts() (granted, denied uint64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.retried, b.denied
}

package retry_test

import (
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/tcpimg/tcpimg/retry"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

func TestNewRefusesNonsense(t *testing.T) {
	tests := []struct {
		name string
		give func() error
		want string
	}{
		{"negative retries", func() error { _, err := retry.NewPolicy(-1, time.Millisecond, time.Second, nil); return err }, "negative"},
		{"zero base", func() error { _, err := retry.NewPolicy(3, 0, time.Second, nil); return err }, "base"},
		{"cap below base", func() error { _, err := retry.NewPolicy(3, time.Second, time.Millisecond, nil); return err }, "cap"},
		{"ratio over 1", func() error { _, err := retry.NewBudget(1.5, 10); return err }, "ratio"},
		{"negative ratio", func() error { _, err := retry.NewBudget(-0.1, 10); return err }, "ratio"},
		{"NaN ratio", func() error { _, err := retry.NewBudget(nan(), 10); return err }, "ratio"},
		{"negative allowance", func() error { _, err := retry.NewBudget(0.1, -1); return err }, "allowance"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.ErrorContains(t, tt.give(), tt.want)
		})
	}
}

func nan() float64 { z := 0.0; return z / z }

func TestPolicyAllow(t *testing.T) {
	tests := []struct {
		max, retries int
		want         bool
	}{
		{0, 0, false}, {1, 0, true}, {1, 1, false}, {3, 2, true}, {3, 3, false},
	}
	for _, tt := range tests {
		p, err := retry.NewPolicy(tt.max, time.Millisecond, time.Second, nil)
		require.NoError(t, err)
		assert.Equal(t, tt.want, p.Allow(tt.retries), "max %d after %d", tt.max, tt.retries)
	}
}

// TestBackoffFullJitter draws many waits per retry number: each lies in
// [0, min(cap, base x 2^(n-1))), they spread over that whole range, and a
// fixed source gives the same waits every time.
func TestBackoffFullJitter(t *testing.T) {
	const base, cap, draws = 10 * time.Millisecond, 200 * time.Millisecond, 2000
	tests := []struct {
		n     int
		bound time.Duration
	}{
		{1, 10 * time.Millisecond}, {2, 20 * time.Millisecond}, {3, 40 * time.Millisecond},
		{5, 160 * time.Millisecond}, {6, cap}, {40, cap}, {1000, cap}, {0, cap},
	}
	p, err := retry.NewPolicy(3, base, cap, rand.NewPCG(1, 2))
	require.NoError(t, err)
	for _, tt := range tests {
		var lo, hi, sum time.Duration = tt.bound, 0, 0
		for range draws {
			d := p.Backoff(tt.n)
			require.GreaterOrEqual(t, d, time.Duration(0))
			require.Less(t, d, tt.bound, "retry %d", tt.n)
			lo, hi, sum = min(lo, d), max(hi, d), sum+d
		}
		assert.Less(t, lo, tt.bound/20, "retry %d: no short waits", tt.n)
		assert.Greater(t, hi, tt.bound*19/20, "retry %d: no long waits", tt.n)
		assert.InDelta(t, float64(tt.bound)/2, float64(sum/draws), float64(tt.bound)/10, "retry %d: mean", tt.n)
	}
	a, _ := retry.NewPolicy(3, base, cap, rand.NewPCG(7, 7))
	b, _ := retry.NewPolicy(3, base, cap, rand.NewPCG(7, 7))
	for n := 1; n < 10; n++ {
		assert.Equal(t, a.Backoff(n), b.Backoff(n))
	}
}

// TestBudget plays sequences of requests and failures against budgets:
// the allowance is there from the start, each request earns ratio, and
// the balance never exceeds the allowance.
func TestBudget(t *testing.T) {
	tests := []struct {
		name        string
		ratio       float64
		allowance   int
		healthy     int // requests deposited before the outage
		failing     int // requests deposited during it, each failing and retried until denied
		wantGranted uint64
	}{
		{"allowance only", 0.2, 10, 0, 0, 10},
		{"no budget at all", 0, 0, 0, 100, 0},
		// The first failing request's deposit finds the bucket full.
		{"ratio during the outage", 0.2, 10, 0, 100, 10 + 19},
		{"healthy time banks no more than the allowance", 0.2, 10, 1_000_000, 100, 10 + 19},
		{"zero allowance still earns", 0.5, 0, 0, 10, 5},
		{"ratio 1 retries every request once", 1, 0, 0, 50, 50},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := retry.NewBudget(tt.ratio, tt.allowance)
			require.NoError(t, err)
			for range tt.healthy {
				b.Deposit()
			}
			for range tt.failing {
				b.Deposit()
				for b.TryRetry() {
				}
			}
			for b.TryRetry() {
			}
			granted, denied := b.Counts()
			assert.Equal(t, tt.wantGranted, granted)
			assert.Positive(t, denied)
		})
	}
}

// TestBudgetConcurrent: many goroutines depositing and retrying never get
// more than allowance + ratio x requests between them.
func TestBudgetConcurrent(t *testing.T) {
	const (
		workers   = 8
		requests  = 1000
		ratio     = 0.1
		allowance = 5
	)
	b, err := retry.NewBudget(ratio, allowance)
	require.NoError(t, err)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for range requests {
				b.Deposit()
				b.TryRetry()
			}
		})
	}
	wg.Wait()
	granted, _ := b.Counts()
	assert.LessOrEqual(t, float64(granted), allowance+ratio*workers*requests+1e-9)
	assert.GreaterOrEqual(t, float64(granted), ratio*workers*requests-1)
}

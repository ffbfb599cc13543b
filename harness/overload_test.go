package harness_test

import (
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tcpimg/tcpimg/core"
	"github.com/tcpimg/tcpimg/harness"
)

// open is an open loop of one connection at rate for length, of SLEEPs (the fake server does not run them).
func open(rate float64, length time.Duration) harness.Scenario {
	return harness.Scenario{
		Name: "script", Loop: harness.OpenLoop, Inflight: 8,
		Rate: rate, Duration: length, Workload: harness.Workload{harness.Sleep(time.Millisecond)},
	}
}

// TestClientTimeout: every odd request is answered after 150 ms, every
// even one after 10 ms, and the clients give up after 100 ms. The odd ones
// time out, their late answers are counted as late and their service time
// as wasted, never as lost or unexpected; goodput in time counts the even
// ones only. The deadline goes in the request only when asked.
func TestClientTimeout(t *testing.T) {
	const timeout = 100 * time.Millisecond
	tests := []struct {
		name         string
		sendDeadline bool
		wantDeadline uint32
	}{
		{name: "deadline not sent"},
		{name: "deadline sent", sendDeadline: true, wantDeadline: 100},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				srv := newScriptServer(func(n int, _ time.Duration) (time.Duration, core.Status) {
					if n%2 == 1 {
						return 150 * time.Millisecond, core.StatusOK
					}
					return 10 * time.Millisecond, core.StatusOK
				})
				defer srv.close()
				gen := &harness.Generator{Dial: srv.dial, DrainTimeout: time.Second}
				s := open(100, time.Second)
				s.Timeout, s.SendDeadline = timeout, tt.sendDeadline
				r, err := gen.Run(t.Context(), s, 0)
				require.NoError(t, err)

				assert.Equal(t, uint64(100), r.Sent)
				assert.Equal(t, uint64(50), r.Status[core.StatusOK], "the answers in time are the outcomes")
				assert.Equal(t, uint64(50), r.TimedOut)
				assert.Equal(t, uint64(50), r.AfterTimeout, "every late answer is read")
				assert.Zero(t, r.Lost)
				assert.Zero(t, r.Unexpected)
				// Even n answered at 10n+10 ms, all in the period; odd n at
				// 10n+150 ms, in the period up to n = 83.
				assert.InDelta(t, 50, r.GoodputInTime(), 1e-9, "goodput in time")
				assert.InDelta(t, 92, r.Goodput(), 1e-9, "goodput counts the late answers too")
				assert.InDelta(t, 42.0/92, r.Window.Wasted(), 1e-9, "wasted work")
				assert.Equal(t, 10*time.Millisecond, r.Latency.Quantile(1).Round(time.Millisecond), "no late answer in the latency")
				srv.mu.Lock()
				defer srv.mu.Unlock()
				for _, d := range srv.deadlines {
					require.Equal(t, tt.wantDeadline, d)
				}
			})
		})
	}
}

// TestRetries: a server that answers everything BUSY gets every request
// retried up to the policy's cap, or as much as the budget allows.
func TestRetries(t *testing.T) {
	const requests = 100
	tests := []struct {
		name        string
		give        harness.RetryPolicy
		wantRetries [2]uint64 // at least, at most
	}{
		{name: "immediate", give: harness.RetryPolicy{Max: 3}, wantRetries: [2]uint64{3 * requests, 3 * requests}},
		{name: "backoff", give: harness.RetryPolicy{Max: 2, Base: 5 * time.Millisecond, Cap: 20 * time.Millisecond},
			wantRetries: [2]uint64{2 * requests, 2 * requests}},
		// A budget of 10% that starts with 10 retries: 10 + 0.1 x 100.
		{name: "budget", give: harness.RetryPolicy{Max: 3, Budget: 0.1}, wantRetries: [2]uint64{11, 20}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				srv := newScriptServer(func(int, time.Duration) (time.Duration, core.Status) { return time.Millisecond, core.StatusBusy })
				defer srv.close()
				gen := &harness.Generator{Dial: srv.dial, DrainTimeout: time.Second}
				// The period outlasts the backoffs of the last request.
				s := open(1000, requests*time.Millisecond)
				s.Shape = []harness.Phase{{For: requests * time.Millisecond, Load: 1}, {For: 200 * time.Millisecond, Load: 0}}
				s.Timeout, s.Retry = time.Second, &tt.give
				r, err := gen.Run(t.Context(), s, 0)
				require.NoError(t, err)

				assert.Equal(t, uint64(requests), r.Sent)
				assert.Equal(t, uint64(requests), r.Status[core.StatusBusy], "each request has one outcome: its last answer")
				assert.GreaterOrEqual(t, r.Retries, tt.wantRetries[0])
				assert.LessOrEqual(t, r.Retries, tt.wantRetries[1])
				assert.Zero(t, r.RetriesUnsent)
				assert.Zero(t, r.Lost)
				assert.Zero(t, r.Unexpected)
			})
		})
	}
}

// TestRetryLatencyFromFirstDue: the first attempt of every request is
// answered BUSY and its retry OK, each after delay. The retry's latency
// runs from the first attempt's due time, so with a timeout of 100 ms two
// answers of 30 ms are in time and two of 60 ms are not, though OK.
func TestRetryLatencyFromFirstDue(t *testing.T) {
	tests := []struct {
		delay      time.Duration
		wantInTime float64
	}{
		{delay: 30 * time.Millisecond, wantInTime: 10},
		{delay: 60 * time.Millisecond, wantInTime: 0},
	}
	for _, tt := range tests {
		t.Run(tt.delay.String(), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				srv := newScriptServer(func(n int, _ time.Duration) (time.Duration, core.Status) {
					if n%2 == 0 {
						return tt.delay, core.StatusBusy
					}
					return tt.delay, core.StatusOK
				})
				defer srv.close()
				gen := &harness.Generator{Dial: srv.dial, DrainTimeout: time.Second}
				s := open(10, time.Second)
				s.Timeout, s.Retry = 100*time.Millisecond, &harness.RetryPolicy{Max: 1}
				r, err := gen.Run(t.Context(), s, 0)
				require.NoError(t, err)

				assert.Equal(t, uint64(10), r.Status[core.StatusOK])
				assert.Equal(t, uint64(10), r.Retries)
				assert.Equal(t, 2*tt.delay, r.Latency.Quantile(1).Round(time.Millisecond), "latency covers both attempts")
				assert.InDelta(t, tt.wantInTime, r.GoodputInTime(), 1e-9)
			})
		})
	}
}

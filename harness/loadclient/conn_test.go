package loadclient_test

import (
	"net"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tcpimg/tcpimg/core"
	"github.com/tcpimg/tcpimg/harness/loadclient"
)

// script says how the fake server answers job id; the zero value answers
// OK once.
type script struct {
	status func(id uint64) core.Status
	drop   func(id uint64) bool // no answer
	dup    func(id uint64) bool // a second answer
}

// serveOnce accepts one connection, reads requests until the client
// half-closes, then answers them in reverse order, as the script says,
// and closes: the answers come back in an order the client did not send.
func serveOnce(t *testing.T, sc script) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	var wg sync.WaitGroup
	t.Cleanup(func() {
		ln.Close()
		wg.Wait()
	})
	wg.Go(func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		var ids []uint64
		for {
			h, _, err := core.ReadRequest(c, 1<<20, nil)
			if err != nil {
				break
			}
			ids = append(ids, h.JobID)
		}
		slices.Reverse(ids)
		for _, id := range ids {
			if sc.drop != nil && sc.drop(id) {
				continue
			}
			h := core.ResponseHeader{JobID: id, QueueUS: 100, ServiceUS: 1000}
			if sc.status != nil {
				h.Status = sc.status(id)
			}
			var b [core.HeaderSize]byte
			core.PutResponseHeader(b[:], &h)
			c.Write(b[:])
			if sc.dup != nil && sc.dup(id) {
				c.Write(b[:])
			}
		}
	})
	return ln.Addr().String()
}

// exchange writes the requests req makes for job ids 0..n-1 on a
// connection to a serveOnce server, half-closes it and waits for the
// server's close; it returns the connection, for its lost requests, and
// every result its handler saw.
func exchange(t *testing.T, sc script, n int, tally *loadclient.Tally, cfg loadclient.Config,
	req func(id uint64) loadclient.Request) (*loadclient.Conn, []loadclient.Result) {
	t.Helper()
	nc, err := net.Dial("tcp", serveOnce(t, sc))
	require.NoError(t, err)
	c := loadclient.NewConn(nc, tally, cfg)
	var results []loadclient.Result
	received := make(chan error, 1)
	go func() {
		received <- c.Receive(func(r *loadclient.Result) { results = append(results, *r) })
	}()
	for id := range uint64(n) {
		ok, err := c.Acquire(nil)
		require.True(t, ok)
		require.NoError(t, err)
		require.NoError(t, c.SendBuffered(req(id)))
	}
	require.NoError(t, c.CloseWrite(time.Minute))
	require.NoError(t, <-received)
	return c, results
}

func TestConnPairsAnswersAndTallies(t *testing.T) {
	busyOdd := func(id uint64) core.Status {
		if id%2 == 1 {
			return core.StatusBusy
		}
		return core.StatusOK
	}
	is := func(want uint64) func(uint64) bool { return func(id uint64) bool { return id == want } }
	tests := []struct {
		name        string
		give        script
		warmup      int // the first requests are warm-up
		all         bool
		readDelay   time.Duration
		wantOK      uint64
		wantBusy    uint64
		wantLost    uint64
		wantUnexp   uint64
		wantLatency int64 // values in the latency histogram
		wantQueue   int64
	}{
		{name: "all OK", wantOK: 10, wantLatency: 10, wantQueue: 10},
		{name: "busy answers have no latency", give: script{status: busyOdd},
			wantOK: 5, wantBusy: 5, wantLatency: 5, wantQueue: 5},
		{name: "every latency", give: script{status: busyOdd}, all: true,
			wantOK: 5, wantBusy: 5, wantLatency: 10, wantQueue: 5},
		{name: "warm-up left out", warmup: 4, wantOK: 6, wantLatency: 6, wantQueue: 6},
		{name: "lost", give: script{drop: is(3)}, wantOK: 9, wantLost: 1, wantLatency: 9, wantQueue: 9},
		{name: "lost in the warm-up", give: script{drop: is(0)}, warmup: 2, wantOK: 8, wantLost: 1, wantLatency: 8, wantQueue: 8},
		{name: "second answer", give: script{dup: is(7)}, wantOK: 10, wantUnexp: 1, wantLatency: 10, wantQueue: 10},
		{name: "slow reader", readDelay: time.Microsecond, wantOK: 10},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			const n = 10
			tally := loadclient.NewTally()
			tally.AllLatencies = tt.all
			c, results := exchange(t, tt.give, n, tally, loadclient.Config{Inflight: n, ReadDelay: tt.readDelay},
				func(id uint64) loadclient.Request {
					return loadclient.Request{Header: core.RequestHeader{Op: core.OpNoop, JobID: id}, Warmup: id < uint64(tt.warmup)}
				})
			var unexpected []uint64
			for _, r := range results {
				if r.Unexpected {
					unexpected = append(unexpected, r.Response.JobID)
				}
			}
			assert.Equal(t, int(tt.wantLost), c.CountLost())

			got := tally.Counts()
			assert.Equal(t, uint64(n), got.Total)
			assert.Equal(t, uint64(n-tt.warmup), got.Sent)
			assert.Equal(t, tt.wantOK, got.Status[core.StatusOK])
			assert.Equal(t, tt.wantBusy, got.Status[core.StatusBusy])
			assert.Equal(t, tt.wantOK+tt.wantBusy, got.Answered())
			assert.Equal(t, tt.wantLost, got.Lost)
			assert.Equal(t, tt.wantUnexp, got.Unexpected)
			assert.Len(t, unexpected, int(tt.wantUnexp), "the handler sees each unexpected answer")
			assert.Equal(t, tt.wantLatency, got.Latency.Count())
			assert.Equal(t, tt.wantQueue, got.Queue.Count())
			assert.Equal(t, tt.wantQueue, got.Service.Count())
			if tt.wantQueue > 0 {
				assert.InEpsilon(t, 100*time.Microsecond, got.Queue.Quantile(0.5), 0.01)
				assert.InEpsilon(t, time.Millisecond, got.Service.Quantile(0.5), 0.01)
			}
		})
	}
}

// TestConnLeavesRetriesToTheCaller: answers the Retry hook takes, and lost
// requests RetryLost takes, stay out of the tally; a request written again
// is counted in Retries, not Sent.
func TestConnLeavesRetriesToTheCaller(t *testing.T) {
	busyOdd := func(id uint64) core.Status {
		if id%2 == 1 {
			return core.StatusBusy
		}
		return core.StatusOK
	}
	tests := []struct {
		name         string
		give         script
		retryLost    func(id uint64) bool
		wantBusy     uint64
		wantRetried  int // answers the hook took
		wantLost     uint64
		wantRetrySet int // ids RetryLost took
	}{
		{name: "busy answers retried", give: script{status: busyOdd}, wantRetried: 5},
		{name: "lost requests retried but one", give: script{drop: func(id uint64) bool { return id >= 6 }},
			retryLost: func(id uint64) bool { return id != 9 }, wantLost: 1, wantRetrySet: 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			const n = 10
			tally := loadclient.NewTally()
			retry := func(r *loadclient.Result) bool { return r.Response.Status == core.StatusBusy }
			c, results := exchange(t, tt.give, n, tally, loadclient.Config{Inflight: n, Retry: retry},
				func(id uint64) loadclient.Request {
					// The second half are retries of earlier requests.
					return loadclient.Request{Header: core.RequestHeader{Op: core.OpNoop, JobID: id}, Retry: id >= n/2}
				})
			var retried []uint64
			for _, r := range results {
				if r.Retried {
					retried = append(retried, r.Response.JobID)
				}
			}
			var took []uint64
			lost := c.RetryLost(func(id uint64, _ time.Time) bool {
				if tt.retryLost != nil && tt.retryLost(id) {
					took = append(took, id)
					return true
				}
				return false
			})
			assert.Equal(t, int(tt.wantLost), lost)
			assert.Len(t, took, tt.wantRetrySet)
			assert.Len(t, retried, tt.wantRetried)
			got := tally.Counts()
			assert.Equal(t, uint64(n/2), got.Sent)
			assert.Equal(t, uint64(n/2), got.Retries)
			assert.Equal(t, uint64(n)-uint64(tt.wantRetried)-uint64(tt.wantRetrySet)-tt.wantLost, got.Answered())
			assert.Zero(t, got.Status[core.StatusBusy], "a retried BUSY reached the tally")
			assert.Equal(t, tt.wantLost, got.Lost)
		})
	}
}

// TestAcquireEndsWithTheConnection checks that a writer waiting for a slot
// is let go when the server hangs up with the window full, instead of
// waiting for an answer that cannot come.
func TestAcquireEndsWithTheConnection(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	var wg sync.WaitGroup
	defer wg.Wait()
	wg.Go(func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		core.ReadRequest(c, 1<<20, nil)
		c.Close()
	})
	nc, err := net.Dial("tcp", ln.Addr().String())
	require.NoError(t, err)
	tally := loadclient.NewTally()
	c := loadclient.NewConn(nc, tally, loadclient.Config{Inflight: 1})
	received := make(chan error, 1)
	go func() { received <- c.Receive(nil) }()

	ok, err := c.Acquire(nil)
	require.True(t, ok)
	require.NoError(t, err)
	require.NoError(t, c.Send(loadclient.Request{Header: core.RequestHeader{Op: core.OpNoop, JobID: 1}}))
	ok, err = c.Acquire(nil)
	assert.False(t, ok, "no slot once the connection is gone")
	assert.NoError(t, err)
	assert.NoError(t, <-received, "a hang-up is a clean end of stream")
	assert.Equal(t, 1, c.CountLost())
	assert.Equal(t, uint64(1), tally.Counts().Lost)
}

func TestHistogramClampsAndSurvivesJSON(t *testing.T) {
	tests := []struct {
		name string
		give time.Duration
		want time.Duration
	}{
		{"negative is 0", -time.Second, 0},
		{"a millisecond", time.Millisecond, time.Millisecond},
		{"beyond the wire's 32-bit microseconds", 100 * time.Hour, (1<<32 - 1) * time.Microsecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := loadclient.NewHistogram()
			h.Record(tt.give)
			b, err := h.MarshalJSON()
			require.NoError(t, err)
			var got loadclient.Histogram
			require.NoError(t, got.UnmarshalJSON(b))
			assert.Equal(t, int64(1), got.Count())
			assert.InDelta(t, float64(tt.want), float64(got.Quantile(1)), float64(tt.want)/1000+float64(time.Microsecond))
		})
	}
}

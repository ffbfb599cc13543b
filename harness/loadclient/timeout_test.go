package loadclient_test

import (
	"net"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tcpimg/tcpimg/core"
	"github.com/tcpimg/tcpimg/harness/loadclient"
)

// delayServer answers each request OK after delay(id) over net.Pipe,
// reporting service as its service time; on synctest's fake clock the
// delays are exact.
type delayServer struct {
	delay   func(id uint64) time.Duration
	service time.Duration
	wg      sync.WaitGroup
}

func (s *delayServer) dial() net.Conn {
	client, server := net.Pipe()
	s.wg.Go(func() {
		defer server.Close()
		var wmu sync.Mutex
		var answers sync.WaitGroup
		defer answers.Wait()
		for {
			h, _, err := core.ReadRequest(server, 1<<20, nil)
			if err != nil {
				return
			}
			answers.Add(1)
			time.AfterFunc(s.delay(h.JobID), func() {
				defer answers.Done()
				var b [core.HeaderSize]byte
				core.PutResponseHeader(b[:], &core.ResponseHeader{JobID: h.JobID, ServiceUS: uint32(s.service.Microseconds())})
				wmu.Lock()
				defer wmu.Unlock()
				server.Write(b[:])
			})
		}
	})
	return client
}

// TestTimeoutFreesTheSlot: with one slot and a timeout of 100 ms, a request
// the server answers after 300 ms frees its slot at 100 ms exactly, so the
// next request is written then; the late answer is read and counted as
// late and wasted, never as the request's outcome, lost or unexpected.
func TestTimeoutFreesTheSlot(t *testing.T) {
	const (
		timeout = 100 * time.Millisecond
		slow    = 300 * time.Millisecond
		fast    = 10 * time.Millisecond
		service = 2 * time.Millisecond
	)
	tests := []struct {
		name         string
		retry        bool // the Retry hook takes timeouts
		wantTimedOut uint64
		wantHook     int
	}{
		{name: "given up", wantTimedOut: 1},
		{name: "given up and retried", retry: true, wantHook: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				srv := &delayServer{service: service, delay: func(id uint64) time.Duration {
					if id == 0 {
						return slow
					}
					return fast
				}}
				defer srv.wg.Wait()
				start := time.Now()
				tally := loadclient.NewTally()
				tally.SetWindow(start, start.Add(time.Second), 4)
				hooked := make(chan loadclient.Result, 2)
				cfg := loadclient.Config{Inflight: 1, Timeout: timeout, Retry: func(r *loadclient.Result) bool {
					if !r.TimedOut {
						return false
					}
					hooked <- *r
					return tt.retry
				}}
				c := loadclient.NewConn(srv.dial(), tally, cfg)
				answers := make(chan loadclient.Result, 2)
				received := make(chan error, 1)
				go func() { received <- c.Receive(func(r *loadclient.Result) { answers <- *r }) }()

				for id := range uint64(2) {
					ok, err := c.Acquire(nil)
					require.True(t, ok)
					require.NoError(t, err)
					if id == 1 {
						assert.Equal(t, timeout, time.Since(start), "the slot is free at the timeout")
					}
					require.NoError(t, c.Send(loadclient.Request{Header: core.RequestHeader{Op: core.OpNoop, JobID: id}}))
				}
				first, second := <-answers, <-answers
				assert.Equal(t, uint64(1), first.JobID)
				assert.False(t, first.AfterTimeout)
				assert.Equal(t, uint64(0), second.JobID)
				assert.True(t, second.AfterTimeout, "the late answer is marked")
				assert.Equal(t, slow, second.At.Sub(start))
				c.Close()
				<-received // an error: the connection was closed under it
				assert.Zero(t, c.CountLost())

				got := tally.Counts()
				assert.Equal(t, uint64(1), got.Status[core.StatusOK], "only the answer in time is an outcome")
				assert.Equal(t, tt.wantTimedOut, got.TimedOut)
				assert.Equal(t, uint64(1), got.AfterTimeout)
				assert.Zero(t, got.Lost)
				assert.Zero(t, got.Unexpected)
				assert.Equal(t, int64(1), got.Latency.Count(), "a late answer has no latency")
				require.Len(t, hooked, 1)
				h := <-hooked
				assert.Equal(t, uint64(0), h.JobID)
				assert.Equal(t, timeout, h.Latency)

				w := got.Window
				assert.Equal(t, uint64(2), w.Status[core.StatusOK], "the window counts what the server delivered")
				assert.Equal(t, uint64(1), w.InTime)
				assert.Equal(t, uint64(1), w.AfterTimeout)
				assert.InDelta(t, 0.5, w.Wasted(), 1e-9, "half the service time went to a late answer")
				assert.Equal(t, uint64(1), w.Bins[0].InTime)
			})
		})
	}
}

// TestInTimeCountsFromDue: an OK answer within the timeout of its request
// but past it from the request's due time (a retry keeps its first due
// time) is not in time.
func TestInTimeCountsFromDue(t *testing.T) {
	const timeout = 100 * time.Millisecond
	tests := []struct {
		name       string
		dueBefore  time.Duration // due this long before it is written
		wantInTime uint64
	}{
		{name: "due when written", wantInTime: 1},
		{name: "due long before", dueBefore: 95 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				srv := &delayServer{service: time.Millisecond, delay: func(uint64) time.Duration { return 10 * time.Millisecond }}
				defer srv.wg.Wait()
				start := time.Now()
				tally := loadclient.NewTally()
				tally.SetWindow(start, start.Add(time.Second), 1)
				c := loadclient.NewConn(srv.dial(), tally, loadclient.Config{Inflight: 1, Timeout: timeout})
				received := make(chan error, 1)
				answered := make(chan struct{})
				go func() { received <- c.Receive(func(*loadclient.Result) { close(answered) }) }()
				ok, _ := c.Acquire(nil)
				require.True(t, ok)
				req := loadclient.Request{Header: core.RequestHeader{Op: core.OpNoop}, Due: start.Add(-tt.dueBefore), Retry: tt.dueBefore > 0}
				require.NoError(t, c.Send(req))
				<-answered
				c.Close()
				<-received // an error: the connection was closed under it
				got := tally.Counts()
				assert.Equal(t, uint64(1), got.Status[core.StatusOK])
				assert.Equal(t, tt.wantInTime, got.Window.InTime)
			})
		})
	}
}

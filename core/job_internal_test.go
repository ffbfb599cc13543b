package core

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// TestJobReject: a job the pool refuses after accepting it is answered
// with the refusal's status and counted so that the counters balance, but
// a passed deadline takes precedence (TIMEOUT, as Run would answer) and a
// failed connection drops it.
func TestJobReject(t *testing.T) {
	tests := []struct {
		name       string
		deadline   uint32 // ms
		connFailed bool
		wantStatus Status
		wantStats  Stats
	}{
		{"shed", 0, false, StatusBusy, Stats{Shed: 1, Accepted: 1}},
		{"deadline still ahead", 60_000, false, StatusBusy, Stats{Shed: 1, Accepted: 1}},
		{"deadline passed", 1, false, StatusTimeout, Stats{TimedOut: 1, Accepted: 1}},
		{"connection failed", 0, true, StatusOK, Stats{Dropped: 1, Accepted: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			if tt.connFailed {
				cancel()
			}
			c := &conn{srv: &Server{}, ctx: ctx, out: make(chan *job, 1)}
			c.srv.stats.accepted()
			// Read a second ago: a fixed past, not a wait.
			j := &job{c: c, req: RequestHeader{Deadline: tt.deadline}, readAt: time.Now().Add(-time.Second)}
			j.Reject(ErrBusy)
			got := <-c.out
			assert.Same(t, j, got, "the job goes to the writer")
			assert.Equal(t, tt.connFailed, got.dropped, "dropped")
			assert.Equal(t, tt.wantStatus, got.status)
			assert.Zero(t, got.queueUS, "a rejected job never started")
			assert.Equal(t, tt.wantStats, c.srv.stats.snapshot())
		})
	}
}

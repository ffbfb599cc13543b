package core

import "sync"

// Stats is a consistent snapshot of a server's counters: every field is
// read under one lock, so
//
//	Accepted == Completed + Failed + TimedOut + Shed + Dropped + InFlight
//
// holds in every snapshot, and every counter only grows. A job is counted
// accepted just after the pool takes it, so a worker can finish it first:
// InFlight can then read one low (even -1) for a moment, at most once per
// connection being served.
type Stats struct {
	Accepted  uint64 // requests the pool took (or, under block admission, that waited for it until their connection failed)
	Completed uint64 // jobs that ran and were answered OK
	Failed    uint64 // jobs that ran and failed (BAD_REQUEST, INTERNAL)
	TimedOut  uint64 // jobs whose deadline passed before they started
	Shed      uint64 // accepted jobs answered BUSY without running: the pool's queue refused them (CoDel)
	Dropped   uint64 // jobs never run because their connection failed (or never submitted, when a blocked submit was cancelled)
	InFlight  int64  // accepted jobs not finished yet

	Busy     uint64 // requests refused BUSY before the pool took them, by the pool or the admission limit
	Refused  uint64 // requests answered before queueing: bad, too large, unsupported, shutting down
	Panics   uint64 // operations that panicked (answered INTERNAL)
	ConnsNow int    // connections being served
	ConnsMax int    // high-water mark of ConnsNow
	Conns    uint64 // connections served in all

	// TLS refusals (with Config.TLS): a connection refused here was never
	// served a frame.
	HandshakesFailed uint64 // handshakes that failed or timed out, for any reason but the client's certificate
	CertsRefused     uint64 // clients refused for their certificate: none given where one is required, or one that does not verify
}

// counters guards Stats with a mutex. A mutex, not atomics, so that a
// snapshot is consistent across fields; it is taken a few times per job,
// far below the cost of the job.
type counters struct {
	mu sync.Mutex
	s  Stats
}

func (c *counters) update(f func(s *Stats)) {
	c.mu.Lock()
	f(&c.s)
	c.mu.Unlock()
}

func (c *counters) snapshot() Stats {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.s
}

func (c *counters) accepted() {
	c.mu.Lock()
	c.s.Accepted++
	c.s.InFlight++
	c.mu.Unlock()
}

// finished records a job leaving the server with status st.
func (c *counters) finished(st Status, dropped, panicked bool) {
	c.mu.Lock()
	c.s.InFlight--
	switch {
	case dropped:
		c.s.Dropped++
	case st == StatusOK:
		c.s.Completed++
	case st == StatusTimeout:
		c.s.TimedOut++
	case st == StatusBusy:
		c.s.Shed++
	default:
		c.s.Failed++
	}
	if panicked {
		c.s.Panics++
	}
	c.mu.Unlock()
}

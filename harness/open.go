package harness

import (
	"context"
	"sync"
	"time"

	"github.com/tcpimg/tcpimg/harness/loadclient"
)

// ticket is one request to write: one the open loop's schedule made due,
// or a retry of one.
type ticket struct {
	due     time.Time
	warmup  bool // due before the measured period
	attempt int  // retries before this one; 0 for a first attempt
}

// runOpen sends on sched: a scheduler goroutine hands each
// request, when due, to whichever connection has a free window slot. When
// none has, the scheduler waits, and every request falling due meanwhile
// keeps its due time: the server's stall becomes latency (measured from the
// due time) and late sends, not a lower send rate. At the end of the
// schedule the requests still unsent are counted, and their wait recorded
// as a lower bound.
//
// Retries, when retries is not nil, go before the schedule's next request.
func runOpen(ctx context.Context, s Scenario, sched Schedule, conns []*loadConn, retries *retrier, t *loadclient.Tally, drain time.Duration, m *Metrics) {
	tickets := make(chan ticket)
	stop := make(chan struct{})
	var senders sync.WaitGroup
	for _, c := range conns {
		senders.Go(func() {
			openSender(ctx, c, tickets, retries, stop)
			c.CloseWrite(drain)
		})
	}
	start := time.Now()
	m.Start, m.Elapsed = start.Add(s.Warmup), sched.Length()-s.Warmup
	if !s.byRequest {
		t.SetWindow(m.Start, m.Start.Add(m.Elapsed), s.bins(m.Elapsed))
	}
	m.Scheduled = Count(sched, s.Warmup, sched.Length())
	next := dispatch(ctx, sched, start, s.Warmup, tickets)
	if retries != nil {
		// The load lasts until the schedule's end, not its last request:
		// retries keep coming until then.
		waitUntil(ctx, start.Add(sched.Length()))
	}
	close(stop)
	m.RetriesUnsent = uint64(retries.close())

	end := start.Add(sched.Length())
	for n := next; ; n++ {
		at, ok := sched.Due(n)
		if !ok {
			break
		}
		if at >= s.Warmup {
			t.Unsent(end.Sub(start.Add(at)))
		}
	}
	senders.Wait()
}

// waitUntil returns at t, or when ctx ends.
func waitUntil(ctx context.Context, t time.Time) {
	tm := time.NewTimer(time.Until(t))
	defer tm.Stop()
	select {
	case <-tm.C:
	case <-ctx.Done():
	}
}

// dispatch hands out the requests of sched as they fall due, until the
// schedule ends or ctx does. It returns the number of the first request not
// handed out.
func dispatch(ctx context.Context, sched Schedule, start time.Time, warmup time.Duration, tickets chan<- ticket) uint64 {
	end := time.NewTimer(time.Until(start.Add(sched.Length())))
	defer end.Stop()
	wait := time.NewTimer(time.Hour)
	defer wait.Stop()
	for n := uint64(0); ; n++ {
		at, ok := sched.Due(n)
		if !ok {
			return n
		}
		due := start.Add(at)
		if d := time.Until(due); d > 0 {
			wait.Reset(d)
			select {
			case <-wait.C:
			case <-end.C:
				return n
			case <-ctx.Done():
				return n
			}
		}
		select {
		case tickets <- ticket{due: due, warmup: at < warmup}:
		case <-end.C:
			return n
		case <-ctx.Done():
			return n
		}
	}
}

// openSender writes the requests handed to it, and the run's retries,
// while its window has room.
func openSender(ctx context.Context, c *loadConn, tickets <-chan ticket, retries *retrier, stop <-chan struct{}) {
	for {
		if !c.acquire(stop) {
			return
		}
		tk, ok := nextTicket(ctx, tickets, retries, stop)
		if !ok {
			c.Release()
			return
		}
		late := tk.attempt == 0 && time.Since(tk.due) > LateAfter
		if c.send(tk, late) != nil {
			return
		}
	}
}

// nextTicket returns a retry if one is queued, else waits for the next
// request due or a retry; false when the load ends first.
func nextTicket(ctx context.Context, tickets <-chan ticket, retries *retrier, stop <-chan struct{}) (ticket, bool) {
	for {
		if tk, ok := retries.pop(); ok {
			return tk, true
		}
		select {
		case tk := <-tickets:
			return tk, true
		case <-retries.wake():
		case <-stop:
			return ticket{}, false
		case <-ctx.Done():
			return ticket{}, false
		}
	}
}

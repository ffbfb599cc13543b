package harness

import (
	"context"
	"sync"
	"time"

	"github.com/tcpimg/tcpimg/harness/loadclient"
)

// ticket is one request the open loop's schedule made due.
type ticket struct {
	due    time.Time
	warmup bool // due before the measured period
}

// runOpen sends on sched: a scheduler goroutine hands each
// request, when due, to whichever connection has a free window slot. When
// none has, the scheduler waits, and every request falling due meanwhile
// keeps its due time: the server's stall becomes latency (measured from the
// due time) and late sends, not a lower send rate. At the end of the
// schedule the requests still unsent are counted, and their wait recorded
// as a lower bound.
func runOpen(ctx context.Context, s Scenario, sched Schedule, conns []*loadConn, t *loadclient.Tally, drain time.Duration, m *Metrics) {
	tickets := make(chan ticket)
	stop := make(chan struct{})
	var senders sync.WaitGroup
	for _, c := range conns {
		senders.Go(func() {
			openSender(ctx, c, tickets, stop)
			c.CloseWrite(drain)
		})
	}
	start := time.Now()
	m.Start, m.Elapsed = start.Add(s.Warmup), sched.Length()-s.Warmup
	if !s.byRequest {
		t.SetWindow(m.Start, m.Start.Add(m.Elapsed), steadyBins)
	}
	m.Scheduled = Count(sched, s.Warmup, sched.Length())
	next := dispatch(ctx, sched, start, s.Warmup, tickets)
	close(stop)

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

// openSender writes the requests handed to it while its window has room.
func openSender(ctx context.Context, c *loadConn, tickets <-chan ticket, stop <-chan struct{}) {
	for {
		if !c.acquire(stop) {
			return
		}
		var tk ticket
		select {
		case tk = <-tickets:
		case <-stop:
			c.Release()
			return
		case <-ctx.Done():
			c.Release()
			return
		}
		late := time.Since(tk.due) > LateAfter
		if c.send(tk.due, tk.warmup, late) != nil {
			return
		}
	}
}

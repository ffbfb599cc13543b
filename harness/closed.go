package harness

import (
	"sync"
	"time"

	"github.com/tcpimg/tcpimg/harness/loadclient"
)

// runClosed keeps every connection's window full until the measured period
// ends (or, counting Jobs, until each connection has sent its share), then
// half-closes the connections. Requests written during the measured period
// are recorded, with latency from the moment they were written.
func runClosed(s Scenario, conns []*loadConn, t *loadclient.Tally, drain time.Duration, m *Metrics) {
	start := time.Now()
	from, to := start.Add(s.Warmup), start.Add(s.Warmup+s.Duration)
	var stop chan struct{}
	if s.CountsJobs() {
		from = start
	} else {
		stop = make(chan struct{})
		end := time.AfterFunc(to.Sub(start), func() { close(stop) })
		defer end.Stop()
	}
	m.Start, m.Elapsed = from, to.Sub(from)
	if !s.CountsJobs() && !s.byRequest {
		t.SetWindow(from, to, steadyBins)
	}

	var senders sync.WaitGroup
	for i, c := range conns {
		jobs := 0
		if s.CountsJobs() {
			jobs = share(s.Jobs, i%s.ConnsPerClient, s.ConnsPerClient)
		}
		senders.Go(func() {
			closedSender(c, s.CountsJobs(), jobs, stop, from, to)
			c.CloseWrite(drain)
		})
	}
	senders.Wait()
}

// closedSender writes a request whenever the window has room: jobs of them
// when counting, otherwise until stop is closed.
func closedSender(c *loadConn, counting bool, jobs int, stop <-chan struct{}, from, to time.Time) {
	for n := 0; !counting || n < jobs; n++ {
		if !c.acquire(stop) {
			return
		}
		select {
		case <-stop:
			c.Release()
			return
		default:
		}
		now := time.Now()
		measured := counting || (!now.Before(from) && now.Before(to))
		if c.send(now, !measured, false) != nil {
			return
		}
	}
}

// share returns the part of n that the k-th of parts gets when n is split
// as evenly as whole numbers allow.
func share(n, k, parts int) int {
	q := n / parts
	if k < n%parts {
		q++
	}
	return q
}

package harness

import (
	"time"

	"github.com/tcpimg/tcpimg/core"
)

// Bounds of a shortened scenario.
const (
	shortClients  = 4
	shortInflight = 2
	shortJobs     = 3
	shortDuration = 100 * time.Millisecond
	shortShape    = 10 // shape phases are divided by this
	shortWorkUS   = 200
	shortSlowRead = 2 * time.Millisecond
)

// Short returns s scaled down for a smoke run: at most four clients of one
// connection and two requests in flight, no warm-up and 100 ms measured (a
// shape a tenth as long), the tiny images only, and SPIN and SLEEP of at
// most 200 µs. Without a warm-up the first requests count, so that even a
// run slowed down tenfold by the race detector measures something. It keeps what makes s itself (its loop, its
// rates relative to the capacity, its share of slow readers), so a smoke
// run exercises every code path of the full scenario in a fraction of a
// second, even under the race detector.
func Short(s Scenario) Scenario {
	s = s.clone()
	s.Clients = min(max(s.Clients, 1), shortClients)
	s.ConnsPerClient = 1
	s.Inflight = min(max(s.Inflight, 1), shortInflight)
	if s.Jobs > 0 {
		s.Jobs = min(s.Jobs, shortJobs)
	}
	s.Warmup = 0
	s.FillQueue = false
	s.byRequest = true
	s.Duration = min(s.Duration, shortDuration)
	for i := range s.Shape {
		s.Shape[i].For /= shortShape
	}
	if s.SlowReaders > 0 {
		s.SlowReadDelay = min(s.withDefaults().SlowReadDelay, shortSlowRead)
	}
	for i, j := range s.Workload {
		switch {
		case j.Op.IsImage():
			s.Workload[i].Images = TinyImages
		case j.Op == core.OpSpin || j.Op == core.OpSleep:
			s.Workload[i].Arg1 = min(j.Arg1, shortWorkUS)
		}
	}
	return s
}

// Scale returns s with its lengths (warm-up, duration, shape, jobs)
// multiplied by f: more samples per run, at the price of time.
func Scale(s Scenario, f float64) Scenario {
	if f <= 0 || f == 1 {
		return s
	}
	s = s.clone()
	mul := func(d time.Duration) time.Duration { return time.Duration(float64(d) * f) }
	s.Warmup, s.Duration = mul(s.Warmup), mul(s.Duration)
	for i := range s.Shape {
		s.Shape[i].For = mul(s.Shape[i].For)
	}
	if s.Jobs > 0 {
		s.Jobs = max(int(float64(s.Jobs)*f+0.5), 1)
	}
	return s
}

package harness

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"sync"
	"time"

	"github.com/tcpimg/tcpimg/harness/loadclient"
	"github.com/tcpimg/tcpimg/internal/tlsconf"
)

// ErrNoCapacity is returned for a scenario whose rate is a fraction of a
// capacity that is not known (zero).
var ErrNoCapacity = errors.New("scenario needs the target's capacity")

// DefaultDrainTimeout bounds how long a run waits, after its last request,
// for the answers still owed; what is not answered by then is Lost.
const DefaultDrainTimeout = 30 * time.Second

// Generator drives a scenario's load against one server over the wire
// protocol. It knows nothing of the server: in-process runs ([Runner]) and
// cmd/loadgen both use it.
type Generator struct {
	// Dial opens one connection to the target.
	Dial func(ctx context.Context) (net.Conn, error)
	// Images supplies the payloads of image operations; it may be nil
	// when no job of the workload is an image operation.
	Images *Library
	// DrainTimeout bounds the wait for answers after the last request;
	// 0 means DefaultDrainTimeout.
	DrainTimeout time.Duration
	// QueueSize is the target's job queue, when known, for scenarios that
	// fill it before measuring ([Scenario.FillQueue]); 0 means unknown,
	// and their warm-up is then left as it is.
	QueueSize int
}

// fillWarmup returns the warm-up of s at rate against a target of the
// given capacity: stretched, for FillQueue, to twice the time the queue
// takes to fill at the excess rate.
func (g *Generator) fillWarmup(s Scenario, rate, capacity float64) time.Duration {
	if !s.FillQueue || len(s.Shape) > 0 || g.QueueSize <= 0 || capacity <= 0 || rate <= capacity {
		return s.Warmup
	}
	fill := time.Duration(float64(g.QueueSize) / (rate - capacity) * float64(time.Second))
	return max(s.Warmup, 2*fill)
}

// steadyBins is how many slices a run's measured period is counted in, for
// the steady-state check (its two halves) and the time series.
const steadyBins = 20

// DialTCP returns a Dial func for a "host:port" address.
func DialTCP(addr string) func(ctx context.Context) (net.Conn, error) { return DialTLS(addr, nil) }

// DialTLS returns a Dial func for a "host:port" address that completes a
// TLS handshake with cfg before it returns (a nil cfg is plain TCP), so
// that the handshake is not counted in the first request's latency.
func DialTLS(addr string, cfg *tls.Config) func(ctx context.Context) (net.Conn, error) {
	return func(ctx context.Context) (net.Conn, error) { return tlsconf.Dial(ctx, addr, cfg) }
}

// Run runs s once and returns what it measured. capacity is the target's
// capacity in requests a second, used when s.RateOfCapacity is set. Run
// returns an error when the load could not be started (a bad scenario, a
// failed dial), or ctx's error with what was measured until ctx ended; what
// the server gets wrong (lost or duplicate answers) is in the returned Metrics.
func (g *Generator) Run(ctx context.Context, s Scenario, capacity float64) (*Metrics, error) {
	if err := s.Validate(); err != nil {
		return nil, err
	}
	s = s.withDefaults()
	m := &Metrics{Scenario: s.Name, Loop: s.Loop}
	rate := s.Rate
	if s.Loop == OpenLoop && s.RateOfCapacity > 0 {
		if capacity <= 0 {
			return nil, fmt.Errorf("%w: %s runs at %.0f%% of it", ErrNoCapacity, s.Name, 100*s.RateOfCapacity)
		}
		rate = s.RateOfCapacity * capacity
		m.Capacity = capacity
	}
	s.Warmup = g.fillWarmup(s, rate, capacity)
	seq, err := newSequence(s.Workload, g.Images)
	if err != nil {
		return nil, err
	}
	t := loadclient.NewTally()
	conns, err := g.dialAll(ctx, s, seq, t)
	if err != nil {
		return nil, err
	}
	drain := g.DrainTimeout
	if drain <= 0 {
		drain = DefaultDrainTimeout
	}

	var receivers sync.WaitGroup
	for _, c := range conns {
		receivers.Go(func() { c.Receive(c.trace.handler()) })
	}
	// Closing every connection when ctx ends unblocks whatever waits on one.
	stopClose := context.AfterFunc(ctx, func() {
		for _, c := range conns {
			c.Close()
		}
	})
	if s.Loop == ClosedLoop {
		runClosed(s, conns, t, drain, m)
	} else {
		runOpen(ctx, s, scheduleOf(s, rate), conns, t, drain, m)
	}
	receivers.Wait()
	stopClose()
	for _, c := range conns {
		c.CountLost()
	}
	counts := t.Counts()
	m.fill(&counts)
	if s.steady() && m.Window.Set() {
		m.Steady = CheckSteady(&m.Window)
	}
	if s.CountsJobs() {
		m.Scheduled = m.Sent
		if counts.LastAnswer.After(m.Start) {
			m.Elapsed = counts.LastAnswer.Sub(m.Start)
		}
	}
	if s.Loop == ClosedLoop && !s.CountsJobs() {
		m.Scheduled = m.Sent
	}
	if s.Model != nil {
		m.Model = fitModel(s, m, traces(conns))
	}
	return m, ctx.Err()
}

// dialAll opens every connection of s before the clock starts, so that
// connecting is not part of the measurement.
func (g *Generator) dialAll(ctx context.Context, s Scenario, seq sequence, t *loadclient.Tally) ([]*loadConn, error) {
	slowClients := s.SlowClients()
	conns := make([]*loadConn, 0, s.Conns())
	for client := range s.Clients {
		slow := time.Duration(0)
		if client < slowClients {
			slow = s.SlowReadDelay
		}
		for range s.ConnsPerClient {
			nc, err := g.Dial(ctx)
			if err != nil {
				for _, c := range conns {
					c.Close()
				}
				return nil, fmt.Errorf("dial: %w", err)
			}
			offset := len(conns) * len(seq) / max(s.Conns(), 1)
			c := newLoadConn(nc, t, seq, offset, s.Inflight, slow)
			c.draw = newDraw(s.Seed, uint64(len(conns)))
			if s.Model != nil {
				c.trace = &connTrace{}
			}
			conns = append(conns, c)
		}
	}
	return conns, nil
}

// traces returns the connections' traces.
func traces(conns []*loadConn) []*connTrace {
	out := make([]*connTrace, len(conns))
	for i, c := range conns {
		out[i] = c.trace
	}
	return out
}

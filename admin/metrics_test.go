package admin

import (
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tcpimg/tcpimg/core"
	"github.com/tcpimg/tcpimg/strategies"
)

// fixedAdmitter admits everything; it gives the server an admission limit
// whose gauges a scrape holds.
type fixedAdmitter struct{}

func (fixedAdmitter) Acquire() (core.Ticket, bool)     { return core.Ticket{}, true }
func (fixedAdmitter) Release(core.Ticket, core.Sample) {}
func (fixedAdmitter) Stats() core.AdmitStats           { return core.AdmitStats{Limit: 1} }

// TestCollectorSendsWhatItDescribes: every metric described is collected,
// so the help texts cannot drift from what a scrape holds.
func TestCollectorSendsWhatItDescribes(t *testing.T) {
	admit, err := strategies.NewAdmitter("aimd", strategies.PoolConfig{Workers: 1, QueueSize: 1})
	require.NoError(t, err)
	// demand-lifo's queue reports its overload state, so every gauge has
	// a value.
	pool, err := strategies.NewPool("demand-lifo", strategies.PoolConfig{Workers: 1, QueueSize: 1})
	require.NoError(t, err)
	srv, err := core.NewServer(core.Config{Pool: pool, Admit: admit})
	require.NoError(t, err)
	defer srv.Close()
	c := newCollector(srv)
	reg := prometheus.NewPedanticRegistry()
	require.NoError(t, reg.Register(c))
	families, err := reg.Gather()
	require.NoError(t, err)
	assert.Len(t, families, len(metricHelp))
	for _, f := range families {
		assert.Len(t, f.GetMetric(), 1, f.GetName())
	}
}

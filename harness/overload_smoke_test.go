package harness_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tcpimg/tcpimg/core"
	"github.com/tcpimg/tcpimg/harness"
	"github.com/tcpimg/tcpimg/strategies"
)

// TestOverloadSmoke runs each kind of overload scenario shortened, against
// the default pool, and one against the default pool behind an admission
// limit: every code path of the family (timeouts, deadlines sent, retries
// at once and with backoff and a budget, recovery, POOL+ADMIT), without
// the family's whole matrix, which BenchmarkOverload runs.
func TestOverloadSmoke(t *testing.T) {
	const smokeCapacity = 200 // as TestMatrixSmoke's
	runner := &harness.Runner{Server: harness.MatrixServer(), Short: true}
	runner.SetCapacity(strategies.DefaultPool, smokeCapacity)
	cells := []harness.Cell{}
	for _, name := range []string{"overload-deadline-q256", "overload-deadline-sent-q256", "retry-storm-q256", "retry-storm-backoff-q64"} {
		s, err := harness.Lookup(name)
		require.NoError(t, err)
		cells = append(cells, harness.Cell{Scenario: s, Strategy: strategies.DefaultPool})
	}
	s, err := harness.Lookup("overload-deadline-q64")
	require.NoError(t, err)
	cells = append(cells, harness.Cell{Scenario: s, Strategy: "chan-pool+aimd"})
	for _, cell := range cells {
		t.Run(cell.Name(), func(t *testing.T) {
			r, err := runner.Run(t.Context(), cell.Scenario, cell.Strategy)
			require.NoError(t, err)

			assertSound(t, r)
			assert.Equal(t, cell.Scenario.Timeout, r.Timeout)
			assert.LessOrEqual(t, r.Window.InTime, r.Window.Status[core.StatusOK], "answers in time are OK answers")
			assert.LessOrEqual(t, r.Window.Wasted(), 1.0)
			assert.Equal(t, cell.Scenario.Server.QueueSize, r.ServerConfig.QueueSize, "the scenario's queue")
			if cell.Strategy == "chan-pool+aimd" {
				assert.Equal(t, "aimd", r.ServerConfig.Admit)
			}
			if cell.Scenario.RecoveryWindow > 0 {
				require.NotNil(t, r.Recovery)
				assert.GreaterOrEqual(t, r.Recovery.Seconds, 0.0)
			}
			units := map[string]bool{}
			for _, f := range r.Figures() {
				units[f.Unit] = true
			}
			for _, u := range []string{"goodput-in-time/s", "timeouts/op", "wasted-work", "retries/op"} {
				assert.True(t, units[u], "figure %s", u)
			}
			// A FIFO queue of 256 at twice the capacity may answer nothing in
			// time, and the service time is that of the answers in time.
			assert.Equal(t, r.Service.Count() > 0, units["service-p99-ns"], "service-p99-ns")
			if cell.Strategy == "chan-pool+aimd" {
				assert.True(t, units["service-p99-ns"], "an admission limit answers some jobs in time")
			}
			assert.Equal(t, cell.Scenario.RecoveryWindow > 0, units["recovery-s"], "recovery-s")
		})
	}
}

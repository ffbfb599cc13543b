package harness_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tcpimg/tcpimg/core"
	"github.com/tcpimg/tcpimg/harness"
)

// TestMatrixSmoke runs every scenario against every strategy, shortened
// whether or not -short is given: CI runs `go test -race ./...` without it,
// and the whole matrix must still fit there in seconds. What it checks holds
// for any strategy on any machine: every request answered exactly once, no
// goroutine left behind, and numbers that make sense.
func TestMatrixSmoke(t *testing.T) {
	runner := &harness.Runner{Server: harness.MatrixServer(), Short: true}
	for _, cell := range harness.Matrix(0) {
		t.Run(cell.Name(), func(t *testing.T) {
			r, err := runner.Run(t.Context(), cell.Scenario, cell.Strategy)
			require.NoError(t, err)

			assert.Zero(t, r.Lost, "lost")
			assert.Zero(t, r.Unexpected, "unexpected answers")
			assert.Zero(t, r.Leaked, "goroutines left after Shutdown")
			assert.Positive(t, r.Goodput(), "goodput")
			assert.Positive(t, r.Offered(), "offered rate")
			assert.LessOrEqual(t, r.Latency.Quantile(0.50), r.Latency.Quantile(0.99), "p50 <= p99")
			assert.Positive(t, r.PeakGoroutines)
			assert.Positive(t, r.PeakHeap)
			assert.NotEmpty(t, r.Series)
			assert.Equal(t, r.Sent+r.Unsent, r.Scheduled, "every request due was sent or counted unsent")
			assert.Equal(t, r.Server.Accepted, r.Server.Completed+r.Server.Failed+r.Server.TimedOut+r.Server.Shed+r.Server.Dropped,
				"server: every accepted job finished")
			assert.Zero(t, r.Status[core.StatusBadRequest]+r.Status[core.StatusInternal], "the workload is valid")
		})
	}
}

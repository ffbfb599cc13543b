package harness_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tcpimg/tcpimg/harness"
	"github.com/tcpimg/tcpimg/strategies"
)

func TestRunnerCapacity(t *testing.T) {
	tests := []struct {
		name        string
		perStrategy bool
		want        float64
	}{
		{"every strategy at the default's", false, 400},
		{"each at its own", true, 100},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &harness.Runner{Server: harness.MatrixServer(), Short: true, PerStrategyCapacity: tt.perStrategy}
			r.SetCapacity(strategies.DefaultPool, 400)
			r.SetCapacity("unbounded", 100)
			s, err := harness.Lookup("open-50")
			require.NoError(t, err)
			res, err := r.Run(t.Context(), s, "unbounded")
			require.NoError(t, err)
			assert.Equal(t, tt.want, res.Capacity)
			assert.InDelta(t, tt.want/2, res.Offered(), tt.want/20, "open-50 offers half of it")
		})
	}
}

func TestRunnerUnknownStrategy(t *testing.T) {
	r := &harness.Runner{Server: harness.MatrixServer(), Short: true}
	s, err := harness.Lookup("saturate")
	require.NoError(t, err)
	_, err = r.Run(t.Context(), s, "nope")
	assert.ErrorIs(t, err, strategies.ErrUnknownStrategy)
}

package harness_test

import (
	"crypto/tls"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tcpimg/tcpimg/core"
	"github.com/tcpimg/tcpimg/harness"
	"github.com/tcpimg/tcpimg/internal/testcert"
	"github.com/tcpimg/tcpimg/internal/tlsconf"
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

// TestRunnerFreshCapacity checks that FreshCapacity measures the capacity
// once more before every open loop scaled by it, against the default
// strategy whatever the strategy under test, and never a given one.
func TestRunnerFreshCapacity(t *testing.T) {
	open, err := harness.Lookup("open-50")
	require.NoError(t, err)
	closed, err := harness.Lookup("cpu-bound")
	require.NoError(t, err)

	r := &harness.Runner{Server: harness.MatrixServer(), Short: true, FreshCapacity: true}
	_, err = r.Run(t.Context(), open, "mutex-queue")
	require.NoError(t, err)
	assert.Len(t, r.CalibrationHistory(strategies.DefaultPool), harness.CalibrationRuns, "the first open loop: one fresh run and the rest of the first median")
	_, err = r.Run(t.Context(), closed, "mutex-queue")
	require.NoError(t, err)
	assert.Len(t, r.CalibrationHistory(strategies.DefaultPool), harness.CalibrationRuns, "a closed loop needs no capacity")
	res, err := r.Run(t.Context(), open, "mutex-queue")
	require.NoError(t, err)
	history := r.CalibrationHistory(strategies.DefaultPool)
	require.Len(t, history, harness.CalibrationRuns+1, "each later open loop: one fresh run")
	assert.Empty(t, r.CalibrationHistory("mutex-queue"))
	latest := slices.Clone(history[1:])
	slices.Sort(latest)
	assert.Equal(t, latest[len(latest)/2], res.Capacity, "the median of the latest runs")

	given := &harness.Runner{Server: harness.MatrixServer(), Short: true, FreshCapacity: true}
	given.SetCapacity(strategies.DefaultPool, 300)
	res, err = given.Run(t.Context(), open, "mutex-queue")
	require.NoError(t, err)
	assert.Equal(t, 300.0, res.Capacity)
	assert.Empty(t, given.CalibrationHistory(strategies.DefaultPool), "a given capacity is not measured")
}

func TestRunnerUnknownStrategy(t *testing.T) {
	r := &harness.Runner{Server: harness.MatrixServer(), Short: true}
	s, err := harness.Lookup("saturate")
	require.NoError(t, err)
	_, err = r.Run(t.Context(), s, "nope")
	assert.ErrorIs(t, err, strategies.ErrUnknownStrategy)
}

// TestRunnerOverTLS runs a short scenario with the server and the load
// connections on TLS: every request is answered, none lost, no handshake
// refused; a client that does not trust the server's CA cannot start.
func TestRunnerOverTLS(t *testing.T) {
	ca := testcert.NewCA(t, "test CA")
	server := tlsconf.ServerConfig([]tls.Certificate{ca.Server(t)}, ca.Pool())
	client := tlsconf.ClientConfig(ca.Pool(), []tls.Certificate{ca.Client(t, "loadgen")}, testcert.ServerName)
	stranger := tlsconf.ClientConfig(testcert.NewCA(t, "another CA").Pool(), nil, testcert.ServerName)
	s, err := harness.Lookup("saturate")
	require.NoError(t, err)
	tests := []struct {
		name    string
		give    *harness.TLS
		wantErr string
	}{
		{"mutual TLS", &harness.TLS{Server: server, Client: client}, ""},
		{"client distrusts the server", &harness.TLS{Server: server, Client: stranger}, "certificate"},
		{"half a set-up", &harness.TLS{Server: server}, "both"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &harness.Runner{Server: harness.MatrixServer(), Short: true, TLS: tt.give}
			res, err := r.Run(t.Context(), s, strategies.DefaultPool)
			if tt.wantErr != "" {
				assert.ErrorContains(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.True(t, res.TLS)
			assert.Positive(t, res.Status[core.StatusOK])
			assert.Zero(t, res.Lost)
			assert.Zero(t, res.Server.HandshakesFailed+res.Server.CertsRefused)
			assert.Equal(t, uint64(harness.Short(s).Conns()), res.Server.Conns, "one handshake per connection")
		})
	}
}

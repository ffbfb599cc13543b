package strategies_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tcpimg/tcpimg/core"
	"github.com/tcpimg/tcpimg/strategies"
)

func TestSpecValidate(t *testing.T) {
	tests := []struct {
		name      string
		give      strategies.Spec
		wantErr   error  // a sentinel, or nil
		wantField string // a ConfigError's field, or ""
	}{
		{"zero", strategies.Spec{}, nil, ""},
		{"default", strategies.DefaultSpec(), nil, ""},
		{"unknown pool", strategies.Spec{Pool: "nope"}, strategies.ErrUnknownStrategy, ""},
		{"unknown limiter", strategies.Spec{Limiter: "nope"}, strategies.ErrUnknownStrategy, ""},
		{"unknown admit", strategies.Spec{Admit: "nope"}, strategies.ErrUnknownStrategy, ""},
		{"negative workers", strategies.Spec{PoolConfig: strategies.PoolConfig{Workers: -1}}, nil, "Workers"},
		{"too many workers", strategies.Spec{PoolConfig: strategies.PoolConfig{Workers: strategies.MaxWorkers + 1}}, nil, "Workers"},
		{"negative queue", strategies.Spec{PoolConfig: strategies.PoolConfig{QueueSize: -1}}, nil, "QueueSize"},
		{"huge queue", strategies.Spec{PoolConfig: strategies.PoolConfig{QueueSize: strategies.MaxQueueSize + 1}}, nil, "QueueSize"},
		{"codel times", strategies.Spec{Pool: "codel", PoolConfig: strategies.PoolConfig{CodelTarget: time.Millisecond, CodelInterval: 10 * time.Millisecond}}, nil, ""},
		{"negative codel target", strategies.Spec{PoolConfig: strategies.PoolConfig{CodelTarget: -time.Millisecond}}, nil, "CodelTarget"},
		{"negative codel interval", strategies.Spec{PoolConfig: strategies.PoolConfig{CodelInterval: -time.Millisecond}}, nil, "CodelInterval"},
		{"codel target past the default interval", strategies.Spec{PoolConfig: strategies.PoolConfig{CodelTarget: time.Second}}, nil, "CodelTarget"},
		{"codel target equal to interval", strategies.Spec{PoolConfig: strategies.PoolConfig{CodelTarget: time.Second, CodelInterval: time.Second}}, nil, "CodelTarget"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.give.Validate()
			switch {
			case tt.wantErr != nil:
				assert.ErrorIs(t, err, tt.wantErr)
			case tt.wantField != "":
				var ce *core.ConfigError
				require.True(t, errors.As(err, &ce), "want a *core.ConfigError, got %v", err)
				assert.Equal(t, tt.wantField, ce.Field)
			default:
				assert.NoError(t, err)
			}
		})
	}
}

// TestSpecApplyRefusesAssembledConfig checks that a Spec never silently
// replaces a pool or limiter the caller already put in the config.
func TestSpecApplyRefusesAssembledConfig(t *testing.T) {
	pool := core.NewWorkerPool(1, core.NewChanQueue(0))
	defer pool.Shutdown(context.Background())
	admit, err := strategies.NewAdmitter("aimd", strategies.PoolConfig{Workers: 1})
	require.NoError(t, err)
	tests := []struct {
		name string
		give core.Config
	}{
		{"pool", core.Config{Pool: pool}},
		{"limiter", core.Config{NewLimiter: func(n int) core.Limiter { return core.NewChanLimiter(n) }}},
		{"admitter", core.Config{Admit: admit}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := strategies.DefaultSpec().Apply(tt.give)
			assert.ErrorIs(t, err, strategies.ErrAssembled)
		})
	}
}

// TestNewServer checks the one assembly path: a valid Spec gives a
// working server of the named pool, an invalid one an error and nothing to
// close.
func TestNewServer(t *testing.T) {
	for _, name := range strategies.PoolNames() {
		t.Run("pool="+name, func(t *testing.T) {
			spec := strategies.Spec{Pool: name, PoolConfig: strategies.PoolConfig{Workers: 2, QueueSize: 4}}
			srv, err := strategies.NewServer(spec, core.Config{Logger: slog.New(slog.DiscardHandler)})
			require.NoError(t, err)
			require.NoError(t, srv.Shutdown(context.Background()))
		})
	}
	_, err := strategies.NewServer(strategies.Spec{Pool: "nope"}, core.Config{})
	assert.ErrorIs(t, err, strategies.ErrUnknownStrategy)
	_, err = strategies.NewServer(strategies.Spec{}, core.Config{Limits: core.Limits{MaxMemory: -1}})
	var ce *core.ConfigError
	assert.ErrorAs(t, err, &ce)
}

// TestDefaultSpecIsTheServerDefault checks that DefaultSpec builds what a
// core.Config without a pool builds.
func TestDefaultSpecIsTheServerDefault(t *testing.T) {
	d := strategies.DefaultSpec()
	assert.Equal(t, strategies.DefaultPool, d.Pool)
	assert.Equal(t, strategies.DefaultLimiter, d.Limiter)
	assert.Equal(t, strategies.DefaultAdmit, d.Admit)
	assert.Equal(t, core.DefaultQueueSize, d.QueueSize)
	assert.Zero(t, d.Workers, "0 workers: GOMAXPROCS, as the server's default pool")
	assert.Equal(t, fmt.Sprintf("pool=chan-pool workers=%d queue=256 limiter=chan-sem admit=none", runtime.GOMAXPROCS(0)), d.String())
}

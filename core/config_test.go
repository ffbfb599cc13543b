package core_test

import (
	"context"
	"crypto/tls"
	"errors"
	"log/slog"
	"net"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tcpimg/tcpimg/core"
)

// TestNewServerRefusesInvalidConfig checks that a setting no server can
// run with is an error from the constructor naming the setting, never a
// panic at the first accept or a silent clamp, and that the server then
// owns nothing: the pool it was given has been shut down.
func TestNewServerRefusesInvalidConfig(t *testing.T) {
	tests := []struct {
		name      string
		give      core.Config
		wantField string
	}{
		{"negative max-memory", core.Config{Limits: core.Limits{MaxMemory: -1}}, "Limits.MaxMemory"},
		{"negative max-inflight", core.Config{Limits: core.Limits{MaxInflight: -1}}, "Limits.MaxInflight"},
		{"huge max-inflight", core.Config{Limits: core.Limits{MaxInflight: core.MaxInflightLimit + 1}}, "Limits.MaxInflight"},
		{"negative max-conns", core.Config{Limits: core.Limits{MaxConns: -1}}, "Limits.MaxConns"},
		{"negative max-pixels", core.Config{Limits: core.Limits{MaxPixels: -1}}, "Limits.MaxPixels"},
		{"negative frame timeout", core.Config{Limits: core.Limits{FrameTimeout: -time.Second}}, "Limits.FrameTimeout"},
		{"negative idle timeout", core.Config{Limits: core.Limits{IdleTimeout: -time.Second}}, "Limits.IdleTimeout"},
		{"negative write timeout", core.Config{Limits: core.Limits{WriteTimeout: -time.Second}}, "Limits.WriteTimeout"},
		{"negative handshake timeout", core.Config{Limits: core.Limits{HandshakeTimeout: -time.Second}}, "Limits.HandshakeTimeout"},
		{"unknown admission", core.Config{Admission: core.Admission(7)}, "Admission"},
		{"TLS without a certificate", core.Config{TLS: &tls.Config{}}, "TLS"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pool := chanPool(1, 1)
			tt.give.Pool = pool
			srv, err := core.NewServer(tt.give)
			require.Error(t, err)
			assert.Nil(t, srv)
			var ce *core.ConfigError
			require.True(t, errors.As(err, &ce), "want a *ConfigError, got %v", err)
			assert.Equal(t, tt.wantField, ce.Field)
			assert.Contains(t, err.Error(), tt.wantField)
			assert.ErrorIs(t, pool.TrySubmit(core.TaskFunc(func() {})), core.ErrClosed, "the refused config's pool must be shut down")
		})
	}
}

// TestZeroConfigTakesDefaults checks the documented zero value: protocol
// defaults, GOMAXPROCS workers over a queue of DefaultQueueSize.
func TestZeroConfigTakesDefaults(t *testing.T) {
	require.NoError(t, core.Config{}.Validate())
	srv, err := core.NewServer(core.Config{Logger: slog.New(slog.DiscardHandler)})
	require.NoError(t, err)
	defer srv.Close()
	ps, ok := srv.PoolStats()
	require.True(t, ok)
	assert.Positive(t, ps.Workers)
	assert.Zero(t, ps.Queued)
}

// TestNewLimiterGetsMaxConns checks that the connection limit is always
// Limits.MaxConns, whichever limiter enforces it.
func TestNewLimiterGetsMaxConns(t *testing.T) {
	tests := []struct {
		name string
		give int
		want int
	}{
		{"default", 0, core.DefaultMaxConns},
		{"explicit", 3, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := -1
			srv, err := core.NewServer(core.Config{
				Limits: core.Limits{MaxConns: tt.give},
				NewLimiter: func(n int) core.Limiter {
					got = n
					return core.NewChanLimiter(n)
				},
				Logger: slog.New(slog.DiscardHandler),
			})
			require.NoError(t, err)
			srv.Close()
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestListenAndServe(t *testing.T) {
	srv, err := core.NewServer(core.Config{Logger: slog.New(slog.DiscardHandler)})
	require.NoError(t, err)
	defer srv.Close()
	var ae *net.AddrError
	assert.ErrorAs(t, srv.ListenAndServe("no-port"), &ae)

	served := make(chan error, 1)
	go func() { served <- srv.ListenAndServe("127.0.0.1:0") }()
	require.NoError(t, srv.Shutdown(context.Background()))
	assert.ErrorIs(t, <-served, core.ErrServerClosed)
}

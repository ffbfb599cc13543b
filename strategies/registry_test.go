package strategies_test

import (
	"context"
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tcpimg/tcpimg/core"
	"github.com/tcpimg/tcpimg/strategies"
	"github.com/tcpimg/tcpimg/strategies/strategytest"
)

// TestPoolConformance runs the conformance suite over every registered
// pool, so a strategy is tested as soon as it is listed.
func TestPoolConformance(t *testing.T) {
	for _, e := range strategies.Pools() {
		t.Run(e.Name, func(t *testing.T) {
			strategytest.TestPool(t, func(workers, queue int) core.Pool {
				return e.New(strategies.PoolConfig{Workers: workers, QueueSize: queue})
			}, e.Bounded)
		})
	}
}

// TestLimiterConformance runs the conformance suite over every registered
// limiter.
func TestLimiterConformance(t *testing.T) {
	for _, e := range strategies.Limiters() {
		t.Run(e.Name, func(t *testing.T) {
			strategytest.TestLimiter(t, e.New, e.Bounded)
		})
	}
}

// TestAdmitConformance runs the conformance suite over every registered
// admission limit, sized for 2 workers and a queue of 6: limits 2..8.
func TestAdmitConformance(t *testing.T) {
	cfg := strategies.PoolConfig{Workers: 2, QueueSize: 6}
	for _, e := range strategies.Admitters() {
		t.Run(e.Name, func(t *testing.T) {
			if !e.Adaptive {
				assert.Nil(t, e.New(cfg), "a non-limiting entry builds no admitter")
				t.Skip("no admission limit by design")
			}
			strategytest.TestAdmitter(t, func() core.Admitter { return e.New(cfg) }, 2, 8)
		})
	}
}

func TestNames(t *testing.T) {
	tests := []struct {
		name string
		give []string
		want []string
	}{
		{"pools", strategies.PoolNames(), []string{"adaptive-lifo", "ants", "chan-pool", "codel", "codel-lifo", "demand-lifo", "mutex-queue", "pond", "unbounded"}},
		{"limiters", strategies.LimiterNames(), []string{"chan-sem", "none", "weighted"}},
		{"admitters", strategies.AdmitNames(), []string{"aimd", "failsafe", "gradient", "none"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, tt.give)
			assert.True(t, slices.IsSorted(tt.give))
		})
	}
}

func TestDefaultsAreRegistered(t *testing.T) {
	assert.Contains(t, strategies.PoolNames(), strategies.DefaultPool)
	assert.Contains(t, strategies.LimiterNames(), strategies.DefaultLimiter)
	assert.Contains(t, strategies.AdmitNames(), strategies.DefaultAdmit)
}

func TestEntriesAreDescribed(t *testing.T) {
	for _, e := range strategies.Pools() {
		assert.NotEmpty(t, e.Description, e.Name)
	}
	for _, e := range strategies.Limiters() {
		assert.NotEmpty(t, e.Description, e.Name)
	}
}

func TestUnknownName(t *testing.T) {
	tests := []struct {
		name      string
		give      func() error
		wantNames []string
	}{
		{
			name:      "pool",
			give:      func() error { _, err := strategies.NewPool("fifo", strategies.PoolConfig{}); return err },
			wantNames: strategies.PoolNames(),
		},
		{
			name:      "limiter",
			give:      func() error { _, err := strategies.NewLimiter("fifo", 1); return err },
			wantNames: strategies.LimiterNames(),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.give()
			require.ErrorIs(t, err, strategies.ErrUnknownStrategy)
			assert.Contains(t, err.Error(), `"fifo"`)
			for _, n := range tt.wantNames {
				assert.Contains(t, err.Error(), n)
			}
		})
	}
}

// wantQueue is how many tasks the strategy called name queues when asked
// for n: all of them, except in ants, which has no task queue.
func wantQueue(name string, n int) int {
	if name == "ants" {
		return 0
	}
	return n
}

// TestPoolConfig checks that every constructor honours Workers and
// QueueSize, zero values included: Workers tasks start at once and then
// QueueSize more are queued before the pool refuses. (That no more than
// Workers run at once is the conformance suite's bound check.)
func TestPoolConfig(t *testing.T) {
	tests := []struct {
		name        string
		give        strategies.PoolConfig
		wantWorkers int
		wantQueue   int
	}{
		{"explicit", strategies.PoolConfig{Workers: 3, QueueSize: 5}, 3, 5},
		{"no queue", strategies.PoolConfig{Workers: 2}, 2, 0},
		{"default workers", strategies.PoolConfig{QueueSize: 1}, runtime.GOMAXPROCS(0), 1},
	}
	for _, e := range strategies.Pools() {
		if !e.Bounded {
			continue
		}
		for _, tt := range tests {
			t.Run(e.Name+"/"+tt.name, func(t *testing.T) {
				p, err := strategies.NewPool(e.Name, tt.give)
				require.NoError(t, err)
				assert.Equal(t, wantQueue(e.Name, tt.wantQueue), capacity(t, p, tt.wantWorkers), "tasks queued")
			})
		}
	}
}

func TestNewLimiter(t *testing.T) {
	for _, name := range strategies.LimiterNames() {
		t.Run(name, func(t *testing.T) {
			l, err := strategies.NewLimiter(name, 2)
			require.NoError(t, err)
			require.True(t, l.TryAcquire())
			require.True(t, l.TryAcquire())
			e := strategies.Limiters()[slices.Index(strategies.LimiterNames(), name)]
			assert.Equal(t, !e.Bounded, l.TryAcquire(), "a third slot of two")
		})
	}
}

// hold is a task that signals it started and waits until released.
type hold struct {
	started chan struct{}
	release chan struct{}
}

func (h *hold) Run() {
	h.started <- struct{}{}
	<-h.release
}

// capacity occupies workers workers of p with blocked tasks, requiring each
// to start (so p has at least that many), then queues tasks until p refuses
// and returns how many it queued. It then releases them and shuts p down.
func capacity(t *testing.T, p core.Pool, workers int) (queued int) {
	t.Helper()
	h := &hold{started: make(chan struct{}, 1024), release: make(chan struct{})}
	defer func() {
		close(h.release)
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		require.NoError(t, p.Shutdown(ctx))
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for range workers {
		require.NoError(t, p.Submit(ctx, h))
	}
	for range workers {
		select {
		case <-h.started:
		case <-ctx.Done():
			t.Fatalf("fewer than %d tasks started", workers)
		}
	}
	for {
		err := p.TrySubmit(h)
		if err != nil {
			require.ErrorIs(t, err, core.ErrBusy)
			return queued
		}
		queued++
		require.Less(t, queued, 1024, "the pool never refused")
	}
}

// TestPoolsReportOverload checks which pools report an overload state in
// their stats: those whose queue sheds, and no other.
func TestPoolsReportOverload(t *testing.T) {
	reports := map[string]bool{"codel": true, "codel-lifo": true, "demand-lifo": true}
	for _, name := range strategies.PoolNames() {
		t.Run("pool="+name, func(t *testing.T) {
			p, err := strategies.NewPool(name, strategies.PoolConfig{Workers: 1, QueueSize: 4})
			require.NoError(t, err)
			defer func() { require.NoError(t, p.Shutdown(context.Background())) }()
			sp, ok := p.(core.StatsPool)
			if !ok {
				assert.False(t, reports[name], "a pool that sheds reports its stats")
				return
			}
			o := sp.Stats().Overload
			if !reports[name] {
				assert.Nil(t, o)
				return
			}
			require.NotNil(t, o)
			assert.False(t, o.Overloaded, "an idle pool is not overloaded")
			assert.Zero(t, o.Demand)
		})
	}
}

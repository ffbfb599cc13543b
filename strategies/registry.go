package strategies

import (
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/tcpimg/tcpimg/core"
	"github.com/tcpimg/tcpimg/strategies/antspool"
	"github.com/tcpimg/tcpimg/strategies/chanpool"
	"github.com/tcpimg/tcpimg/strategies/chansem"
	"github.com/tcpimg/tcpimg/strategies/codel"
	"github.com/tcpimg/tcpimg/strategies/mutexqueue"
	"github.com/tcpimg/tcpimg/strategies/nolimit"
	"github.com/tcpimg/tcpimg/strategies/pondpool"
	"github.com/tcpimg/tcpimg/strategies/unbounded"
	"github.com/tcpimg/tcpimg/strategies/weighted"
)

// The strategies the server uses when none is named: fixed workers over a
// buffered channel, and a buffered channel as a counting semaphore. They are
// the simplest bounded patterns in Go, the ones any Go engineer writes and
// reads at a glance, so they are the defaults, and chan-pool is the
// reference the benchmark matrix measures every other pool against.
const (
	DefaultPool    = "chan-pool"
	DefaultLimiter = "chan-sem"
)

// ErrUnknownStrategy is wrapped by the error for a name that is not
// registered; the message lists the valid names.
var ErrUnknownStrategy = errors.New("unknown strategy")

// Bounds of PoolConfig: the queue is allocated whole and every worker is a
// goroutine, so a larger value would exhaust memory instead of failing as a
// setting.
const (
	MaxWorkers   = 1 << 16
	MaxQueueSize = 1 << 24
)

// PoolConfig sizes a pool. Workers 0 means GOMAXPROCS workers. QueueSize is
// the number of tasks that may wait for a worker, taken literally in every
// layer: 0 means no queue, so a task is accepted only when a worker is free
// to take it (a hand-off). The server's usual depth is [core.DefaultQueueSize];
// [DefaultSpec] sets it.
//
// CodelTarget and CodelInterval tune the pools that manage their queue
// (codel, codel-lifo, demand-lifo; adaptive-lifo reads the interval only) and are
// ignored by the others.
type PoolConfig struct {
	Workers       int           // goroutines running tasks, 0..MaxWorkers; 0 means runtime.GOMAXPROCS(0)
	QueueSize     int           // tasks that may wait for a worker, 0..MaxQueueSize; 0 means none
	CodelTarget   time.Duration // queueing delay a standing queue stays above; 0 means codel.DefaultTarget
	CodelInterval time.Duration // how long it must stay above before shedding; 0 means codel.DefaultInterval
}

// Validate reports a setting out of range, as a *core.ConfigError.
func (c PoolConfig) Validate() error {
	resolved := c.withDefaults()
	switch {
	case c.Workers < 0 || c.Workers > MaxWorkers:
		return &core.ConfigError{Field: "Workers", Value: c.Workers, Want: fmt.Sprintf("0..%d (0 means GOMAXPROCS)", MaxWorkers)}
	case c.QueueSize < 0 || c.QueueSize > MaxQueueSize:
		return &core.ConfigError{Field: "QueueSize", Value: c.QueueSize, Want: fmt.Sprintf("0..%d (0 means no queue)", MaxQueueSize)}
	case c.CodelTarget < 0:
		return &core.ConfigError{Field: "CodelTarget", Value: c.CodelTarget, Want: "a positive duration (0 means the default)"}
	case c.CodelInterval < 0:
		return &core.ConfigError{Field: "CodelInterval", Value: c.CodelInterval, Want: "a positive duration (0 means the default)"}
	case resolved.CodelTarget >= resolved.CodelInterval:
		// A target as long as the interval could never be told from it:
		// most likely the two were swapped.
		return &core.ConfigError{Field: "CodelTarget", Value: resolved.CodelTarget, Want: fmt.Sprintf("less than the CoDel interval (%v)", resolved.CodelInterval)}
	}
	return nil
}

// withDefaults resolves the documented zero values.
func (c PoolConfig) withDefaults() PoolConfig {
	if c.Workers == 0 {
		c.Workers = runtime.GOMAXPROCS(0)
	}
	if c.CodelTarget == 0 {
		c.CodelTarget = codel.DefaultTarget
	}
	if c.CodelInterval == 0 {
		c.CodelInterval = codel.DefaultInterval
	}
	return c
}

// codelPool builds a pool of the codel package with c's settings (their
// defaults resolved by poolEntry) and the discipline d, whose Target and
// Interval it sets.
func codelPool(c PoolConfig, d codel.Config) core.Pool {
	d.Target, d.Interval = c.CodelTarget, c.CodelInterval
	return codel.New(c.Workers, c.QueueSize, d)
}

// PoolEntry is one registered pool strategy.
type PoolEntry struct {
	Name        string                     // stable kebab-case id, as given to -pool
	Description string                     // one line for -list
	Bounded     bool                       // whether the pool caps running tasks at Workers and refuses when full
	New         func(PoolConfig) core.Pool // resolves PoolConfig's zero values itself; the config must be valid
}

// LimiterEntry is one registered limiter strategy.
type LimiterEntry struct {
	Name        string // stable kebab-case id, as given to -limiter
	Description string // one line for -list
	Bounded     bool   // whether the limiter caps slots held at n
	New         func(n int) core.Limiter
}

var pools = sortedByName("pool", []PoolEntry{
	poolEntry("chan-pool", "fixed workers reading a buffered channel: the simplest bounded pool in Go, so the default and the one the others are measured against", true,
		func(c PoolConfig) core.Pool { return chanpool.New(c.Workers, c.QueueSize) }),
	poolEntry("mutex-queue", "fixed workers over a ring buffer guarded by sync.Mutex and sync.Cond", true,
		func(c PoolConfig) core.Pool { return mutexqueue.New(c.Workers, c.QueueSize) }),
	poolEntry("codel", "fixed workers over a CoDel queue: while a standing queue persists, jobs that waited over 2x target are answered BUSY unrun", true,
		func(c PoolConfig) core.Pool { return codelPool(c, codel.Config{Shed: true}) }),
	poolEntry("adaptive-lifo", "fixed workers over a queue served newest first while a standing queue persists, oldest first otherwise", true,
		func(c PoolConfig) core.Pool { return codelPool(c, codel.Config{AdaptiveLIFO: true}) }),
	poolEntry("codel-lifo", "codel and adaptive-lifo together: stale jobs shed, fresh ones served first (Facebook's Fail at Scale)", true,
		func(c PoolConfig) core.Pool { return codelPool(c, codel.Config{Shed: true, AdaptiveLIFO: true}) }),
	poolEntry("demand-lifo", "codel-lifo whose overload must also show in the demand: on while more work arrives than the workers can do, through the drains its shedding causes", true,
		func(c PoolConfig) core.Pool {
			return codelPool(c, codel.Config{Shed: true, AdaptiveLIFO: true, Demand: true})
		}),
	poolEntry("unbounded", "a goroutine per task, no queue, no limit (the baseline that never refuses)", false,
		func(PoolConfig) core.Pool { return unbounded.New() }),
	poolEntry("ants", "github.com/panjf2000/ants/v2 behind a cancellable admission semaphore; no queue, so QueueSize is ignored", true,
		func(c PoolConfig) core.Pool { return antspool.New(c.Workers) }),
	poolEntry("pond", "github.com/alitto/pond/v2 behind a cancellable admission semaphore", true,
		func(c PoolConfig) core.Pool { return pondpool.New(c.Workers, c.QueueSize) }),
}, func(e PoolEntry) string { return e.Name })

// poolEntry builds an entry whose New resolves the zero values of its
// PoolConfig first, however it is called.
func poolEntry(name, description string, bounded bool, build func(PoolConfig) core.Pool) PoolEntry {
	return PoolEntry{
		Name:        name,
		Description: description,
		Bounded:     bounded,
		New:         func(c PoolConfig) core.Pool { return build(c.withDefaults()) },
	}
}

var limiters = sortedByName("limiter", []LimiterEntry{
	{
		Name:        "chan-sem",
		Description: "a buffered channel as a counting semaphore: the simplest bounded limiter in Go, so the default",
		Bounded:     true,
		New:         func(n int) core.Limiter { return chansem.New(n) },
	},
	{
		Name:        "weighted",
		Description: "golang.org/x/sync/semaphore.Weighted, FIFO waiters",
		Bounded:     true,
		New:         func(n int) core.Limiter { return weighted.New(n) },
	},
	{
		Name:        "none",
		Description: "no limit: every connection is served at once",
		Bounded:     false,
		New:         func(n int) core.Limiter { return nolimit.New(n) },
	},
}, func(e LimiterEntry) string { return e.Name })

// sortedByName returns entries sorted by name, panicking on a duplicate or
// empty name: a registry mistake is a programming error, caught by the
// first test that loads the package.
func sortedByName[E any](kind string, entries []E, name func(E) string) []E {
	entries = slices.Clone(entries)
	slices.SortFunc(entries, func(a, b E) int { return strings.Compare(name(a), name(b)) })
	for i, e := range entries {
		if name(e) == "" {
			panic(fmt.Sprintf("strategies: %s entry %d has no name", kind, i))
		}
		if i > 0 && name(entries[i-1]) == name(e) {
			panic(fmt.Sprintf("strategies: duplicate %s name %q", kind, name(e)))
		}
	}
	return entries
}

// Pools returns the registered pool strategies, sorted by name. The slice is
// a copy.
func Pools() []PoolEntry { return slices.Clone(pools) }

// Limiters returns the registered limiter strategies, sorted by name. The
// slice is a copy.
func Limiters() []LimiterEntry { return slices.Clone(limiters) }

// PoolNames returns the registered pool names, sorted.
func PoolNames() []string { return names(pools, func(e PoolEntry) string { return e.Name }) }

// LimiterNames returns the registered limiter names, sorted.
func LimiterNames() []string { return names(limiters, func(e LimiterEntry) string { return e.Name }) }

func names[E any](entries []E, name func(E) string) []string {
	out := make([]string, len(entries))
	for i, e := range entries {
		out[i] = name(e)
	}
	return out
}

// NewPool builds the pool strategy called name, with cfg's zero values
// resolved as [PoolConfig] documents. An unknown name is an error wrapping
// [ErrUnknownStrategy] that lists the valid names; a size out of range is a
// *core.ConfigError.
func NewPool(name string, cfg PoolConfig) (core.Pool, error) {
	i := slices.IndexFunc(pools, func(e PoolEntry) bool { return e.Name == name })
	if i < 0 {
		return nil, unknown("pool", name, PoolNames())
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return pools[i].New(cfg), nil
}

// NewLimiter builds the limiter strategy called name with n slots. An
// unknown name is an error wrapping [ErrUnknownStrategy] that lists the
// valid names.
func NewLimiter(name string, n int) (core.Limiter, error) {
	i := slices.IndexFunc(limiters, func(e LimiterEntry) bool { return e.Name == name })
	if i < 0 {
		return nil, unknown("limiter", name, LimiterNames())
	}
	return limiters[i].New(n), nil
}

func unknown(kind, name string, valid []string) error {
	return fmt.Errorf("%w: %s %q (valid: %s)", ErrUnknownStrategy, kind, name, strings.Join(valid, ", "))
}

package strategies

import (
	"errors"
	"fmt"
	"slices"

	"github.com/tcpimg/tcpimg/core"
)

// Spec names the strategies a server runs and sizes its pool: what a
// command line, a benchmark or a test says about concurrency, turned into
// what [core.NewServer] needs by [Spec.Apply]. It is the one place where a
// server is assembled from the registry, so every layer gives each setting
// the same meaning.
type Spec struct {
	// Pool names the pool strategy; "" means DefaultPool.
	Pool string
	// Limiter names the connection limiter; "" means DefaultLimiter. It
	// gets core.Limits.MaxConns slots.
	Limiter string
	// Admit names the admission limit in front of the pool; "" means
	// DefaultAdmit (none). It is sized from PoolConfig.
	Admit string
	// PoolConfig sizes the pool, taken literally: QueueSize 0 is no queue.
	PoolConfig
}

// DefaultSpec is what a server runs when nothing is said: the default
// strategies, GOMAXPROCS workers and a queue of core.DefaultQueueSize. It
// builds the same server as a core.Config with no Pool.
func DefaultSpec() Spec {
	return Spec{Pool: DefaultPool, Limiter: DefaultLimiter, Admit: DefaultAdmit, PoolConfig: PoolConfig{QueueSize: core.DefaultQueueSize}}
}

// withDefaults resolves the empty names.
func (s Spec) withDefaults() Spec {
	if s.Pool == "" {
		s.Pool = DefaultPool
	}
	if s.Limiter == "" {
		s.Limiter = DefaultLimiter
	}
	if s.Admit == "" {
		s.Admit = DefaultAdmit
	}
	return s
}

// Validate reports an unknown strategy name (wrapping ErrUnknownStrategy)
// or a pool size out of range (a *core.ConfigError), without building
// anything.
func (s Spec) Validate() error {
	s = s.withDefaults()
	if !slices.Contains(PoolNames(), s.Pool) {
		return unknown("pool", s.Pool, PoolNames())
	}
	if !slices.Contains(LimiterNames(), s.Limiter) {
		return unknown("limiter", s.Limiter, LimiterNames())
	}
	if !slices.Contains(AdmitNames(), s.Admit) {
		return unknown("admit", s.Admit, AdmitNames())
	}
	return s.PoolConfig.Validate()
}

// ErrAssembled is returned by Apply for a core.Config that already has a
// Pool, a NewLimiter or an Admit: the Spec would silently replace them.
var ErrAssembled = errors.New("strategies: the config already has a pool, a limiter or an admitter")

// Apply returns cfg with the pool, the limiter and the admission limit s
// names, ready for core.NewServer, which then owns the pool. cfg must have
// no Pool, NewLimiter or Admit of its own (ErrAssembled), so that no
// setting is silently overridden.
func (s Spec) Apply(cfg core.Config) (core.Config, error) {
	if cfg.Pool != nil || cfg.NewLimiter != nil || cfg.Admit != nil {
		return cfg, ErrAssembled
	}
	s = s.withDefaults()
	if err := s.Validate(); err != nil {
		return cfg, err
	}
	limiter := limiters[slices.IndexFunc(limiters, func(e LimiterEntry) bool { return e.Name == s.Limiter })]
	admit, err := NewAdmitter(s.Admit, s.PoolConfig)
	if err != nil {
		return cfg, err
	}
	pool, err := NewPool(s.Pool, s.PoolConfig)
	if err != nil {
		return cfg, err
	}
	cfg.Pool = pool
	cfg.NewLimiter = limiter.New
	cfg.Admit = admit
	return cfg, nil
}

// NewServer assembles a server from s and the rest of cfg (limits,
// admission policy, logger): Apply, then core.NewServer. It is how every command,
// benchmark and test builds a server from the registry.
func NewServer(s Spec, cfg core.Config) (*core.Server, error) {
	cfg, err := s.Apply(cfg)
	if err != nil {
		return nil, err
	}
	srv, err := core.NewServer(cfg)
	if err != nil {
		return nil, err
	}
	return srv, nil
}

// String describes s in one line, for logs and result headers.
func (s Spec) String() string {
	s = s.withDefaults()
	return fmt.Sprintf("pool=%s workers=%d queue=%d limiter=%s admit=%s", s.Pool, s.PoolConfig.withDefaults().Workers, s.QueueSize, s.Limiter, s.Admit)
}

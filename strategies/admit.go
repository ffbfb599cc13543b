package strategies

import (
	"slices"

	"github.com/tcpimg/tcpimg/core"
	"github.com/tcpimg/tcpimg/strategies/adaptive"
	"github.com/tcpimg/tcpimg/strategies/failsafelimit"
)

// DefaultAdmit is the admission limit a server runs when none is named: no
// limit, so a server without one behaves exactly as before the seam
// existed.
const DefaultAdmit = "none"

// AdmitEntry is one registered admission limit: the adaptive concurrency
// limits that sit in front of any pool (core.Admitter). It is a registry of
// its own, apart from the pools (which run jobs) and the limiters (which
// cap connections).
type AdmitEntry struct {
	Name        string // stable kebab-case id, as given to -admit
	Description string // one line for -list
	Adaptive    bool   // whether the admitter limits at all (false only for none)
	// New builds the admitter for a pool of c's size; c's zero values must
	// be resolved and c valid. It returns nil for none: core then admits
	// every job the pool takes, at no cost.
	New func(c PoolConfig) core.Admitter
}

var admitters = sortedByName("admit", []AdmitEntry{
	{
		Name:        "none",
		Description: "no admission limit: every job the pool takes runs (the default)",
		New:         func(PoolConfig) core.Admitter { return nil },
	},
	{
		Name:        "aimd",
		Description: "AIMD after Netflix concurrency-limits: +1 while jobs start within 20 ms, x0.9 when one waits longer or is shed",
		Adaptive:    true,
		New: func(c PoolConfig) core.Admitter {
			return adaptive.New(must(adaptive.NewAIMD(adaptive.AIMDConfig{Limits: scaledLimits(c)})))
		},
	},
	{
		Name:        "gradient",
		Description: "Gradient2 after Netflix concurrency-limits: the limit follows long-term over recent latency, tolerance 1.5",
		Adaptive:    true,
		New: func(c PoolConfig) core.Admitter {
			return adaptive.New(must(adaptive.NewGradient2(adaptive.Gradient2Config{Limits: scaledLimits(c)})))
		},
	},
	{
		Name:        "failsafe",
		Description: "github.com/failsafe-go/failsafe-go adaptivelimiter: p90 latency against a baseline, updated at most once a second",
		Adaptive:    true,
		New: func(c PoolConfig) core.Admitter {
			return must(failsafelimit.New(scaledLimits(c)))
		},
	},
}, func(e AdmitEntry) string { return e.Name })

// scaledLimits sizes an adaptive limit to the pool it sits in front of.
func scaledLimits(c PoolConfig) adaptive.Limits {
	return adaptive.ScaledLimits(c.Workers, c.QueueSize)
}

// must panics on err: the registry builds only configurations it knows are
// valid (scaled limits of a valid PoolConfig, default parameters), so an
// error is a programming mistake the first test catches.
func must[T any](v T, err error) T {
	if err != nil {
		panic("strategies: " + err.Error())
	}
	return v
}

// Admitters returns the registered admission limits, sorted by name. The
// slice is a copy.
func Admitters() []AdmitEntry { return slices.Clone(admitters) }

// AdmitNames returns the registered admission limit names, sorted.
func AdmitNames() []string { return names(admitters, func(e AdmitEntry) string { return e.Name }) }

// NewAdmitter builds the admission limit called name for a pool sized by
// cfg, with cfg's zero values resolved as [PoolConfig] documents; it is nil
// for none. An unknown name is an error wrapping [ErrUnknownStrategy]; a
// size out of range is a *core.ConfigError.
func NewAdmitter(name string, cfg PoolConfig) (core.Admitter, error) {
	i := slices.IndexFunc(admitters, func(e AdmitEntry) bool { return e.Name == name })
	if i < 0 {
		return nil, unknown("admit", name, AdmitNames())
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return admitters[i].New(cfg.withDefaults()), nil
}

package adaptive

import (
	"fmt"
	"time"

	"github.com/tcpimg/tcpimg/core"
)

// Defaults of AIMDConfig.
const (
	// DefaultBackoff is Netflix's backoff ratio: a tenth off per overload
	// signal, so that a burst of signals halves the limit in seven.
	DefaultBackoff = 0.9
	// DefaultMaxWait is the queueing delay past which a job counts as an
	// overload signal. A queue is there to absorb bursts, not to hold a
	// standing backlog: 20 ms is about one image job per worker, or twenty
	// 1 ms jobs, of waiting, and a client notices a standing wait longer
	// than that. Netflix's 5 s timeout is a per-call RPC timeout, far
	// beyond anything a job here should wait.
	DefaultMaxWait = 20 * time.Millisecond
)

// AIMDConfig configures an AIMD limit. Zero fields other than Limits take
// their defaults.
type AIMDConfig struct {
	Limits
	// Backoff multiplies the limit on each overload signal, in 0.5..1
	// (1 excluded); 0 means DefaultBackoff.
	Backoff float64
	// MaxWait is the longest a job may wait before it starts without
	// counting as an overload signal; 0 means DefaultMaxWait.
	MaxWait time.Duration
}

// AIMD is a loss-based limit, Netflix's AIMDLimit: it adds one for every
// job that ran without waiting long while the load came within a factor of
// two of the limit, and multiplies by Backoff for every overload signal (a
// shed job, or one that waited longer than MaxWait). Netflix times a call
// from start to end against a timeout; here the signal is the wait alone,
// since the service time of an image job says how big the image was, not
// how loaded the server is.
type AIMD struct {
	cfg   AIMDConfig
	limit int
}

var _ Algorithm = (*AIMD)(nil)

// NewAIMD returns an AIMD limit at cfg.Initial. Limits out of order, a
// Backoff outside 0.5..1 or a negative MaxWait is a *core.ConfigError.
func NewAIMD(cfg AIMDConfig) (*AIMD, error) {
	if err := cfg.Limits.Validate(); err != nil {
		return nil, err
	}
	if cfg.Backoff == 0 {
		cfg.Backoff = DefaultBackoff
	}
	if cfg.MaxWait == 0 {
		cfg.MaxWait = DefaultMaxWait
	}
	switch {
	case cfg.Backoff < 0.5 || cfg.Backoff >= 1:
		return nil, &core.ConfigError{Field: "Backoff", Value: cfg.Backoff, Want: "0.5..1, 1 excluded"}
	case cfg.MaxWait < 0:
		return nil, &core.ConfigError{Field: "MaxWait", Value: cfg.MaxWait, Want: "0 (the default) or more"}
	}
	return &AIMD{cfg: cfg, limit: cfg.Initial}, nil
}

// Limit returns the current limit.
func (a *AIMD) Limit() int { return a.limit }

// Update learns from s: multiplicative decrease on an overload signal,
// else additive increase when s.InFlight reached half the limit, else no
// change; the result stays within the Limits.
func (a *AIMD) Update(s Sample) int {
	switch {
	case s.Outcome == core.OutcomeShed || s.Wait > a.cfg.MaxWait:
		a.limit = int(float64(a.limit) * a.cfg.Backoff)
	case 2*s.InFlight >= a.limit:
		a.limit++
	}
	a.limit = a.cfg.clamp(a.limit)
	return a.limit
}

// String describes the limit, for logs.
func (a *AIMD) String() string {
	return fmt.Sprintf("aimd limit=%d", a.limit)
}

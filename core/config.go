package core

import (
	"crypto/tls"
	"fmt"
	"log/slog"
	"runtime"
)

// Admission is what the server does with a request when its pool is full.
type Admission uint8

const (
	// AdmissionReject answers BUSY at once (load shedding). The default.
	AdmissionReject Admission = iota
	// AdmissionBlock stops reading the connection until the pool has room,
	// so TCP flow control pushes back on the client (backpressure).
	AdmissionBlock
)

// String returns "reject" or "block".
func (a Admission) String() string {
	switch a {
	case AdmissionReject:
		return "reject"
	case AdmissionBlock:
		return "block"
	}
	return fmt.Sprintf("admission(%d)", uint8(a))
}

// ParseAdmission parses "reject" or "block".
func ParseAdmission(s string) (Admission, error) {
	switch s {
	case "reject":
		return AdmissionReject, nil
	case "block":
		return AdmissionBlock, nil
	}
	return 0, fmt.Errorf("unknown admission policy %q (want reject or block)", s)
}

// DefaultQueueSize is the queue capacity of the pool a Server builds when
// its Config names none: deep enough to ride out a burst of a few hundred
// requests on a few workers, shallow enough that a full queue means a
// latency a client would notice (256 jobs of a few milliseconds).
const DefaultQueueSize = 256

// Config configures a Server. Its zero value serves protocol version 1 with
// the defaults of PROTOCOL.md, GOMAXPROCS workers over a buffered channel of
// DefaultQueueSize, and BUSY when that queue is full.
//
// Every setting has one source: the pool is sized where it is built (pass a
// Pool, or take the default), and the connection limit is always
// Limits.MaxConns, whichever limiter enforces it. [Config.Validate] reports
// a setting out of range; [NewServer] refuses such a Config.
type Config struct {
	// Admission says what a full pool means: BUSY (reject, the default) or
	// TCP backpressure (block).
	Admission Admission
	// Pool runs the jobs. Nil means GOMAXPROCS workers over a buffered
	// channel of DefaultQueueSize ([NewWorkerPool], [NewChanQueue]). The
	// server owns the pool: Shutdown and Close shut it down, and so does
	// NewServer when it refuses the Config.
	Pool Pool
	// Admit caps the jobs admitted and not yet finished, in front of the
	// pool, with a limit it may adapt; a job over the limit is answered
	// BUSY at once, whatever Admission says. Nil means no admission limit:
	// every job the pool takes is admitted.
	Admit Admitter
	// NewLimiter builds the semaphore that caps connections served at once,
	// with Limits.MaxConns slots; a connection holds one slot from accept
	// to close, and the accept loop waits for a free slot. Nil means a
	// buffered-channel semaphore ([NewChanLimiter]).
	NewLimiter func(slots int) Limiter
	// TLS, when not nil, makes every connection a TLS server connection
	// with this configuration (see internal/tlsconf for tcpimg's defaults:
	// TLS 1.3, client certificates verified when a client CA is given).
	// The handshake runs in the connection's own goroutine once it holds
	// a limiter slot, so a connection still in its handshake counts
	// against Limits.MaxConns and the accept loop never waits on one; it
	// is bounded by Limits.HandshakeTimeout. Nil serves plain TCP.
	TLS *tls.Config
	// Limits bounds frames, images, timeouts and connections; zero fields
	// take PROTOCOL.md's defaults.
	Limits Limits
	// Process runs a job; nil means ProcessWithLimit(Limits.MaxPixels).
	// Replacing it lets tests inject faults.
	Process ProcessFunc
	// Logger receives the server's structured logs; nil means slog.Default().
	Logger *slog.Logger
}

// ConfigError reports a setting out of its allowed range. Field is the Go
// name of the setting ("Limits.MaxInflight"); a command line maps it to its
// flag.
type ConfigError struct {
	Field string // the setting, as a Go selector below Config
	Value any    // the value given
	Want  string // the allowed values, e.g. "0..65536"
}

func (e *ConfigError) Error() string {
	return fmt.Sprintf("%s is %v, want %s", e.Field, e.Value, e.Want)
}

// Validate reports the first setting of c that no server can run with, as a
// *ConfigError. Zero values are valid: they take their defaults.
func (c Config) Validate() error {
	if c.Admission != AdmissionReject && c.Admission != AdmissionBlock {
		return &ConfigError{"Admission", c.Admission, "AdmissionReject or AdmissionBlock"}
	}
	if c.TLS != nil && len(c.TLS.Certificates) == 0 && c.TLS.GetCertificate == nil && c.TLS.GetConfigForClient == nil {
		return &ConfigError{"TLS", "a config without a certificate", "a certificate (Certificates, GetCertificate or GetConfigForClient)"}
	}
	return c.Limits.Validate()
}

// withDefaults returns c with every default filled in and the pool and
// limiter built.
func (c Config) withDefaults() Config {
	c.Limits = c.Limits.WithDefaults()
	if c.Pool == nil {
		c.Pool = NewWorkerPool(runtime.GOMAXPROCS(0), NewChanQueue(DefaultQueueSize))
	}
	if c.NewLimiter == nil {
		c.NewLimiter = func(n int) Limiter { return NewChanLimiter(n) }
	}
	if c.Process == nil {
		c.Process = ProcessWithLimit(c.Limits.MaxPixels)
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	return c
}

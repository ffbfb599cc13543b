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

// DefaultQueueSize is the default pool's queue capacity.
const DefaultQueueSize = 256

// Config configures a Server. Its zero value serves protocol version 1 with
// the defaults of PROTOCOL.md, GOMAXPROCS workers over a buffered channel of
// DefaultQueueSize, and BUSY when that queue is full.
type Config struct {
	// Workers is the number of workers of the default pool; 0 means
	// GOMAXPROCS. Ignored when Pool is set.
	Workers int
	// QueueSize is the default pool's queue capacity: 0 means
	// DefaultQueueSize, a negative value no queue at all (a job is accepted
	// only when a worker is free). Ignored when Pool is set.
	QueueSize int
	// Admission says what a full pool means: BUSY (reject, the default) or
	// TCP backpressure (block).
	Admission Admission
	// Pool runs the jobs. Nil means fixed workers over a buffered channel.
	// The server owns the pool: Shutdown and Close shut it down.
	Pool Pool
	// Limiter caps connections served at once; a connection holds one slot
	// from accept to close, and the accept loop waits for a free slot. Nil
	// means a buffered-channel semaphore of Limits.MaxConns slots.
	Limiter Limiter
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

// withDefaults returns c with every default filled in and the pool and
// limiter built.
func (c Config) withDefaults() Config {
	c.Limits = c.Limits.WithDefaults()
	if c.Workers <= 0 {
		c.Workers = runtime.GOMAXPROCS(0)
	}
	switch {
	case c.QueueSize == 0:
		c.QueueSize = DefaultQueueSize
	case c.QueueSize < 0:
		c.QueueSize = 0
	}
	if c.Pool == nil {
		c.Pool = NewWorkerPool(c.Workers, NewChanQueue(c.QueueSize))
	}
	if c.Limiter == nil {
		c.Limiter = NewChanLimiter(c.Limits.MaxConns)
	}
	if c.Process == nil {
		c.Process = ProcessWithLimit(c.Limits.MaxPixels)
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	return c
}

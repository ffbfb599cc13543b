package core

import (
	"fmt"
	"time"
)

// Limits are the bounds every server enforces (PROTOCOL.md, "Limits"). A zero
// field takes its default; [Limits.WithDefaults] fills them in.
type Limits struct {
	// MaxFrame is the largest payload accepted; a longer frame is answered
	// TOO_LARGE and the connection closed. Default 32 MiB.
	MaxFrame uint32
	// MaxPixels bounds width x height from an image's header; over it is
	// TOO_LARGE, connection kept. Default 40,000,000.
	MaxPixels int64
	// MaxInflight bounds requests read but not yet answered on one
	// connection; at the bound the server stops reading it. Default 64.
	MaxInflight int
	// FrameTimeout bounds receiving one whole frame once its first byte has
	// arrived. Default 10 s.
	FrameTimeout time.Duration
	// IdleTimeout closes a connection with nothing in flight and no partial
	// frame. Default 60 s.
	IdleTimeout time.Duration
	// WriteTimeout bounds writing one batch of responses while the client
	// does not read. Default 10 s.
	WriteTimeout time.Duration
	// HandshakeTimeout bounds a TLS handshake, from the connection being
	// accepted (its limiter slot taken) to the handshake's end; a client
	// that stalls it is cut off. Only with Config.TLS. Default 10 s.
	HandshakeTimeout time.Duration
	// MaxConns bounds connections served at once when the server builds its
	// own Limiter; further connections wait. Default 256.
	MaxConns int
	// MaxMemory bounds the request payload bytes held at once across all
	// connections, from reading a payload to writing its answer. A reader
	// whose payload does not fit waits (first come, first served), which
	// pushes back on its client; without it, max-conns clients pipelining
	// max-inflight frames of max-frame bytes could hold far more memory
	// than the machine has. A frame larger than MaxMemory waits for all of
	// it. Default 1 GiB.
	MaxMemory int64
}

// Defaults of PROTOCOL.md.
const (
	DefaultMaxFrame         = 32 << 20
	DefaultMaxPixels        = 40_000_000
	DefaultMaxInflight      = 64
	DefaultFrameTimeout     = 10 * time.Second
	DefaultIdleTimeout      = 60 * time.Second
	DefaultWriteTimeout     = 10 * time.Second
	DefaultHandshakeTimeout = 10 * time.Second
	DefaultMaxConns         = 256
	DefaultMaxMemory        = 1 << 30
)

// DefaultLimits returns the limits PROTOCOL.md gives as defaults.
func DefaultLimits() Limits { return Limits{}.WithDefaults() }

// WithDefaults returns l with every zero field set to its default.
func (l Limits) WithDefaults() Limits {
	if l.MaxFrame == 0 {
		l.MaxFrame = DefaultMaxFrame
	}
	if l.MaxPixels == 0 {
		l.MaxPixels = DefaultMaxPixels
	}
	if l.MaxInflight == 0 {
		l.MaxInflight = DefaultMaxInflight
	}
	if l.FrameTimeout == 0 {
		l.FrameTimeout = DefaultFrameTimeout
	}
	if l.IdleTimeout == 0 {
		l.IdleTimeout = DefaultIdleTimeout
	}
	if l.WriteTimeout == 0 {
		l.WriteTimeout = DefaultWriteTimeout
	}
	if l.HandshakeTimeout == 0 {
		l.HandshakeTimeout = DefaultHandshakeTimeout
	}
	if l.MaxConns == 0 {
		l.MaxConns = DefaultMaxConns
	}
	if l.MaxMemory == 0 {
		l.MaxMemory = DefaultMaxMemory
	}
	return l
}

// Validate reports a limit that cannot work (negative values).
func (l Limits) Validate() error {
	switch {
	case l.MaxPixels < 0:
		return fmt.Errorf("max-pixels %d is negative", l.MaxPixels)
	case l.MaxInflight < 0:
		return fmt.Errorf("max-inflight %d is negative", l.MaxInflight)
	case l.FrameTimeout < 0, l.IdleTimeout < 0, l.WriteTimeout < 0, l.HandshakeTimeout < 0:
		return fmt.Errorf("timeouts must not be negative")
	case l.MaxConns < 0:
		return fmt.Errorf("max-conns %d is negative", l.MaxConns)
	case l.MaxMemory < 0:
		return fmt.Errorf("max-memory %d is negative", l.MaxMemory)
	}
	return nil
}

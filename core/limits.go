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

// MaxInflightLimit is the largest Limits.MaxInflight: each connection
// allocates its window of that many jobs up front, so a larger value would
// exhaust memory instead of failing as a setting.
const MaxInflightLimit = 1 << 16

// Validate reports the first limit that no server can run with, as a
// *ConfigError. Zero fields are valid: they take their defaults.
func (l Limits) Validate() error {
	checks := []struct {
		bad   bool
		field string
		value any
		want  string
	}{
		{l.MaxPixels < 0, "Limits.MaxPixels", l.MaxPixels, "0 (the default) or more"},
		{l.MaxInflight < 0 || l.MaxInflight > MaxInflightLimit, "Limits.MaxInflight", l.MaxInflight, fmt.Sprintf("0..%d", MaxInflightLimit)},
		{l.FrameTimeout < 0, "Limits.FrameTimeout", l.FrameTimeout, "0 (the default) or more"},
		{l.IdleTimeout < 0, "Limits.IdleTimeout", l.IdleTimeout, "0 (the default) or more"},
		{l.WriteTimeout < 0, "Limits.WriteTimeout", l.WriteTimeout, "0 (the default) or more"},
		{l.HandshakeTimeout < 0, "Limits.HandshakeTimeout", l.HandshakeTimeout, "0 (the default) or more"},
		{l.MaxConns < 0, "Limits.MaxConns", l.MaxConns, "0 (the default) or more"},
		{l.MaxMemory < 0, "Limits.MaxMemory", l.MaxMemory, "0 (the default) or more"},
	}
	for _, c := range checks {
		if c.bad {
			return &ConfigError{Field: c.field, Value: c.value, Want: c.want}
		}
	}
	return nil
}
